/**
 * Input and output patterns of a task: named input groups, and patterns
 * that are empty, escape the project root or point into an ignored directory.
 *
 * @module
 */

import type { IssueCollector } from "./fields.ts";
import type { NormalizeWarning } from "./model.ts";

/**
 * Directories that broad input and output patterns never reach. A pattern
 * whose fixed leading part goes into `node_modules` still covers what it names there.
 */
export const IGNORED_DIRECTORIES = [".git", ".async", "node_modules"] as const;

/** A `..` path segment: between slashes or backslashes, or at either end of the pattern. */
const PARENT_SEGMENT = /(?:^|[\\/])\.\.(?:[\\/]|$)/;

/**
 * Returns why a pattern may not be used: `absolute` for a path from the
 * file system root, `escapes` when its `..` segments climb above the
 * project root, `parent` for `..` segments that stay inside it. Returns
 * undefined for a pattern without either.
 */
function rootProblem(pattern: string): "absolute" | "escapes" | "parent" | undefined {
  const body = pattern.startsWith("!") ? pattern.slice(1) : pattern;
  if (body.startsWith("/") || /^[A-Za-z]:[\\/]/.test(body)) return "absolute";
  if (!PARENT_SEGMENT.test(body)) return undefined;
  let depth = 0;
  for (const segment of body.split(/[\\/]/)) {
    if (segment === "..") depth--;
    else if (segment !== "" && segment !== ".") depth++;
    if (depth < 0) return "escapes";
  }
  return "parent";
}

/** Messages for each {@link rootProblem}, after `input pattern "src/**"`. */
const ROOT_PROBLEMS = {
  absolute: "is an absolute path: patterns are relative to the project directory",
  escapes: 'escapes the project root: ".." segments are not allowed',
  parent: 'contains a ".." segment, which patterns may not use, even where the path stays inside ' +
    "the project root",
} as const;

/**
 * Reports input or output patterns that are empty or escape the project
 * root, and warns about patterns inside `.git` or `.async`, which match nothing.
 */
export function checkPatterns(
  issues: IssueCollector,
  warnings: NormalizeWarning[],
  path: string,
  patterns: readonly string[],
  kind: "input" | "output",
): void {
  patterns.forEach((pattern, index) => {
    const at = `${path}[${index}]`;
    if (pattern.trim() === "" || pattern === "!") {
      issues.invalid(
        at,
        `empty ${kind} pattern.`,
        `Write a glob relative to the project directory, such as "${
          kind === "input" ? "src/**" : "dist/**"
        }", or remove the entry.`,
      );
      return;
    }
    const problem = rootProblem(pattern);
    if (problem !== undefined) {
      issues.add({
        code: "ASYNC_PIPELINE_PATH_OUTSIDE_ROOT",
        path: at,
        message: `${kind} pattern "${pattern}" ${ROOT_PROBLEMS[problem]}.`,
        hint: "Use a path relative to the project directory without '..' or a leading '/'.",
      });
      return;
    }
    const body = pattern.startsWith("!") ? pattern.slice(1) : pattern;
    const tool = toolDirectoryIn(body.startsWith("./") ? body.slice(2) : body);
    if (tool !== undefined) {
      warnings.push({
        path: at,
        message:
          `${kind} pattern "${pattern}" points inside ${tool}/, which the cache never walks; it matches nothing.`,
      });
    }
  });
}

/** Directories the cache skips even when a pattern names a place inside them. */
const TOOL_DIRECTORIES = IGNORED_DIRECTORIES.filter((name) => name !== "node_modules");

/** Characters that end the fixed leading part of a glob. */
const GLOB_SYNTAX = /[*?[\]{}()!+@|\\]/;

/**
 * Returns the `.git` or `.async` directory that the fixed leading part of
 * `body` goes into, such as `.git` for `.git/hooks/**` or `pkg/.git/x`.
 */
function toolDirectoryIn(body: string): string | undefined {
  for (const segment of body.split("/")) {
    if (GLOB_SYNTAX.test(segment)) return undefined;
    if ((TOOL_DIRECTORIES as readonly string[]).includes(segment)) return segment;
  }
  return undefined;
}

/** Replaces each named input group in `inputs` by its patterns. */
export function expandInputs(
  issues: IssueCollector,
  path: string,
  inputs: readonly string[],
  namedInputs: Readonly<Record<string, readonly string[]>>,
): string[] {
  const expanded: string[] = [];
  for (const input of inputs) {
    if (Object.hasOwn(namedInputs, input)) expanded.push(...namedInputs[input]);
    else expanded.push(input);
  }
  if (expanded.length === 0 && inputs.length > 0) {
    issues.invalid(path, "the named input groups expand to no patterns.");
  }
  return expanded;
}
