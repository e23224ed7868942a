/**
 * The paths that a task's output patterns select, `!` patterns included.
 *
 * A path is one of a task's outputs when one of its included output
 * patterns matches it and none of its `!` output patterns does, which is
 * what the store and a restore write. Inputs leave out such paths, so a file
 * that a `!` output pattern keeps out of the outputs, such as
 * `dist/config.json` under `["dist/**", "!dist/config.json"]`, stays an
 * input. Each task's list is matched on its own: a `!` pattern of one task
 * does not bring back the outputs of another.
 *
 * @module
 */

import { directoryMatcher, splitPatterns } from "./patterns.ts";

/** Returns true when a path is an output; `directory` is true for a directory. */
export type OutputPathMatcher = (path: string, directory: boolean) => boolean;

/**
 * Returns a matcher for the paths that any of `lists`, one output pattern
 * list per task, selects. A directory matches only through a list without
 * `!` patterns, because a `!` pattern may select a file inside it. A walk
 * therefore enters such a directory and leaves out its output files one by one.
 */
export function outputPathMatcher(lists: readonly (readonly string[])[]): OutputPathMatcher {
  const whole: string[] = [];
  const partial: { include: (path: string) => boolean; exclude: (path: string) => boolean }[] = [];
  for (const list of lists) {
    const { include, exclude } = splitPatterns(list);
    if (include.length === 0) continue;
    if (exclude.length === 0) whole.push(...include);
    else partial.push({ include: directoryMatcher(include), exclude: directoryMatcher(exclude) });
  }
  const inWhole = directoryMatcher(whole);
  if (partial.length === 0) return (path) => inWhole(path);
  return (path, directory) => {
    if (inWhole(path)) return true;
    if (directory) return false;
    return partial.some((list) => list.include(path) && !list.exclude(path));
  };
}

/** Returns the non-empty lists of `lists`, each list once. */
export function distinctLists(lists: readonly (readonly string[])[]): (readonly string[])[] {
  const seen = new Set<string>();
  return lists.filter((list) => {
    const key = list.join("\0");
    if (list.length === 0 || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
