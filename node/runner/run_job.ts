/**
 * `runJob`: runs one job's task graph on the host (or a custom executor),
 * writes its execution record and returns it.
 *
 * @module
 */

import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import process from "../process.ts";
import { ErrorCode, PipelineError } from "../../core/errors.ts";
import type { Pipeline } from "../../core/model.ts";
import { pipelineFromModule } from "../load.ts";
import { acquireRunLock, waitForRunLock } from "../lock.ts";
import { readMaxLogBytes } from "../logs.ts";
import { createRunId, pruneRuns, readKeepRuns, RunRecordStore } from "../records.ts";
import { Redactor } from "../redact.ts";
import { redactError } from "../redact_error.ts";
import { openRunSources, type RunSources, withSourceChecks } from "../sources/session.ts";
import type { ExecutionRecord, RunOptions } from "../types.ts";
import { captureConsole, currentTarget, outsideTasks } from "./console_capture.ts";
import { processEcho } from "./echo.ts";
import { closeRunOnExit } from "./exit_hook.ts";
import { LiveTasks } from "./live_tasks.ts";
import { guardUncaught, uncaughtWarning } from "../uncaught.ts";
import type { RunEvent, RunEventListener } from "./events.ts";
import { planJob, planTask, type RunPlan, selectExecutor } from "./plan.ts";
import { prepareRun, requirementsError } from "./prepare.ts";
import { executeTasks } from "./execute_tasks.ts";
import { finalize, interruptError } from "./finalize.ts";
import { defaultTaskCache, type RunHooks } from "./run_hooks.ts";
import {
  type CachedRun,
  createState,
  initialRecord,
  type LockedRun,
  pendingResults,
  type StartedRun,
} from "./run_context.ts";
import { thrownMessage } from "../thrown.ts";
import { readCacheSecret, withCacheSecret, withoutCacheSecret } from "../cache/cache_secret.ts";

export { defaultTaskCache, type RunHooks, type TaskCacheContext } from "./run_hooks.ts";
export { isCiEnv } from "./run_context.ts";

/** A pipeline, or a module whose default export is one. */
export type PipelineInput = Pipeline | { readonly default: Pipeline };

/**
 * Runs job `options.id` of `pipeline` and returns its execution record.
 * Tasks run in dependency order, at most `concurrency` at a time. After the
 * first failure no new task starts. Running tasks finish and the rest are
 * recorded as skipped. The record is written to
 * `.async/runs/<run-id>/execution.json` under `options.cwd`. Cached tasks
 * use the pipeline's task cache, and `options.force` ignores and refreshes
 * their entries.
 *
 * @throws {PipelineError} for an unknown job, an active run
 * (`ASYNC_PIPELINE_RUN_ACTIVE`), or missing secrets, variables or tools.
 * Those fail before any command runs.
 * @example
 * ```ts
 * import { runJob } from "@async/pipeline/node";
 * import pipeline from "./pipeline.ts";
 *
 * const record = await runJob(pipeline, { id: "verify", concurrency: 2 });
 * console.log(record.status);
 * ```
 */
export function runJob(pipeline: PipelineInput, options: RunOptions): Promise<ExecutionRecord> {
  return executeRun(pipeline, options, { createCache: defaultTaskCache });
}

function checkConcurrency(value: number | undefined): number {
  if (value === undefined) return Math.max(1, availableParallelism());
  if (!Number.isInteger(value) || value < 1) {
    throw new PipelineError(
      ErrorCode.INVALID_FIELD,
      `concurrency must be a positive integer, got ${JSON.stringify(value)}.`,
      { path: "concurrency" },
    );
  }
  return value;
}

function planTarget(pipeline: Pipeline, id: string, target: RunHooks["target"]): RunPlan {
  return target === "task" ? planTask(pipeline, id) : planJob(pipeline, id);
}

