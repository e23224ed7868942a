/** Executes one run of a runtime definition: dependency order, results, session cache. @module */

import { randomUUID } from "node:crypto";
import { didYouMean, ErrorCode, isPipelineError, PipelineError } from "../core/errors.ts";
import { dependencyClosure } from "../core/graph.ts";
import { cacheKey } from "./cache_key.ts";
import { endOfChain, guardNext, invoke } from "./compose.ts";
import type {
  RuntimeContext,
  RuntimeDefinition,
  RuntimeRunOptions,
  RuntimeRunResult,
  RuntimeTask,
  RuntimeTaskError,
  RuntimeTaskResult,
} from "./types.ts";
import { thrownMessage } from "../node/thrown.ts";

/** The state a session keeps between runs. */
export interface Session {
  /** Values of `memory:session` tasks, by task id, then by cache key. */
  readonly cache: Map<string, Map<string, unknown>>;
  /** Runs in flight, so `stop()` can wait for them. */
  readonly runs: Set<Promise<unknown>>;
}

/** Everything one run shares between its tasks. */
interface RunScope {
  readonly runId: string;
  readonly input: unknown;
  readonly state: Record<string, unknown>;
  readonly signal: AbortSignal;
  readonly session: Session;
  readonly results: Map<string, RuntimeTaskResult>;
}

/** Returns the ids a run covers: every task, or the targets and what they depend on. */
export function selectTasks(
  definition: RuntimeDefinition,
  targets: readonly string[] | undefined,
): string[] {
  if (targets === undefined) return [...definition.order];
  const byId = Object.fromEntries(definition.tasks.map((task) => [task.id, task]));
  for (const target of targets) {
    if (target in byId) continue;
    throw new PipelineError(
      ErrorCode.UNKNOWN_TASK,
      `run(input, { targets }): unknown task "${target}".`,
      {
        path: "targets",
        hint: didYouMean(target, Object.keys(byId)) ||
          `Known tasks: ${Object.keys(byId).join(", ") || "none"}.`,
      },
    );
  }
  const selected = new Set(dependencyClosure(byId, targets));
  return definition.order.filter((id) => selected.has(id));
}

/**
 * Runs the selected tasks of `definition` in dependency order, starting each task once
 * its dependencies have passed and fewer than `concurrency` tasks are running. A task
 * whose dependency failed or was skipped is skipped. A failing task is reported in the
 * result and does not reject the returned promise.
 */
export async function executeRun(
  definition: RuntimeDefinition,
  session: Session,
  ids: readonly string[],
  input: unknown,
  options: RuntimeRunOptions,
  concurrency: number,
): Promise<RuntimeRunResult> {
  const startedAt = performance.now();
  const scope: RunScope = {
    runId: randomUUID(),
    input,
    state: {},
    signal: options.signal ?? new AbortController().signal,
    session,
    results: new Map(),
  };
  const tasks = new Map(definition.tasks.map((task) => [task.id, task]));
  const waiting = ids.map((id) => tasks.get(id) as RuntimeTask);
  const running = new Set<Promise<void>>();

  while (waiting.length > 0 || running.size > 0) {
    startReadyTasks(scope, waiting, running, concurrency);
    if (running.size === 0 && waiting.length > 0) {
      // defineRuntime rejects unknown dependencies and cycles, so some task is always ready.
      const ids = waiting.map((task) => task.id).join(", ");
      throw new Error(`Runtime scheduler stalled with waiting tasks: ${ids}.`);
    }
    if (running.size > 0) await Promise.race(running);
  }

  const results = ids.map((id) => scope.results.get(id) as RuntimeTaskResult);
  let status: RuntimeRunResult["status"] = "passed";
  if (!results.every((result) => result.status === "passed")) {
    status = scope.signal.aborted ? "interrupted" : "failed";
  }
  return {
    runId: scope.runId,
    status,
    tasks: results,
    state: scope.state,
    durationMs: performance.now() - startedAt,
  };
}

