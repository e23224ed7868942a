/**
 * The internal controls of a run that are not part of the public
 * `RunOptions`, and the built-in task cache that the CLI passes in them.
 *
 * @module
 */

import type { PipelineError } from "../../core/errors.ts";
import type { Pipeline } from "../../core/model.ts";
import type { TaskCacheHooks } from "../cache_seam.ts";
import { createTaskCache } from "../cache/task_cache.ts";
import type { GovernedCommandRunner } from "../types.ts";
import type { RunEventListener } from "./events.ts";

/** Internal controls of a run that are not part of the public {@link RunOptions}. */
export interface RunHooks {
  /** Task cache. Without it (and without `createCache`) every task runs. */
  readonly cache?: TaskCacheHooks;
  /** Creates the task cache once the run id is known; `cache` takes precedence. */
  readonly createCache?: (run: TaskCacheContext) => TaskCacheHooks;
  /** Receives run events, for presenters. */
  readonly onEvent?: RunEventListener;
  /** Aborting it stops running tasks and starts no new ones. Its reason names the cause. */
  readonly signal?: AbortSignal;
  /** `task` runs the task `options.id` with its dependencies instead of a job. */
  readonly target?: "job" | "task";
  /** Runs `ctx.command(...)` argv. Defaults to the run's command policy, which records into the run. */
  readonly commandRunner?: GovernedCommandRunner;
  /**
   * Receives the record's text, as the record file contains it, and the
   * file's path when the process exits before the run returned, such as on
   * `process.exit()` in a step. It runs inside the process's `exit` event,
   * so it must write synchronously.
   */
  readonly onExitRecord?: (text: string, recordPath: string) => void;
  /** Called once when `options.waitForLock` waits for another run, with the error naming it. */
  readonly onLockWait?: (active: PipelineError) => void;
}

/** Facts of a run that {@link RunHooks.createCache} receives. */
export interface TaskCacheContext {
  readonly pipeline: Pipeline;
  readonly projectDir: string;
  readonly runId: string;
  /** `--force`: ignore entries and refresh them. */
  readonly force: boolean;
  /** The secret-digest key that `ASYNC_PIPELINE_CACHE_SECRET` sets, used instead of the project's. */
  readonly secretKey?: Uint8Array;
  /**
   * Adds a warning about the whole run, such as a replaced secret-digest
   * key, to the record's `warnings` and prints it once.
   */
  readonly warn: (message: string) => void;
}

/** Creates the built-in task cache (file and memory stores) for a run. */
export function defaultTaskCache(run: TaskCacheContext): TaskCacheHooks {
  return createTaskCache({
    pipeline: run.pipeline,
    rootDir: run.projectDir,
    runId: run.runId,
    force: run.force,
    ...(run.secretKey ? { secretKey: run.secretKey } : {}),
    onWarning: run.warn,
  });
}
