/** Options of {@link slugify}. */
export interface SlugOptions {
  /** Character placed between words (default `-`). */
  separator?: string;
  /** Maximum slug length in characters (default 80). Longer slugs are cut at a word boundary. */
  maxLength?: number;
}

const COMBINING_MARKS = /[\u0300-\u036f]/g;
const NOT_WORD = /[^a-z0-9]+/g;

/**
 * Turns a title into a URL slug: lower case ASCII words joined by the
 * separator, with accents removed.
 */
export function slugify(title: string, options: SlugOptions = {}): string {
  const separator = options.separator ?? "-";
  const maxLength = options.maxLength ?? 80;
  if (!Number.isInteger(maxLength) || maxLength < 1) {
    throw new RangeError(`maxLength must be a positive integer, got ${maxLength}`);
  }
  const words = title
    .normalize("NFKD")
    .replace(COMBINING_MARKS, "")
    .toLowerCase()
    .split(NOT_WORD)
    .filter((word) => word !== "");

  let slug = "";
  for (const word of words) {
    const next = slug === "" ? word : `${slug}${separator}${word}`;
    if (next.length > maxLength) return slug === "" ? word.slice(0, maxLength) : slug;
    slug = next;
  }
  return slug;
}