/** Runs a job (or a single task with `hooks.target`) with internal controls. */
export async function executeRun(
  input: PipelineInput,
  options: RunOptions,
  hooks: RunHooks,
): Promise<ExecutionRecord> {
  const pipeline = pipelineFromModule(input, "The pipeline passed to runJob");
  const plan = planTarget(pipeline, options.id, hooks.target);
  const runEnv = options.env ?? process.env;
  const cacheSecret = readCacheSecret(runEnv);
  // No step, source or sandbox receives the variable: it only keys the cache.
  const env = withoutCacheSecret(runEnv);
  const projectDir = resolve(options.cwd ?? process.cwd());
  const executor = selectExecutor(pipeline, options, env, projectDir);
  const concurrency = checkConcurrency(options.concurrency);
  const keepRuns = readKeepRuns(env);
  const maxLogBytes = readMaxLogBytes(env);
  const runId = createRunId();

  const lock = options.waitForLock
    ? await waitForRunLock(projectDir, runId, { jobId: plan.jobId }, {
      signal: hooks.signal,
      onWait: hooks.onLockWait,
    })
    : await acquireRunLock(projectDir, runId, { jobId: plan.jobId });
  // What function steps write to the console is captured while the run lasts.
  const releaseConsole = captureConsole();
  try {
    return await runLocked({
      pipeline,
      plan,
      options,
      hooks,
      env,
      executor,
      concurrency,
      runId,
      lock,
      projectDir,
      maxLogBytes,
      ...(cacheSecret ? { cacheSecret } : {}),
    });
  } finally {
    releaseConsole();
    await lock.release();
    // Pruning is best effort: a failure must not hide the run's result, and the next run retries.
    await pruneRuns(projectDir, keepRuns, runId).catch(() => undefined);
  }
}

/**
 * Returns the run's event listener. Listeners run outside any task, so what
 * a presenter writes while a step logs is not taken for the step's output.
 */
function listener(run: LockedRun): RunEventListener {
  const target = run.hooks.onEvent ?? (run.options.echo ? processEcho() : undefined);
  if (target === undefined) return () => {};
  return (event: RunEvent) => outsideTasks(() => target(event));
}

function warn(record: ExecutionRecord, emit: RunEventListener, message: string): void {
  (record.warnings ??= []).push(message);
  emit({ type: "warning", message });
}

async function runLocked(run: LockedRun): Promise<ExecutionRecord> {
  const redactor = new Redactor();
  if (run.cacheSecret) redactor.add([run.cacheSecret.value]);
  const started: StartedRun = {
    record: initialRecord(run),
    store: new RunRecordStore(run.projectDir, run.runId, redactor),
    redactor,
    emit: listener(run),
    startedMs: Date.now(),
    live: new LiveTasks(),
    finished: false,
  };
  await started.store.create();
  if (run.lock.reclaimed) {
    const { pid, startedAt } = run.lock.reclaimed;
    // A lock that could not be read names no process (pid 0).
    const message = pid === 0
      ? `Took over a run lock that could not be read, which names no running process.`
      : `Took over the run lock left by pid ${pid} (started ${startedAt}), which is no longer running.`;
    warn(started.record, started.emit, message);
  }
  await started.store.write(started.record);

  const removeExitHook = closeRunOnExit({
    record: started.record,
    store: started.store,
    projectDir: run.projectDir,
    lock: run.lock.info,
    live: started.live,
    ...(run.hooks.onExitRecord ? { onRecord: run.hooks.onExitRecord } : {}),
  });
  const releaseUncaught = guardUncaught(
    (error, kind, target) =>
      warn(started.record, started.emit, redactor.redact(uncaughtWarning(error, kind, target))),
    currentTarget,
  );
  try {
    return await checkAndExecute(withCache(run, started), started);
  } catch (thrown) {
    // What the caller catches, and the CLI prints, is masked like the record.
    const error = redactError(redactor, thrown);
    if (!started.finished) {
      const code = (error as { code?: unknown })?.code;
      const failure = {
        code: typeof code === "string" ? code : "ASYNC_PIPELINE_INTERNAL",
        message: thrownMessage(error),
      };
      try {
        // Keep the record from staying "running" when the runner itself fails.
        if (started.record.status === "running") {
          await finalize(started.record, started.store, failure);
        } else {
          // The final record could not be written, so the run failed whatever its tasks did.
          started.record.status = "failed";
          started.record.error = failure;
        }
      } finally {
        // Also when the record file could not be written, so `--format json` prints the record.
        started.emit({
          type: "run-finished",
          record: started.redactor.redactRecord(started.record),
          recordPath: started.store.recordPath,
          durationMs: Date.now() - started.startedMs,
          thrown: true,
        });
      }
    }
    throw error;
  } finally {
    releaseUncaught();
    removeExitHook();
  }
}

