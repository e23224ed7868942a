/**
 * Dry runs: what a run of a job would do, worked out without running it.
 * A dry run resolves the graph, the env and every task's cache key, and
 * predicts for each task whether the cache would restore it. It executes
 * no task command, writes no record, takes no lock and changes no cache
 * entry or index. Tasks of sources are predicted from the sources as they
 * are on disk: nothing is cloned, fetched, checked out or prepared.
 *
 * @module
 */

import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import process from "../process.ts";
import type { EnvValue } from "../../core/env.ts";
import type { Pipeline } from "../../core/model.ts";
import { createTaskCache } from "../cache/task_cache.ts";
import { pipelineFromModule } from "../load.ts";
import { activeRunLock } from "../lock.ts";
import { Redactor } from "../redact.ts";
import { readSourcesOnDisk, type SourcesOnDisk } from "../sources/on_disk.ts";
import { composeRunSources, RunSources, withSourceChecks } from "../sources/session.ts";
import type { CacheMissReason, ProcessEnv, RunOptions } from "../types.ts";
import { readCandidate } from "./candidate.ts";
import { planJob as resolveJob, planTask as resolveTask, selectExecutor } from "./plan.ts";
import { prepareRun, requirementsError } from "./prepare.ts";
import { type PredictionContext, predictTask } from "./predict.ts";
import { isCiEnv } from "./run_context.ts";
import { readCacheSecret, withCacheSecret, withoutCacheSecret } from "../cache/cache_secret.ts";
import type { PipelineInput } from "./run_job.ts";

/** Options of {@link planJob}: the options of `runJob` that shape what a run does. */
export interface PlanOptions
  extends Pick<RunOptions, "id" | "mode" | "force" | "cwd" | "env" | "executor" | "sandbox"> {
  /**
   * `task` plans the task `id` with its dependencies and the pipeline env,
   * as `async-pipeline run-task` does. Default `job`.
   */
  target?: "job" | "task";
}

/** One declared env key of a plan. */
export interface PlannedEnv {
  name: string;
  /** Source of the value: a literal in the pipeline, `env.var(...)` or `env.secret(...)`. */
  kind: "literal" | "var" | "secret";
  /** The resolved value, never present for a secret. Secret values inside it are masked. */
  value?: string;
}

/** Prediction of what a run would do with one task. */
export interface PlannedTask {
  id: string;
  /** Direct dependencies, which finish before the task starts. */
  dependsOn: string[];
  /** Source id for namespaced source tasks. */
  source?: string;
  /** Predicted: the task would be restored from the cache instead of running. */
  cacheHit: boolean;
  /**
   * False when an earlier task of the run may change what this prediction
   * depends on, so the run could differ; `note` gives the reason.
   */
  certain: boolean;
  /**
   * The cache key the run would use. Absent when the task is not cached, or
   * when the key is known only once the run is under way (see `note`).
   */
  cacheKey?: string;
  /** Predicted reason to run, in the shape of `TaskResult.cacheMiss`. */
  cacheMiss?: CacheMissReason;
  /** Reason the key or the prediction is not final. */
  note?: string;
  /** True when a dependency would fail first, so the task would not start. */
  skipped?: boolean;
  /** The error the task would fail with before its first command. */
  error?: { code: string; message: string };
  /** Warnings the run would record for the task. */
  warnings?: string[];
  /**
   * Output files a predicted hit would remove, relative to the task
   * directory: files the task's previous entry wrote that the hit's entry
   * does not have.
   */
  removes?: string[];
}

/** Plan of a job's run, as {@link planJob} returns it. */
export interface JobPlan {
  schemaVersion: 1;
  pipelineName: string;
  /** Job id, or `task:<id>` when planning a single task. */
  jobId: string;
  /** Project directory. */
  cwd: string;
  mode: "manual" | "ci";
  executor: string;
  /** True when `force` would ignore every cache entry. */
  force: boolean;
  /** The declared env keys of the job, in declaration order. */
  env: PlannedEnv[];
  /** Tasks in the order the run would start them, each after its dependencies. */
  tasks: PlannedTask[];
  /** The run holding the run lock now, whose work may change this plan. */
  activeRun?: { pid: number; runId: string; startedAt: string };
  warnings: string[];
}

function envKind(value: EnvValue): PlannedEnv["kind"] {
  if (typeof value === "string") return "literal";
  return value.kind === "secret" ? "secret" : "var";
}

/** Lists the declared env of a plan. Its values are masked with the rest of the plan. */
function plannedEnv(declared: Readonly<Record<string, EnvValue>>, env: ProcessEnv): PlannedEnv[] {
  return Object.entries(declared).map(([name, value]) => {
    const kind = envKind(value);
    if (kind === "secret") return { name, kind };
    return { name, kind, value: env[name] ?? "" };
  });
}

/**
 * Returns a copy of a plan with secrets masked in the text that can carry
 * task or user content, as a run's record is masked: env values, error
 * messages, notes, warnings and the input paths and reasons of cache misses.
 * Fields the planner writes itself (ids, dependencies, keys, kinds, paths of
 * the project) are left as they are, so a short secret value cannot corrupt
 * the plan's structure or its cache keys.
 */
