/**
 * For dry runs: whether an earlier task of a run changes files that a later
 * task reads as inputs in a way the dry run cannot work out. The later
 * task's key is then known only once the run is under way.
 *
 * @module
 */

import picomatch from "picomatch";
import type { NormalizedTask } from "../../core/model.ts";
import type { RestoreChange } from "../cache/backend.ts";
import { matchesInputPatterns } from "../cache/inputs.ts";
import { outputMatcher } from "../cache/outputs.ts";
import { splitPatterns } from "../cache/patterns.ts";

/** The predicted effect of a task on the disk before its dependents start. */
export type DiskEffect =
  /** Nothing: a hit whose outputs are already in place, or a task without outputs. */
  | { readonly kind: "none" }
  /** A hit whose restore makes these changes. */
  | { readonly kind: "restore"; readonly changes: readonly RestoreChange[] }
  /** The task runs and may write anything its output patterns match. */
  | { readonly kind: "run"; readonly patterns: readonly string[] };

/** Returns the static directory part of a glob, such as `dist/lib` for `dist/lib/**`. */
function staticBase(pattern: string): string[] {
  const base = picomatch.scan(pattern).base;
  return base === "" || base === "." ? [] : base.split("/");
}

function isPrefix(shorter: readonly string[], longer: readonly string[]): boolean {
  return shorter.every((segment, position) => longer[position] === segment);
}

/**
 * Returns true when some path could match a pattern of `first` and one of
 * `second`. It compares the static directory parts only, so it may report
 * an overlap where none exists, but never misses one.
 */
export function patternsMayOverlap(first: readonly string[], second: readonly string[]): boolean {
  return first.some((a) =>
    second.some((b) => {
      const [baseA, baseB] = [staticBase(a), staticBase(b)];
      return baseA.length <= baseB.length ? isPrefix(baseA, baseB) : isPrefix(baseB, baseA);
    })
  );
}

/** Returns true when a change of `path` (a file, or a directory and what it contains) reaches `task`. */
function reachesInputs(task: NormalizedTask, path: string, inputPaths: readonly string[]): boolean {
  return inputPaths.some((input) => input === path || input.startsWith(`${path}/`)) ||
    matchesInputPatterns(task, path);
}

/**
 * Returns true when `effect` may change an input of `task` in a way the dry
 * run cannot work out. `inputPaths` are the task's inputs as predicted. The
 * restore of a file is worked out (the cache applies it), but not that of a
 * link or a replaced directory, nor what a running task writes. A task with
 * the implicit `**` inputs never reads another task's declared outputs.
 */
export function changesInputs(
  effect: DiskEffect,
  task: NormalizedTask,
  inputPaths: readonly string[],
): boolean {
  if (effect.kind === "none" || task.defaultInputs) return false;
  if (effect.kind === "restore") {
    return effect.changes.some((change) =>
      change.kind === "unknown" && reachesInputs(task, change.path, inputPaths)
    );
  }
  const { include } = splitPatterns(effect.patterns);
  if (include.length === 0) return false;
  const covers = outputMatcher(effect.patterns).covers;
  return inputPaths.some(covers) || patternsMayOverlap(include, splitPatterns(task.inputs).include);
}
