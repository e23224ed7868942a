/**
 * Input patterns that select only a task's own outputs, as for an in-place
 * formatter (`inputs: ["src/**", ".prettierrc"], outputs: ["src/**"]`).
 *
 * Outputs are never inputs, so the files such a pattern matches never enter
 * the task's key. An edit to one of them leaves the key unchanged, and a hit
 * would write the stored outputs over the edit. A pattern is at fault when
 * it matches at least one file that is not a directory and every such file
 * is one of the task's declared outputs. A pattern that matches no file, and
 * a named file that is absent, are not at fault. Files that a `!` input
 * pattern excludes do not count.
 *
 * The input walk already records the patterns that selected no file (see
 * `WalkListing.unmatched`), and its memo stores them, so on a warm lookup
 * only those patterns cost anything. Each of them that could reach an
 * output is walked again without leaving out the outputs: a pattern that
 * then selects a file selected only outputs before. That second walk is
 * memoized as well.
 *
 * @module
 */

import picomatch from "picomatch";
import type { NormalizedTask } from "../../core/model.ts";
import type { FileStateIndex } from "./file_index.ts";
import type { StatedInputs } from "./inputs.ts";
import { cleanPattern, splitPatterns } from "./patterns.ts";
import { memoizedListing } from "./walk_memo.ts";

/**
 * Returns the positive input patterns of `task`, as written, whose every
 * matched file is one of its own outputs, or an empty array when there are
 * none. `stated` is the lookup's input listing in `cwd`. Throws what a walk
 * or an `lstat` throws.
 */
export async function ownOutputPatterns(
  task: NormalizedTask,
  cwd: string,
  index: FileStateIndex,
  stated: StatedInputs,
): Promise<string[]> {
  if (task.defaultInputs) return [];
  const { unmatched, absent } = stated.walked;
  if (unmatched.length === 0) return [];
  const outputBases = splitPatterns(task.outputs).include.map(fixedBase);
  if (outputBases.length === 0) return [];
  const candidates = unmatched.filter((pattern) => {
    if (absent.includes(pattern)) return false;
    const base = fixedBase(pattern);
    return outputBases.some((outputBase) => overlaps(base, outputBase));
  });
  if (candidates.length === 0) return [];

  // This walk keeps the outputs, so a candidate that matches a file here
  // matched only output files in the input walk.
  // NOTE: a task with a candidate pays for this walk on every lookup, a hit
  // too: validating its memo costs one lstat per directory the candidates reach.
  const negated = task.inputs.filter((pattern) => pattern.startsWith("!"));
  const again = await memoizedListing(index, cwd, [...candidates, ...negated], {
    followDirectoryLinks: true,
  });
  const faulty = new Set(candidates.filter((pattern) => !again.unmatched.includes(pattern)));
  if (faulty.size === 0) return [];
  const written = task.inputs.filter((pattern) =>
    !pattern.startsWith("!") && faulty.has(cleanPattern(pattern))
  );
  return [...new Set(written)];
}

/** Returns the fixed leading part of a pattern: the path before its first glob segment, or all of it. */
function fixedBase(pattern: string): string {
  return picomatch.scan(pattern).base;
}

/**
 * Returns true when a path under the fixed part `a` can also lie under `b`:
 * one of them is empty, or equals the other or a directory above it.
 */
function overlaps(a: string, b: string): boolean {
  if (a === "" || b === "" || a === b) return true;
  return a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}
