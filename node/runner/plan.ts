/** Planning a run: which tasks, in which order, with which env and executor. @module */

import type { EnvValue } from "../../core/env.ts";
import { didYouMean, ErrorCode, PipelineError } from "../../core/errors.ts";
import { dependencyClosure, topologicalOrder } from "../../core/graph.ts";
import type { NormalizedJob, NormalizedTask, Pipeline } from "../../core/model.ts";
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
  /** Path of the declared env in error messages, such as `jobs.deploy.env`. */
  readonly envPath: string;
}

function closureOf(
  pipeline: Pipeline,
  targets: readonly string[],
  where: string,
): RunPlan["tasks"] {
  const local = (id: string) => Object.hasOwn(pipeline.tasks, id);
  const nodes = Object.fromEntries(
    Object.entries(pipeline.tasks).map(([id, task]) => [id, {
      id,
      dependsOn: task.dependsOn.filter(local),
    }]),
  );
  const ids = dependencyClosure(nodes, targets.filter(local));
  const sourceTasks = new Set([
    ...targets.filter((id) => !local(id)),
    ...ids.flatMap((id) => pipeline.tasks[id].dependsOn.filter((dep) => !local(dep))),
  ]);
  if (sourceTasks.size > 0) {
    // TODO: run source tasks once the runner prepares and composes sources.
    throw new PipelineError(
      ErrorCode.NOT_IMPLEMENTED,
      `${where} needs source tasks (${
        [...sourceTasks].join(", ")
      }), which this version cannot run.`,
      { hint: "Run a job whose tasks are all defined in this pipeline." },
    );
  }
  return topologicalOrder(nodes, ids).map((id) => pipeline.tasks[id]);
}

/** Plans the run of job `jobId`. Throws `ASYNC_PIPELINE_UNKNOWN_JOB` for an unknown id. */
export function planJob(pipeline: Pipeline, jobId: string): RunPlan {
  const job = pipeline.jobs[jobId];
  if (job === undefined) {
    const known = Object.keys(pipeline.jobs);
    throw new PipelineError(ErrorCode.UNKNOWN_JOB, `Unknown job "${jobId}".`, {
      hint: didYouMean(jobId, known) ||
        (known.length > 0 ? `Jobs: ${known.join(", ")}.` : "The pipeline declares no jobs."),
    });
  }
  return {
    jobId,
    job,
    tasks: closureOf(pipeline, job.targets, `Job "${jobId}"`),
    env: job.env,
    envPath: `jobs.${jobId}.env`,
  };
}

/**
 * Plans the run of one task with its dependencies, using the pipeline env.
 * Throws `ASYNC_PIPELINE_UNKNOWN_TASK` for an unknown id.
 */
export function planTask(pipeline: Pipeline, taskId: string): RunPlan {
  if (!(taskId in pipeline.tasks)) {
    const known = Object.keys(pipeline.tasks);
    throw new PipelineError(ErrorCode.UNKNOWN_TASK, `Unknown task "${taskId}".`, {
      hint: didYouMean(taskId, known) || `Tasks: ${known.join(", ")}.`,
    });
  }
  return {
    jobId: `task:${taskId}`,
    tasks: closureOf(pipeline, [taskId], `Task "${taskId}"`),
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
  return options.executor ?? new HostCommandExecutor({ path: env.PATH });
}
