/**
 * Overlapping outputs: an output path that two tasks of one run both
 * declare while neither depends on the other. Each task then stores its own
 * copy of the file, so what ends up on disk depends on which task finished
 * last. A hit does not overwrite a different copy that the other task wrote
 * after it, so such tasks usually run instead of being restored.
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
import { cleanPattern, inIgnoredArea } from "./patterns.ts";

/** A task of the run as the cache saw it, with its working directory. */
interface SeenTask {
  readonly task: NormalizedTask;
  readonly cwd: string;
  /** Its output matcher, made on first use: most tasks never need one. */
  matcher?: OutputMatcher;
  /** The directories its positive output patterns start in, `""` for the task directory. */
  readonly bases: readonly string[];
}

/** Returns the directory each positive pattern starts in, such as `dist` for `dist/**`. */
function patternBases(patterns: readonly string[]): string[] {
  return patterns.filter((pattern) => !pattern.startsWith("!")).map((pattern) => {
    const body = cleanPattern(pattern);
    const scanned = picomatch.scan(body);
    return scanned.isGlob ? scanned.base : body;
  });
}

/** Returns the directories that contain `base`, nearest first, ending with `""`. */
function ancestors(base: string): string[] {
  const found: string[] = [];
  let rest = base;
  while (rest !== "") {
    const slash = rest.lastIndexOf("/");
    rest = slash < 0 ? "" : rest.slice(0, slash);
    found.push(rest);
  }
  return found;
}

/** Adds `id` to the set under `key` of `map`. */
function addTo(map: Map<string, Set<string>>, key: string, id: string): void {
  const ids = map.get(key);
  if (ids === undefined) map.set(key, new Set([id]));
  else ids.add(id);
}

function hasOutputs(task: NormalizedTask): boolean {
  return task.outputs.some((pattern) => !pattern.startsWith("!"));
}

/** Finds output paths that two tasks of one run declare, with one warning per pair. */
export class OutputOverlaps {
  readonly #pipeline: Pipeline;
  /** Tasks the run has looked up, by id. */
  readonly #seen = new Map<string, SeenTask>();
  /** Ids of seen tasks by working directory and by a directory their patterns start in. */
  readonly #atBase = new Map<string, Map<string, Set<string>>>();
  /** Ids of seen tasks by working directory and by a directory that contains one of their bases. */
  readonly #belowBase = new Map<string, Map<string, Set<string>>>();
  /** Pairs of task ids already warned about. */
  readonly #warned = new Set<string>();

  constructor(pipeline: Pipeline) {
    this.#pipeline = pipeline;
  }

  /** Records that the run looked `task` up in `cwd`. */
  see(task: NormalizedTask, cwd: string): void {
    if (!hasOutputs(task) || this.#seen.has(task.id)) return;
    const bases = patternBases(task.outputs);
    this.#seen.set(task.id, { task, cwd, bases });
    const atBase = this.#directoryMap(this.#atBase, cwd);
    const belowBase = this.#directoryMap(this.#belowBase, cwd);
    for (const base of bases) {
      addTo(atBase, base, task.id);
      for (const outer of ancestors(base)) addTo(belowBase, outer, task.id);
    }
  }

  #directoryMap(
    maps: Map<string, Map<string, Set<string>>>,
    cwd: string,
  ): Map<string, Set<string>> {
    let map = maps.get(cwd);
    if (map === undefined) {
      map = new Map();
      maps.set(cwd, map);
    }
    return map;
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

  /**
   * Returns the other tasks of the run that may write into the outputs of
   * `task`: those in `cwd` whose patterns start in a directory that equals,
   * contains or lies inside one where the patterns of `task` start.
   */
  #rivals(task: NormalizedTask, cwd: string): SeenTask[] {
    const bases = this.#seen.get(task.id)?.bases ?? patternBases(task.outputs);
    const atBase = this.#atBase.get(cwd);
    const belowBase = this.#belowBase.get(cwd);
    const ids = new Set<string>();
    const collect = (found: Set<string> | undefined) => found?.forEach((id) => ids.add(id));
    for (const base of bases) {
      collect(atBase?.get(base));
      collect(belowBase?.get(base));
      for (const outer of ancestors(base)) collect(atBase?.get(outer));
    }
    ids.delete(task.id);
    const rivals: SeenTask[] = [];
    for (const id of ids) {
      const other = this.#seen.get(id)!;
      if (this.#warned.has(pairKey(task.id, id))) continue;
      if (this.#dependsOn(task, id) || this.#dependsOn(other.task, task.id)) continue;
      rivals.push(other);
    }
    return rivals;
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
      const matcher = rival.matcher ??= outputMatcher(rival.task.outputs);
      const shared = paths.filter((path) =>
        matcher.covers(path) && !matcher.protects(path) && !inIgnoredArea(path)
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
  }${more}, which task "${other}" also declares as an output, and neither task depends on the other. Each stores its own copy, so the file on disk depends on which finished last, and a task whose copy differs from the file on disk runs instead of being restored. Leave the file to one task (for example with "!${
    shared[0]
  }" in the other's outputs), or make one task depend on the other.`;
}
