/**
 * Matching of the glob patterns that tasks use for inputs and outputs:
 * cleaning and splitting pattern lists, compiled matchers, and the areas
 * (`.git`, `.async`, `node_modules`) that walks skip unless a pattern names
 * them. See {@link ./walk.ts} for the walk itself.
 *
 * @module
 */

import picomatch from "picomatch";
import { IGNORED_DIRECTORIES } from "../../core/normalize_patterns.ts";

/** Strips `./` prefixes and trailing slashes from a pattern body. */
export function cleanPattern(pattern: string): string {
  let body = pattern;
  while (body.startsWith("./")) body = body.slice(2);
  while (body.length > 1 && body.endsWith("/")) body = body.slice(0, -1);
  return body === "." ? "**" : body;
}

/** Splits patterns into included and excluded bodies, each also covering the insides of directories. */
export function splitPatterns(
  patterns: readonly string[],
): { include: string[]; exclude: string[] } {
  const include: string[] = [];
  const exclude: string[] = [];
  for (const pattern of patterns) {
    const negated = pattern.startsWith("!");
    const body = cleanPattern(negated ? pattern.slice(1) : pattern);
    (negated ? exclude : include).push(body);
  }
  return { include, exclude };
}

/** Compiled matchers by their pattern list, so each distinct list is compiled once per process. */
const matchers = new Map<string, (path: string) => boolean>();

/** Maximum number of cached matchers. The cache is cleared when a process needs more. */
const MATCHER_LIMIT = 4096;

/**
 * Builds a matcher for `patterns` that also matches anything inside a matched directory.
 * It gives the results of `picomatch(patterns, { dot: true })` but tests the
 * compiled expressions itself, because picomatch's matcher allocates several
 * objects per call, which adds up over tens of thousands of paths.
 */
export function directoryMatcher(patterns: readonly string[]): (path: string) => boolean {
  if (patterns.length === 0) return () => false;
  const key = patterns.join("\0");
  let matcher = matchers.get(key);
  if (matcher === undefined) {
    const expanded = patterns.flatMap((pattern) => [pattern, `${pattern}/**`]);
    matcher = prefixMatcher(patterns) ?? globMatcher(expanded);
    if (matchers.size >= MATCHER_LIMIT) matchers.clear();
    matchers.set(key, matcher);
  }
  return matcher;
}

/** Characters that may give a pattern a meaning beyond its literal text. */
const SPECIAL = /[\\*?[\]{}()!+@|]/;

/**
 * Returns a matcher for patterns that are each a plain path or a plain path
 * followed by `/**`, such as `packages/app/src/**`, or undefined for any
 * other list. With the `/**` that {@link directoryMatcher} adds, such a
 * pattern selects the path itself and everything under it, which a string
 * comparison decides without compiling a regular expression.
 */
function prefixMatcher(patterns: readonly string[]): ((path: string) => boolean) | undefined {
  const bases: string[] = [];
  for (const pattern of patterns) {
    const base = pattern.endsWith("/**") ? pattern.slice(0, -3) : pattern;
    const plain = base !== "" && !SPECIAL.test(base) && !base.startsWith("./") &&
      !base.endsWith("/") && !base.split("/").some((part) =>
        part === "" || part === "." || part === ".."
      );
    if (!plain) return undefined;
    bases.push(base);
  }
  const within = bases.map((base) => `${base}/`);
  return (path) => bases.includes(path) || within.some((prefix) => path.startsWith(prefix));
}

/** True on Windows, where picomatch also treats backslashes as separators. */
const WINDOWS = process.platform === "win32";

/**
 * Returns a function that is true for a path any of `globs` matches, as
 * `picomatch(globs, { dot: true })` decides: the path equals a glob, or,
 * with backslashes turned into slashes on Windows, equals it or matches
 * its regular expression.
 */
export function globMatcher(globs: readonly string[]): (path: string) => boolean {
  const compiled = globs.map((glob) => ({
    glob,
    regex: picomatch.makeRe(glob, { dot: true, windows: WINDOWS }),
  }));
  return (path) => {
    if (path === "") return false;
    const output = WINDOWS ? path.replace(/\\/g, "/") : path;
    // An indexed loop, because an iterator can allocate a result object per step.
    for (let position = 0; position < compiled.length; position++) {
      const { glob, regex } = compiled[position];
      if (path === glob || output === glob || regex.test(output)) return true;
    }
    return false;
  };
}

/** Returns true when `path` lies in a directory that broad patterns never reach. */
export function inIgnoredArea(path: string): boolean {
  return hasSegment(path, 0, IGNORED_DIRECTORIES);
}

/** Directories that a walk skips even inside a `node_modules` directory that a pattern names. */
const TOOL_DIRECTORIES = IGNORED_DIRECTORIES.filter((name) => name !== "node_modules");

/** Returns true when a `/`-separated segment of `path` from `start` on is one of `names`. */
function hasSegment(path: string, start: number, names: readonly string[]): boolean {
  // Compares the segments in place, because splitting copies each segment of each walked path.
  while (start <= path.length) {
    let end = path.indexOf("/", start);
    if (end === -1) end = path.length;
    for (let position = 0; position < names.length; position++) {
      const name = names[position];
      if (end - start === name.length && path.startsWith(name, start)) return true;
    }
    start = end + 1;
  }
  return false;
}

/**
 * Returns the fixed leading parts of `include` patterns that lie inside a
 * `node_modules` directory, such as `node_modules/.prisma` for
 * `node_modules/.prisma/**`. Parts inside `.git` or `.async` are left out.
 */
export function namedModuleAreas(include: readonly string[]): string[] {
  const areas: string[] = [];
  for (const pattern of include) {
    const base = picomatch.scan(pattern).base;
    if (hasSegment(base, 0, ["node_modules"]) && !hasSegment(base, 0, TOOL_DIRECTORIES)) {
      areas.push(base);
    }
  }
  return areas;
}

/**
 * Returns a test for the paths that a walk of the `include` patterns skips:
 * those in a `.git`, `.async` or `node_modules` directory. A pattern whose
 * fixed leading part lies inside `node_modules`, such as
 * `node_modules/.prisma/**`, names that place on purpose, so the walk
 * covers it and everything below it but `.git` and `.async` directories.
 * Broad patterns such as `**` still skip every `node_modules` directory.
 */
export function skippedBy(include: readonly string[]): (path: string) => boolean {
  const areas = namedModuleAreas(include);
  if (areas.length === 0) return inIgnoredArea;
  return (path) => {
    if (!inIgnoredArea(path)) return false;
    for (const area of areas) {
      const inside = path === area || (path.startsWith(area) && path[area.length] === "/");
      if (inside && !hasSegment(path, area.length + 1, TOOL_DIRECTORIES)) return false;
    }
    return true;
  };
}
