import { slugify, type SlugOptions } from "./slug.js";

/**
 * Returns a slug for `title` that is not in `taken`, adding `-2`, `-3`, ...
 * when needed, and adds it to `taken`.
 */
export function uniqueSlug(title: string, taken: Set<string>, options: SlugOptions = {}): string {
  const base = slugify(title, options) || "untitled";
  const separator = options.separator ?? "-";
  let candidate = base;
  for (let n = 2; taken.has(candidate); n++) candidate = `${base}${separator}${n}`;
  taken.add(candidate);
  return candidate;
}
