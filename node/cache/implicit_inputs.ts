/**
 * The warning for implicit inputs that other tasks' outputs leave out. A
 * cached task without `inputs` uses `**` without every task's declared
 * outputs. A broad output pattern of another task, such as one for every
 * `.json` file, then removes tracked files like `package.json` from its key.
 *
 * @module
 */

import { execFile } from "node:child_process";
import type { NormalizedTask } from "../../core/model.ts";
import { printablePath } from "../printable.ts";
import { outputPathMatcher } from "./output_sets.ts";
import { inIgnoredArea, splitPatterns } from "./patterns.ts";

/** Number of paths a warning names before it only counts the rest. */
const NAMED_PATHS = 5;

/** Lists the files git tracks under `cwd`, relative to it, or undefined outside a git work tree. */
export function gitTrackedPaths(cwd: string): Promise<string[] | undefined> {
  return new Promise((resolve) => {
    execFile("git", ["ls-files", "-z"], { cwd, maxBuffer: 256 * 1024 * 1024 }, (error, stdout) => {
      if (error) return resolve(undefined);
      resolve(String(stdout).split("\0").filter((path) => path !== ""));
    });
  });
}

/**
 * Returns, for each task whose output patterns match files that git tracks,
 * those files in `tracked` order. Files in `.git`, `.async` and
 * `node_modules` are left out, because implicit inputs never contain them.
 */
export function trackedOutputs(
  tasks: readonly NormalizedTask[],
  tracked: readonly string[],
): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const task of tasks) {
    if (splitPatterns(task.outputs).include.length === 0) continue;
    const matches = outputPathMatcher([task.outputs]);
    const paths = tracked.filter((path) => matches(path, false) && !inIgnoredArea(path));
    if (paths.length > 0) result.set(task.id, paths);
  }
  return result;
}

/**
 * Returns a warning for a task with the implicit `**` inputs whose key
 * leaves out tracked files because other tasks declare them as outputs, or
 * undefined. `byTask` comes from {@link trackedOutputs}. The task's own
 * outputs are left out of the warning: they are never its inputs.
 */
export function implicitInputsWarning(
  task: NormalizedTask,
  tasks: Readonly<Record<string, NormalizedTask>>,
  byTask: ReadonlyMap<string, readonly string[]>,
): string | undefined {
  if (!task.defaultInputs) return undefined;
  const own = outputPathMatcher([task.outputs]);
  const owners: string[] = [];
  const paths = new Set<string>();
  for (const [id, matched] of byTask) {
    if (id === task.id) continue;
    const removed = matched.filter((path) => !own(path, false));
    if (removed.length === 0) continue;
    const patterns = splitPatterns(tasks[id].outputs).include.join(", ");
    owners.push(`"${id}" (${patterns})`);
    for (const path of removed) paths.add(path);
  }
  if (owners.length === 0) return undefined;
  const sorted = [...paths].sort();
  const named = sorted.slice(0, NAMED_PATHS).map(printablePath).join(", ");
  const more = sorted.length > NAMED_PATHS ? ` and ${sorted.length - NAMED_PATHS} more` : "";
  const tasksText = owners.length === 1
    ? `task ${owners[0]}`
    : `tasks ${owners.slice(0, -1).join(", ")} and ${owners[owners.length - 1]}`;
  return `task "${task.id}" declares no inputs, so its key covers every file but the outputs of ` +
    `all tasks, and the outputs of ${tasksText} leave out files that git tracks: ${named}${more}. ` +
    `An edit to them does not rerun "${task.id}". Declare its inputs, or narrow those output patterns.`;
}

/**
 * The check behind {@link implicitInputsWarning} for one run. It lists the
 * tracked files once per task directory, and only for tasks with implicit inputs.
 */
export class ImplicitInputsCheck {
  readonly #tasks: Readonly<Record<string, NormalizedTask>>;
  #byDirectory = new Map<string, Promise<Map<string, string[]>>>();

  constructor(tasks: Readonly<Record<string, NormalizedTask>>) {
    this.#tasks = tasks;
  }

  /** Returns the warning for `task`, whose directory is `cwd`, or undefined. */
  async warning(task: NormalizedTask, cwd: string): Promise<string | undefined> {
    if (!task.defaultInputs) return undefined;
    let byTask = this.#byDirectory.get(cwd);
    if (byTask === undefined) {
      byTask = gitTrackedPaths(cwd).then((tracked) =>
        tracked === undefined ? new Map() : trackedOutputs(Object.values(this.#tasks), tracked)
      );
      this.#byDirectory.set(cwd, byTask);
    }
    return implicitInputsWarning(task, this.#tasks, await byTask);
  }
}