/** Returns `run` with its task cache, whose run-wide warnings go to the record. */
function withCache(run: LockedRun, started: StartedRun): CachedRun {
  const { pipeline, projectDir, runId, hooks } = run;
  const cache = hooks.cache ?? hooks.createCache?.({
    pipeline,
    projectDir,
    runId,
    force: run.options.force === true,
    ...(run.cacheSecret ? { secretKey: run.cacheSecret.key } : {}),
    warn: (message) => warn(started.record, started.emit, started.redactor.redact(message)),
  });
  return cache === undefined ? run : { ...run, cache };
}

/**
 * Resolves the sources the plan needs and composes their tasks into the
 * run, then checks and executes it. Git checkouts are released at the end.
 */
async function checkAndExecute(run: CachedRun, started: StartedRun): Promise<ExecutionRecord> {
  const opened = await openRunSources(run.pipeline, run.plan, {
    projectDir: run.projectDir,
    env: run.env,
    runId: run.runId,
    signal: run.hooks.signal,
    replan: (pipeline) => planTarget(pipeline, run.options.id, run.hooks.target),
  });
  if (opened === undefined) return await checkAndRun(run, started, undefined);

  started.record.tasks = pendingResults(opened.plan);
  started.record.sources = opened.sources.records();
  try {
    const composed = { ...run, pipeline: opened.pipeline, plan: opened.plan };
    return await checkAndRun(composed, started, opened.sources);
  } finally {
    await opened.sources.release(run.runId, run.env);
  }
}

async function checkAndRun(
  run: CachedRun,
  started: StartedRun,
  sources: RunSources | undefined,
): Promise<ExecutionRecord> {
  const { record, store, redactor, emit } = started;
  const prepared = withCacheSecret(
    withSourceChecks(await prepareRun(run.plan, run.env, run.executor, redactor), sources),
    run.cacheSecret,
  );
  redactor.add(prepared.secretValues);
  for (const message of prepared.warnings) warn(record, emit, message);
  if (prepared.issues.length > 0) throw requirementsError(run.plan.jobId, prepared.issues);

  emit({
    type: "run-started",
    runId: run.runId,
    jobId: run.plan.jobId,
    pipelineName: run.pipeline.name,
    recordPath: store.recordPath,
    taskIds: run.plan.tasks.map((task) => task.id),
    concurrency: run.concurrency,
    executor: run.executor.name,
  });
  const state = createState(run, started, prepared, sources);
  await executeTasks(state, run.plan.tasks, run.concurrency, record);

  const interrupted = state.signal.aborted ? interruptError(state.signal.reason) : undefined;
  await run.cache?.close().catch((error) =>
    warn(
      record,
      emit,
      `Closing the task cache failed: ${error instanceof Error ? error.message : String(error)}`,
    )
  );
  await finalize(record, store, interrupted);
  const finished = redactor.redactRecord(record);
  started.finished = true;
  emit({
    type: "run-finished",
    record: finished,
    recordPath: store.recordPath,
    durationMs: Date.now() - started.startedMs,
  });
  return finished;
}
