/**
 * Overlapping outputs: an output path that two tasks of one run both
 * declare while neither depends on the other. Each task then stores and
 * restores its own copy of the file, so what ends up on disk depends on
 * which task finished last, and both can report a hit on a stale file.
 *
 * Glob patterns cannot in general be compared when the pipeline loads, so
 * the check looks at actual paths. When a task stores or restores its
 * outputs, each of them is matched against the output patterns of the
 * other tasks of the run that share its directory.
 *
 * @module
 */

import picomatch from "picomatch";
import type { NormalizedTask, Pipeline } from "../../core/model.ts";
import { printablePath } from "../printable.ts";
import type { FileStateIndex } from "./file_index.ts";
import { listOutputs, type OutputMatcher, outputMatcher } from "./outputs.ts";
import { cleanPattern, inIgnoredArea } from "./walk.ts";

/** A task of the run as the cache saw it, with its working directory. */
interface SeenTask {
  readonly task: NormalizedTask;
  readonly cwd: string;
  readonly matcher: OutputMatcher;
  /** The directories its positive output patterns start in, `""` for the task directory. */
  readonly bases: readonly string[];
}

/** Returns the directory each positive pattern starts in, such as `dist` for `dist/**`. */
function patternBases(patterns: readonly string[]): string[] {
  return patterns.filter((pattern) => !pattern.startsWith("!")).map((pattern) => {
    const body = cleanPattern(pattern);
    return picomatch.scan(body).isGlob ? picomatch.scan(body).base : body;
  });
}

/** Returns true when the patterns starting in `a` and in `b` can match a common path. */
function basesMeet(a: readonly string[], b: readonly string[]): boolean {
  const within = (inner: string, outer: string) =>
    outer === "" || inner === outer || inner.startsWith(`${outer}/`);
  return a.some((x) => b.some((y) => within(x, y) || within(y, x)));
}

function hasOutputs(task: NormalizedTask): boolean {
  return task.outputs.some((pattern) => !pattern.startsWith("!"));
}

/** Finds output paths that two tasks of one run declare, with one warning per pair. */
export class OutputOverlaps {
  readonly #pipeline: Pipeline;
  /** Tasks the run has looked up, by id. */
  readonly #seen = new Map<string, SeenTask>();
  /** Pairs of task ids already warned about. */
  readonly #warned = new Set<string>();

  constructor(pipeline: Pipeline) {
    this.#pipeline = pipeline;
  }

  /** Records that the run looked `task` up in `cwd`. */
  see(task: NormalizedTask, cwd: string): void {
    if (!hasOutputs(task) || this.#seen.has(task.id)) return;
    const bases = patternBases(task.outputs);
    this.#seen.set(task.id, { task, cwd, matcher: outputMatcher(task.outputs), bases });
  }

  /** Returns true when `from` depends on `to`, directly or through other tasks. */
  #dependsOn(from: NormalizedTask, to: string): boolean {
    const visited = new Set<string>();
    const pending = [...from.dependsOn];
    while (pending.length > 0) {
      const id = pending.pop()!;
      if (id === to) return true;
      if (visited.has(id)) continue;
      visited.add(id);
      const task = this.#seen.get(id)?.task ?? this.#pipeline.tasks[id];
      if (task !== undefined) pending.push(...task.dependsOn);
    }
    return false;
  }

  /** Returns the other tasks of the run that may write into the outputs of `task`. */
  #rivals(task: NormalizedTask, cwd: string): SeenTask[] {
    const bases = patternBases(task.outputs);
    return [...this.#seen.values()].filter((other) =>
      other.task.id !== task.id && other.cwd === cwd && basesMeet(bases, other.bases) &&
      !this.#warned.has(pairKey(task.id, other.task.id)) &&
      !this.#dependsOn(task, other.task.id) && !this.#dependsOn(other.task, task.id)
    );
  }

  /**
   * Returns a warning when an output path of `task` now on disk is also an
   * output of another task of the run that neither depends on it nor is
   * depended on by it. `action` is what `task` just did with its outputs.
   * Each pair of tasks is warned about once per run. Lists the outputs only
   * when such a task exists, so most tasks cost no walk.
   */
  async check(
    task: NormalizedTask,
    cwd: string,
    index: FileStateIndex,
    action: "stored" | "restored",
  ): Promise<string | undefined> {
    if (!hasOutputs(task)) return undefined;
    const rivals = this.#rivals(task, cwd);
    if (rivals.length === 0) return undefined;
    let paths: string[];
    try {
      paths = (await listOutputs(cwd, task.outputs, index))
        .filter((entry) => entry.kind !== "directory").map((entry) => entry.path);
    } catch {
      // The check only adds a warning, so outputs that cannot be listed skip it.
      return undefined;
    }
    for (const rival of rivals) {
      const shared = paths.filter((path) =>
        rival.matcher.covers(path) && !rival.matcher.protects(path) && !inIgnoredArea(path)
      );
      if (shared.length === 0) continue;
      this.#warned.add(pairKey(task.id, rival.task.id));
      return overlapWarning(task.id, rival.task.id, shared, action);
    }
    return undefined;
  }
}

/** Returns `earlier` with the warnings of `extra` that are set appended, joined by `Also,`. */
export function joinWarnings(
  earlier: string | undefined,
  extra: readonly (string | undefined)[],
): string | undefined {
  const texts = [earlier, ...extra].filter((text): text is string => text !== undefined);
  return texts.length === 0 ? undefined : texts.join(" Also, ");
}

function pairKey(a: string, b: string): string {
  return JSON.stringify(a < b ? [a, b] : [b, a]);
}

function overlapWarning(
  id: string,
  other: string,
  shared: readonly string[],
  action: "stored" | "restored",
): string {
  const more = shared.length > 1 ? ` (+${shared.length - 1} more)` : "";
  return `task "${id}" ${action} the output ${
    printablePath(shared[0])
  }${more}, which task "${other}" also declares as an output, and neither task depends on the other. Each stores and restores its own copy, so the file on disk depends on which finished last and may be stale while both are cached. Leave the file to one task (for example with "!${
    shared[0]
  }" in the other's outputs), or make one task depend on the other.`;
}
