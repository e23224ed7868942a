/**
 * The parts of a run that `runJob` builds before its tasks start: the locked
 * run, its record with every task pending, and the state the scheduler and
 * each task share.
 *
 * @module
 */

import process from "../process.ts";
import type { Pipeline } from "../../core/model.ts";
import type { TaskCacheHooks } from "../cache_seam.ts";
import type { CacheSecret } from "../cache/cache_secret.ts";
import { createGovernedCommandRunner } from "../commands/runner.ts";
import type { RunLock } from "../lock.ts";
import type { RunRecordStore } from "../records.ts";
import type { Redactor } from "../redact.ts";
import type { RunSources } from "../sources/session.ts";
import type {
  CommandExecutor,
  ExecutionRecord,
  ProcessEnv,
  RunOptions,
  TaskResult,
} from "../types.ts";
import { SCHEMA_VERSION } from "../types.ts";
import { readCandidate } from "./candidate.ts";
import type { RunEventListener } from "./events.ts";
import type { LiveTasks } from "./live_tasks.ts";
import type { RunPlan } from "./plan.ts";
import type { PreparedRun } from "./prepare.ts";
import type { RunHooks } from "./run_hooks.ts";
import type { RunState } from "./state.ts";

/** Returns true when `CI` is set to anything but an empty string, `false` or `0`. */
export function isCiEnv(env: ProcessEnv): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== "" && value !== "false" && value !== "0";
}

/** A run that holds the project's run lock, with its plan, executor and settings. */
export interface LockedRun {
  readonly pipeline: Pipeline;
  readonly plan: RunPlan;
  readonly options: RunOptions;
  readonly hooks: RunHooks;
  readonly env: ProcessEnv;
  readonly executor: CommandExecutor;
  readonly concurrency: number;
  readonly runId: string;
  readonly lock: RunLock;
  readonly projectDir: string;
  readonly maxLogBytes: number;
  /** The secret-digest key that `ASYNC_PIPELINE_CACHE_SECRET` sets, which `env` no longer has. */
  readonly cacheSecret?: CacheSecret;
}

/** A locked run with its task cache, once its record exists. */
export interface CachedRun extends LockedRun {
  readonly cache?: TaskCacheHooks;
}

/** A run whose record exists: everything written from here on goes through `redactor`. */
export interface StartedRun {
  readonly record: ExecutionRecord;
  readonly store: RunRecordStore;
  readonly redactor: Redactor;
  readonly emit: RunEventListener;
  readonly startedMs: number;
  readonly live: LiveTasks;
  /** True once the `run-finished` event went out. */
  finished: boolean;
}

export function initialRecord(run: LockedRun): ExecutionRecord {
  const mode = run.options.mode ?? run.plan.job?.mode ?? (isCiEnv(run.env) ? "ci" : "manual");
  return {
    schemaVersion: SCHEMA_VERSION,
    id: run.runId,
    pipelineName: run.pipeline.name,
    jobId: run.plan.jobId,
    cwd: run.projectDir,
    pid: process.pid,
    startedAt: run.lock.info.startedAt,
    status: "running",
    mode,
    executor: run.executor.name,
    tasks: pendingResults(run.plan),
  };
}

export function pendingResults(plan: RunPlan): TaskResult[] {
  return plan.tasks.map((task): TaskResult => ({
    id: task.id,
    status: "pending",
    attempts: 0,
    attemptLog: [],
    cacheHit: false,
    meta: {},
    ...(task.source !== undefined ? { source: task.source } : {}),
  }));
}

export function createState(
  run: CachedRun,
  started: StartedRun,
  prepared: PreparedRun,
  sources: RunSources | undefined,
): RunState {
  const policy = run.options.commands ?? run.pipeline.commands;
  return {
    runId: run.runId,
    projectDir: run.projectDir,
    pipeline: run.pipeline,
    executor: run.executor,
    redactor: started.redactor,
    store: started.store,
    env: prepared.env,
    envKeys: prepared.envKeys,
    declaredEnv: prepared.declaredEnv,
    secretValues: [...prepared.secretValues],
    maxLogBytes: run.maxLogBytes,
    emit: started.emit,
    signal: run.hooks.signal ?? new AbortController().signal,
    failed: new AbortController(),
    cache: run.cache,
    force: run.options.force === true,
    echo: run.options.echo === true,
    candidate: memoize(() => readCandidate(run.projectDir, run.env)),
    commandRunner: run.hooks.commandRunner ?? createGovernedCommandRunner({
      policy,
      onRecord: (entry) => (started.record.commands ??= []).push(entry),
    }),
    commandPolicy: policy,
    renderedShells: prepared.renderedShells,
    fingerprints: new Map(),
    live: started.live,
    ...(sources ? { sources } : {}),
  };
}

function memoize<T>(fn: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= fn());
}
