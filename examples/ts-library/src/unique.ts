import { slugify, type SlugOptions } from "./slug.js";

/**
 * Returns a slug for `title` that is not in `usedSlugs`, adding `-2`, `-3`,
 * ... when needed, and adds it to `usedSlugs`.
 */
export function uniqueSlug(
  title: string,
  usedSlugs: Set<string>,
  options: SlugOptions = {},
): string {
  const base = slugify(title, options) || "untitled";
  const separator = options.separator ?? "-";
  let candidate = base;
  for (let n = 2; usedSlugs.has(candidate); n++) candidate = `${base}${separator}${n}`;
  usedSlugs.add(candidate);
  return candidate;
}
