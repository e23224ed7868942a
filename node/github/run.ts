/** Running the jobs a GitHub event selected, one after another. @module */

import type { Pipeline } from "../../core/model.ts";
import type { ExecutionRecord, ProcessEnv, RunOptions } from "../types.ts";

/** Runs one job; `runJob` from the node layer has this shape. */
export type JobRunner = (pipeline: Pipeline, options: RunOptions) => Promise<ExecutionRecord>;

/** Options of {@link runGithubJobs}. */
export interface GithubJobsOptions {
  readonly runJob: JobRunner;
  /** Project directory. */
  readonly cwd: string;
  readonly env: ProcessEnv;
  /** Maximum tasks running at once within a job. */
  readonly concurrency?: number;
  /** Aborted on an interrupt: no further job starts. */
  readonly signal?: AbortSignal;
  /** Called before each job starts. */
  readonly onJobStart?: (job: string) => void;
  /** Called after each job, with its outcome. */
  readonly onJobEnd?: (result: GithubJobResult) => void;
}

/** The outcome of one job. */
export interface GithubJobResult {
  readonly job: string;
  readonly status: "passed" | "failed";
  /** The execution record, when the runner returned one. */
  readonly record?: ExecutionRecord;
  /** The error the runner threw, when it threw. */
  readonly error?: unknown;
}

/**
 * Runs each job in turn, because runs in one project share a run lock. A
 * failed job does not stop the jobs after it, and an interrupt does: once
 * `signal` aborted no further job starts, so the result lists only the
 * jobs that started.
 */
export async function runGithubJobs(
  pipeline: Pipeline,
  jobs: readonly string[],
  options: GithubJobsOptions,
): Promise<GithubJobResult[]> {
  const results: GithubJobResult[] = [];
  for (const job of jobs) {
    if (options.signal?.aborted) break;
    options.onJobStart?.(job);
    let result: GithubJobResult;
    try {
      const record = await options.runJob(pipeline, {
        id: job,
        cwd: options.cwd,
        env: options.env,
        ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      });
      result = { job, status: record.status === "passed" ? "passed" : "failed", record };
    } catch (error) {
      result = { job, status: "failed", error };
    }
    results.push(result);
    options.onJobEnd?.(result);
  }
  return results;
}
