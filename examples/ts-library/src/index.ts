export { slugify } from "./slug.js";
export type { SlugOptions } from "./slug.js";
export { uniqueSlug } from "./unique.js";
