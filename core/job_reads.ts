/**
 * The secrets and variables that a job's tasks read on their own, outside
 * the job's `env`: `requires.secrets`, and `env.secret(...)` and
 * `env.var(...)` interpolated into `sh` steps and into the prepare steps of
 * the sources the job uses. A generated workflow must pass each of them to
 * the run step, or the run fails on a missing value.
 *
 * @module
 */

import { fieldPath } from "./fields.ts";
import type { Pipeline } from "./model.ts";
import type { ShellCommand } from "./sh.ts";
import { taskClosure } from "./task_closure.ts";

/** One place where a job's tasks read a secret or a variable by name. */
export interface ReadSite {
  readonly kind: "secret" | "var";
  readonly name: string;
  /** Field path of the reader: `tasks.deploy.requires.secrets`, `tasks.deploy`, `sources.lib.prepare`. */
  readonly path: string;
  /** The place in words: `requires.secrets of task "test"`, `env.var("REGION") in task "deploy"`. */
  readonly place: string;
}

/** Names a job's tasks read from the environment, each sorted and listed once. */
export interface JobReads {
  /** Secret names: `requires.secrets` and interpolated `env.secret(...)`. */
  readonly secrets: readonly string[];
  /** Variable names of interpolated `env.var(...)`. */
  readonly vars: readonly string[];
  /** Each place that reads a name, in dependency order, each kind, name and place once. */
  readonly sites: readonly ReadSite[];
}

/**
 * Lists what the tasks of job `jobId` read, over the job's targets and
 * their dependencies. Tasks of a source that the pipeline has not composed
 * yet are known only at run time, so only their source's prepare steps count.
 * Deferred `sh((ctx) => ...)` steps and function steps are not inspected.
 */
export function jobReads(pipeline: Pipeline, jobId: string): JobReads {
  const job = pipeline.jobs[jobId];
  const sites = new Map<string, ReadSite>();
  const add = (site: ReadSite) => {
    const key = `${site.kind} ${site.name} ${site.place}`;
    if (!sites.has(key)) sites.set(key, site);
  };
  const addParts = (command: ShellCommand, path: string, where: string) => {
    for (const part of command.parts) {
      if (part.kind !== "secret" && part.kind !== "var") continue;
      const { name } = part.ref;
      add({ kind: part.kind, name, path, place: `${refText(part.kind, name)} in ${where}` });
    }
  };

  const closure = taskClosure(pipeline, job.targets);
  const sources = new Set(closure.sourceIds);
  for (const task of closure.tasks) {
    if (task.source !== undefined) sources.add(task.source);
    const path = fieldPath("tasks", task.id);
    const where = `task ${JSON.stringify(task.id)}`;
    for (const name of task.requires.secrets) {
      add({
        kind: "secret",
        name,
        path: `${path}.requires.secrets`,
        place: `requires.secrets of ${where}`,
      });
    }
    for (const step of task.steps) if (step.kind === "shell") addParts(step.command, path, where);
  }
  for (const id of sources) {
    const path = `${fieldPath("sources", id)}.prepare`;
    const where = `a prepare step of source ${JSON.stringify(id)}`;
    for (const step of pipeline.sources[id]?.prepare ?? []) {
      if (step.kind === "shell") addParts(step, path, where);
    }
  }
  const names = (kind: ReadSite["kind"]) =>
    [...new Set([...sites.values()].filter((site) => site.kind === kind).map(({ name }) => name))]
      .sort();
  return { secrets: names("secret"), vars: names("var"), sites: [...sites.values()] };
}

/** Returns the builder call that reads `name`: `env.secret("NAME")` or `env.var("NAME")`. */
export function refText(kind: ReadSite["kind"], name: string): string {
  return `${kind === "secret" ? "env.secret" : "env.var"}(${JSON.stringify(name)})`;
}
