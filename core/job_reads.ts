/**
 * The secrets and variables that a job's tasks read on their own, outside
 * the job's `env`: `requires.secrets`, and `env.secret(...)` and
 * `env.var(...)` interpolated into `sh` steps and into the prepare steps of
 * the sources the job uses. A generated workflow must pass each of them to
 * the run step, or the run fails on a missing value.
 *
 * @module
 */

import type { Pipeline } from "./model.ts";
import type { ShellCommand } from "./sh.ts";
import { taskClosure } from "./task_closure.ts";

/** Names a job's tasks read from the environment, each sorted and listed once. */
export interface JobReads {
  /** Secret names: `requires.secrets` and interpolated `env.secret(...)`. */
  readonly secrets: readonly string[];
  /** Variable names of interpolated `env.var(...)`. */
  readonly vars: readonly string[];
}

/**
 * Lists what the tasks of job `jobId` read, over the job's targets and
 * their dependencies. Tasks of a source that the pipeline has not composed
 * yet are known only at run time, so only their source's prepare steps count.
 * Deferred `sh((ctx) => ...)` steps and function steps are not inspected.
 */
export function jobReads(pipeline: Pipeline, jobId: string): JobReads {
  const job = pipeline.jobs[jobId];
  const secrets = new Set<string>();
  const vars = new Set<string>();
  const addParts = (command: ShellCommand) => {
    for (const part of command.parts) {
      if (part.kind === "secret") secrets.add(part.ref.name);
      else if (part.kind === "var") vars.add(part.ref.name);
    }
  };

  const closure = taskClosure(pipeline, job.targets);
  const sources = new Set(closure.sourceIds);
  for (const task of closure.tasks) {
    if (task.source !== undefined) sources.add(task.source);
    for (const name of task.requires.secrets) secrets.add(name);
    for (const step of task.steps) if (step.kind === "shell") addParts(step.command);
  }
  for (const id of sources) {
    for (const step of pipeline.sources[id]?.prepare ?? []) {
      if (step.kind === "shell") addParts(step);
    }
  }
  return { secrets: [...secrets].sort(), vars: [...vars].sort() };
}