/**
 * Starts or skips every waiting task whose dependencies have settled. `waiting` is in
 * dependency order, so one pass also settles dependents of tasks it skips.
 */
function startReadyTasks(
  scope: RunScope,
  waiting: RuntimeTask[],
  running: Set<Promise<void>>,
  concurrency: number,
): void {
  for (const task of [...waiting]) {
    const dependencies = task.dependsOn.map((id) => scope.results.get(id));
    if (dependencies.some((result) => result === undefined)) continue;

    const blocked = dependencies.filter((result) => result?.status !== "passed");
    if (blocked.length > 0 || scope.signal.aborted) {
      const names = blocked.map((result) => `"${result?.id}"`).join(", ");
      const reason = blocked.length === 0
        ? "the run was aborted before the task started."
        : `${blocked.length === 1 ? "dependency" : "dependencies"} ${names} did not pass.`;
      scope.results.set(task.id, { id: task.id, status: "skipped", reason, durationMs: 0 });
    } else if (running.size < concurrency) {
      const promise: Promise<void> = runTask(scope, task).then((result) => {
        scope.results.set(task.id, result);
        running.delete(promise);
      });
      running.add(promise);
    } else {
      continue;
    }
    waiting.splice(waiting.indexOf(task), 1);
  }
}

/** Runs one task, using the session cache when the task has `cache.use(...)`. */
async function runTask(scope: RunScope, task: RuntimeTask): Promise<RuntimeTaskResult> {
  const startedAt = performance.now();
  const dependencies: Record<string, unknown> = {};
  for (const id of task.dependsOn) dependencies[id] = scope.results.get(id)?.value;
  const ctx: RuntimeContext = {
    taskId: task.id,
    runId: scope.runId,
    input: scope.input,
    state: scope.state,
    dependencies: Object.freeze(dependencies),
    signal: scope.signal,
  };
  const elapsed = () => performance.now() - startedAt;

  try {
    if (task.cache === undefined) {
      const value = await invoke(task.handler, ctx, guardNext(ctx, task.handler, endOfChain));
      return { id: task.id, status: "passed", value, durationMs: elapsed() };
    }

    const key = `${cacheKey(scope.input, "input")}|${cacheKey(dependencies, "dependencies")}`;
    const entries = scope.session.cache.get(task.id) ?? new Map<string, unknown>();
    scope.session.cache.set(task.id, entries);
    if (entries.has(key)) {
      return {
        id: task.id,
        status: "passed",
        value: entries.get(key),
        cache: "hit",
        durationMs: elapsed(),
      };
    }
    // NOTE: runs of one session that miss the same key at the same time each run the
    // handler, and the last to finish wins. Values are stored by reference, not copied.
    const value = await invoke(task.handler, ctx, guardNext(ctx, task.handler, endOfChain));
    entries.set(key, value);
    return { id: task.id, status: "passed", value, cache: "miss", durationMs: elapsed() };
  } catch (error) {
    const stopped = scope.signal.aborted && error === scope.signal.reason;
    const failure = stopped ? interruptedError(error) : toTaskError(error);
    return { id: task.id, status: "failed", error: failure, durationMs: elapsed() };
  }
}

/** Returns the error of a task that rejected with the abort reason of the run's signal. */
function interruptedError(reason: unknown): RuntimeTaskError {
  if (isPipelineError(reason)) return toTaskError(reason);
  return { code: ErrorCode.INTERRUPTED, message: thrownMessage(reason), cause: reason };
}

/** Converts a thrown value into the plain error of a task result. */
function toTaskError(error: unknown): RuntimeTaskError {
  if (isPipelineError(error)) {
    return {
      code: error.code,
      message: error.message,
      ...(error.hint === undefined ? {} : { hint: error.hint }),
      cause: error,
    };
  }
  const message = thrownMessage(error);
  return { code: ErrorCode.TASK_FAILED, message, cause: error };
}
