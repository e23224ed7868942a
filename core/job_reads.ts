/**
 * The secrets and variables that a job's tasks read on their own, outside
 * the job's `env`: `requires.secrets`, and `env.secret(...)` and
 * `env.var(...)` interpolated into `sh` steps and into the prepare steps of
 * the sources the job uses. A generated workflow must pass each of them to
 * the run step, or the run fails on a missing value.
 *
 * @module
 */

import { dependencyClosure } from "./graph.ts";
import type { Pipeline } from "./model.ts";
import type { ShellCommand } from "./sh.ts";

/** Names a job's tasks read from the environment, each sorted and listed once. */
export interface JobReads {
  /** Secret names: `requires.secrets` and interpolated `env.secret(...)`. */
  readonly secrets: readonly string[];
  /** Variable names of interpolated `env.var(...)`. */
  readonly vars: readonly string[];
}

/** Returns the source id of a `<source>:<task>` reference, when the pipeline declares that source. */
function sourceOf(pipeline: Pipeline, id: string): string | undefined {
  const separator = id.indexOf(":");
  if (separator <= 0) return undefined;
  const namespace = id.slice(0, separator);
  return Object.hasOwn(pipeline.sources, namespace) ? namespace : undefined;
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

  const local = (id: string) => Object.hasOwn(pipeline.tasks, id);
  const nodes = Object.fromEntries(
    Object.entries(pipeline.tasks).map(([id, task]) => [id, {
      id,
      dependsOn: task.dependsOn.filter(local),
    }]),
  );
  const ids = dependencyClosure(nodes, job.targets.filter(local));
  const sources = new Set<string>();
  for (const reference of [...job.targets, ...ids.flatMap((id) => pipeline.tasks[id].dependsOn)]) {
    if (local(reference)) continue;
    const source = sourceOf(pipeline, reference);
    if (source !== undefined) sources.add(source);
  }
  for (const id of ids) {
    const task = pipeline.tasks[id];
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