function redactPlan(plan: JobPlan, redactor: Redactor): JobPlan {
  if (redactor.maxLength === 0) return plan;
  const text = (value: string) => redactor.redact(value);
  return {
    ...plan,
    env: plan.env.map((entry) =>
      entry.value === undefined ? entry : { ...entry, value: text(entry.value) }
    ),
    tasks: plan.tasks.map((task) => ({
      ...task,
      ...(task.cacheMiss ? { cacheMiss: redactor.redactCacheMiss(task.cacheMiss) } : {}),
      ...(task.note !== undefined ? { note: text(task.note) } : {}),
      ...(task.error ? { error: { ...task.error, message: text(task.error.message) } } : {}),
      ...(task.warnings ? { warnings: task.warnings.map(text) } : {}),
    })),
    warnings: plan.warnings.map(text),
  };
}

function memoize<T>(fn: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= fn());
}

/**
 * Works out what `runJob(pipeline, options)` would do, without running
 * anything: the tasks in execution order with their dependencies, and for
 * each whether it would be a cache hit, its key and, for a predicted miss,
 * the reason. No task command runs, no record is written, no lock is taken
 * and no cache entry or index changes. A run that holds the lock does not
 * stop a dry run: it is reported in `activeRun`.
 *
 * Deferred `sh((ctx) => ...)` callbacks are called to render their command,
 * as the run would call them, and tasks with function steps read the same
 * git facts a run reads. The prediction assumes every task passes.
 *
 * Tasks of composed sources are predicted from what is on disk: a path
 * source's directory, and the checkout an earlier run left for a git
 * source. Their pipelines are loaded from there, and their keys cover the
 * source as a run's keys do. Nothing is cloned or fetched, no checkout
 * moves or changes its in-use marking, and no prepare step runs. A run may
 * first fetch a source's ref (any ref but a full commit SHA), move its
 * checkout to another pinned commit, discard what an earlier run left in
 * the checkout, or run its prepare steps. The source's tasks then get
 * `certain: false` with a `note`, and no key, as for any key known only
 * during the run.
 *
 * @throws {PipelineError} for what would stop the run before its first
 * task: an unknown job or task, a missing secret or variable, a missing
 * tool, or an unsupported sandbox. The error is the one the run would throw.
 * A source the plan needs that is not on disk (a git source whose checkout
 * does not exist yet, a missing path directory) fails with
 * `ASYNC_PIPELINE_SOURCE_FAILED` naming the source. A checkout with local
 * changes that no run left fails with it too, as in a run.
 * @example
 * ```ts
 * import { planJob } from "@async/pipeline/node";
 * import pipeline from "./pipeline.ts";
 *
 * const plan = await planJob(pipeline, { id: "verify" });
 * for (const task of plan.tasks) console.log(task.id, task.cacheHit ? "hit" : "miss");
 * ```
 */
export async function planJob(input: PipelineInput, options: PlanOptions): Promise<JobPlan> {
  const pipeline = pipelineFromModule(input, "The pipeline passed to planJob");
  const replan = (composed: Pipeline) =>
    options.target === "task"
      ? resolveTask(composed, options.id)
      : resolveJob(composed, options.id);
  let plan = replan(pipeline);
  const runEnv = options.env ?? process.env;
  const cacheSecret = readCacheSecret(runEnv);
  const env = withoutCacheSecret(runEnv);
  const projectDir = resolve(options.cwd ?? process.cwd());
  const executor = selectExecutor(pipeline, options, env, projectDir);
  const force = options.force === true;

  let sources: SourcesOnDisk | undefined;
  let runSources: RunSources | undefined;
  if (plan.sourceIds.length > 0) {
    sources = await readSourcesOnDisk(pipeline, plan.sourceIds, { projectDir, env });
    plan = composeRunSources(pipeline, plan.jobId, sources.resolved, replan).plan;
    runSources = new RunSources(sources.resolved);
  }

  const redactor = new Redactor();
  if (cacheSecret) redactor.add([cacheSecret.value]);
  const prepared = withCacheSecret(
    withSourceChecks(await prepareRun(plan, env, executor, redactor), runSources),
    cacheSecret,
  );
  if (prepared.issues.length > 0) throw requirementsError(plan.jobId, prepared.issues);
  redactor.add(prepared.secretValues);
  const holder = await activeRunLock(projectDir);

  const context: PredictionContext = {
    state: {
      projectDir,
      env: prepared.env,
      envKeys: prepared.envKeys,
      secretValues: [...prepared.secretValues],
      fingerprints: new Map(),
      force,
      executor,
      renderedShells: prepared.renderedShells,
      redactor,
      ...(runSources ? { sources: runSources } : {}),
    },
    cache: createTaskCache({
      pipeline,
      rootDir: projectDir,
      runId: `dry-run-${randomUUID()}`,
      force,
      readOnly: true,
      ...(cacheSecret ? { secretKey: cacheSecret.key } : {}),
    }),
    candidate: memoize(() => readCandidate(projectDir, env)),
    predicted: new Map(),
    ...(sources ? { unsettledSources: sources.unsettled } : {}),
  };
  const tasks = [];
  for (const task of plan.tasks) tasks.push(await predictTask(context, task));

  const result: JobPlan = {
    schemaVersion: 1,
    pipelineName: pipeline.name,
    jobId: plan.jobId,
    cwd: projectDir,
    mode: options.mode ?? plan.job?.mode ?? (isCiEnv(env) ? "ci" : "manual"),
    executor: executor.name,
    force,
    env: plannedEnv(plan.env, prepared.env),
    tasks,
    ...(holder
      ? { activeRun: { pid: holder.pid, runId: holder.runId, startedAt: holder.startedAt } }
      : {}),
    warnings: [...prepared.warnings],
  };
  return redactPlan(result, redactor);
}
