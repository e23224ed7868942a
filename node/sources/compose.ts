/**
 * Composing source pipelines into the root graph: each source task becomes
 * `<source>:<task>`, and its `dependsOn` entries resolve within its source.
 * Pure: no I/O.
 *
 * @module
 */

import { didYouMean, ErrorCode, PipelineError, type PipelineIssue } from "../../core/errors.ts";
import type { DirectiveInfo, NormalizedTask, Pipeline } from "../../core/model.ts";
import { sourceOfReference } from "../../core/task_closure.ts";

function namespacedTask(id: string, source: Pipeline, task: NormalizedTask): NormalizedTask {
  const rename = (dep: string): string => {
    if (Object.hasOwn(source.tasks, dep)) return `${id}:${dep}`;
    const namespace = dep.split(":")[0];
    throw new PipelineError(
      ErrorCode.NOT_IMPLEMENTED,
      `Source "${id}": task "${task.id}" depends on "${dep}" from its own source "${namespace}", ` +
        "and sources of a source are not supported.",
      {
        path: `sources.${id}`,
        hint:
          `Declare "${namespace}" as a source of the root pipeline and depend on it from there.`,
      },
    );
  };
  const directives = task.directives.map((directive): DirectiveInfo =>
    directive.type === "dependsOn"
      ? Object.freeze({ type: "dependsOn", ids: Object.freeze(directive.ids.map(rename)) })
      : directive
  );
  return Object.freeze({
    ...task,
    id: `${id}:${task.id}`,
    dependsOn: Object.freeze(task.dependsOn.map(rename)),
    directives: Object.freeze(directives),
    source: id,
  });
}

/** Checks that every root reference into a composed source names one of its tasks. */
function checkReferences(
  root: Pipeline,
  sources: Readonly<Record<string, Pipeline>>,
  tasks: Readonly<Record<string, NormalizedTask>>,
): PipelineIssue[] {
  const issues: PipelineIssue[] = [];
  const check = (reference: string, path: string) => {
    const sourceId = sourceOfReference(root, reference);
    if (sourceId === undefined || !Object.hasOwn(sources, sourceId)) return;
    if (Object.hasOwn(tasks, reference)) return;
    const name = reference.slice(sourceId.length + 1);
    const known = Object.keys(sources[sourceId].tasks);
    issues.push({
      code: ErrorCode.UNKNOWN_TASK,
      path,
      message: `source "${sourceId}" has no task "${name}".`,
      hint: didYouMean(name, known) || `Its tasks: ${known.join(", ") || "none"}.`,
    });
  };
  for (const task of Object.values(root.tasks)) {
    for (const dep of task.dependsOn) check(dep, `tasks.${task.id}.dependsOn`);
  }
  for (const job of Object.values(root.jobs)) {
    for (const target of job.targets) check(target, `jobs.${job.id}.target`);
  }
  return issues;
}

/**
 * Returns `root` with the tasks of `sources` (loaded source pipelines by
 * source id) added as `<source>:<task>`, each with `source` set. Sources
 * left out of `sources` keep their references unresolved. Only the tasks of
 * a source pipeline are composed: its env, jobs, triggers and sync are not.
 *
 * @throws {PipelineError} `ASYNC_PIPELINE_UNKNOWN_TASK` when a root task or
 * job names a task its source does not have, and
 * `ASYNC_PIPELINE_NOT_IMPLEMENTED` when a source task depends on a source of
 * its own pipeline.
 */
export function composeSources(
  root: Pipeline,
  sources: Readonly<Record<string, Pipeline>>,
): Pipeline {
  const tasks: Record<string, NormalizedTask> = { ...root.tasks };
  for (const [id, source] of Object.entries(sources)) {
    for (const task of Object.values(source.tasks)) {
      tasks[`${id}:${task.id}`] = namespacedTask(id, source, task);
    }
  }
  const issues = checkReferences(root, sources, tasks);
  if (issues.length > 0) throw PipelineError.fromIssues(issues);
  return Object.freeze({ ...root, tasks: Object.freeze(tasks) });
}
