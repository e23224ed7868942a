/** Planning a run: which tasks, in which order, with which env and executor. @module */

import type { EnvValue } from "../../core/env.ts";
import { didYouMean, ErrorCode, PipelineError } from "../../core/errors.ts";
import {
  undeclaredSourceHint,
  undeclaredSourceOf,
  unknownTaskHint,
} from "../../core/normalize_refs.ts";
import type { NormalizedJob, NormalizedTask, Pipeline } from "../../core/model.ts";
import { sourceOfReference, taskClosure } from "../../core/task_closure.ts";
import { shellQuote } from "../../core/sh.ts";
import { projectCommand } from "../cli_command.ts";
import { HostCommandExecutor } from "../executor/host.ts";
import { resolveSandbox } from "../sandbox/resolve.ts";
import type { CommandExecutor, ProcessEnv, RunOptions } from "../types.ts";

/** The job, tasks and env of a run. */
export interface RunPlan {
  /** Job id written to the record, `task:<id>` for a single-task run. */
  readonly jobId: string;
  /** The job, absent for a single-task run. */
  readonly job?: NormalizedJob;
  /** Tasks in an order where each comes after its dependencies. */
  readonly tasks: readonly NormalizedTask[];
  /** Declared env: the pipeline's, with the job's layered over it. */
  readonly env: Readonly<Record<string, EnvValue>>;
  /**
   * Path of the declared env in error messages, such as `env`, or the path
   * of each key: `env.<key>` for a pipeline entry, `jobs.<id>.env.<key>` for
   * one the job declares.
   */
  readonly envPath: string | ((key: string) => string);
  /**
   * Sources whose tasks the run needs but the pipeline does not contain yet.
   * Once they are composed into the pipeline, planning again adds their tasks.
   */
  readonly sourceIds: readonly string[];
}

/** Plans the run of job `jobId`. Throws `ASYNC_PIPELINE_UNKNOWN_JOB` for an unknown id. */
export function planJob(pipeline: Pipeline, jobId: string): RunPlan {
  const job = pipeline.jobs[jobId];
  if (job === undefined) {
    const known = Object.keys(pipeline.jobs);
    // A task id given to `run` is a common slip: name the command that runs it.
    const taskHint = jobId in pipeline.tasks
      ? `"${jobId}" is a task: run it with \`${projectCommand(`run-task ${shellQuote(jobId)}`)}\`.`
      : undefined;
    throw new PipelineError(ErrorCode.UNKNOWN_JOB, `Unknown job "${jobId}".`, {
      hint: taskHint ?? (didYouMean(jobId, known) ||
        (known.length > 0 ? `Jobs: ${known.join(", ")}.` : "The pipeline declares no jobs.")),
    });
  }
  return {
    jobId,
    job,
    ...taskClosure(pipeline, job.targets),
    env: job.env,
    // The job's env is the pipeline's with its own entries layered over it,
    // and an entry it did not declare is the pipeline's own value object.
    envPath: (key) =>
      pipeline.env[key] !== undefined && pipeline.env[key] === job.env[key]
        ? `env.${key}`
        : `jobs.${jobId}.env.${key}`,
  };
}

/**
 * Builds the error for a task id that is neither a root task nor a task of
 * a declared source: `ASYNC_PIPELINE_UNKNOWN_SOURCE` when `undeclaredSourceOf`
 * reads it as `<source>:<task>` with an undeclared source, else
 * `ASYNC_PIPELINE_UNKNOWN_TASK`.
 */
function unknownTask(pipeline: Pipeline, taskId: string): PipelineError {
  const known = Object.keys(pipeline.tasks);
  const sources = Object.keys(pipeline.sources);
  const namespace = undeclaredSourceOf(taskId, known, sources);
  if (namespace === undefined) {
    return new PipelineError(ErrorCode.UNKNOWN_TASK, `Unknown task "${taskId}".`, {
      hint: unknownTaskHint(taskId, known, `Tasks: ${known.join(", ")}.`),
    });
  }
  return new PipelineError(
    ErrorCode.UNKNOWN_SOURCE,
    `"${taskId}" names source "${namespace}", which is not declared.`,
    { hint: undeclaredSourceHint(namespace, sources, known) },
  );
}

/**
 * Plans the run of one task with its dependencies, using the pipeline env.
 * Throws `ASYNC_PIPELINE_UNKNOWN_TASK` for an unknown id, and
 * `ASYNC_PIPELINE_UNKNOWN_SOURCE` for `<source>:<task>` with an undeclared
 * source when no task id is a close match.
 */
export function planTask(pipeline: Pipeline, taskId: string): RunPlan {
  if (!(taskId in pipeline.tasks) && sourceOfReference(pipeline, taskId) === undefined) {
    throw unknownTask(pipeline, taskId);
  }
  return {
    jobId: `task:${taskId}`,
    ...taskClosure(pipeline, [taskId]),
    env: pipeline.env,
    envPath: "env",
  };
}

/**
 * Chooses the executor of a run: `options.executor`, else the sandbox's,
 * else the host's. A sandbox id must be declared in the pipeline, and a
 * sandbox's project directory defaults to `projectDir`.
 */
export function selectExecutor(
  pipeline: Pipeline,
  options: Pick<RunOptions, "executor" | "sandbox">,
  env: ProcessEnv,
  projectDir: string,
): CommandExecutor {
  if (options.executor !== undefined && options.sandbox !== undefined) {
    throw new PipelineError(
      ErrorCode.INVALID_FIELD,
      "executor and sandbox both choose where steps run; pass only one of them.",
      { path: "sandbox" },
    );
  }
  if (options.sandbox !== undefined) {
    return resolveSandbox(pipeline, options.sandbox, projectDir, env);
  }
  return options.executor ?? new HostCommandExecutor({ path: env.PATH, cwd: projectDir });
}
