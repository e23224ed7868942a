/** Reference checks of a normalized pipeline: task dependencies, job targets and triggers. @module */

import { didYouMean, ErrorCode, type PipelineIssue } from "./errors.ts";
import type { IssueCollector } from "./fields.ts";
import { cycleIssue, findCycle } from "./graph.ts";
import type { NormalizedJob, NormalizedTask } from "./model.ts";

/**
 * Returns the hint for an undeclared source `namespace`: a close declared
 * name, the declared sources, and how to fix the reference.
 */
export function undeclaredSourceHint(
  namespace: string,
  sources: readonly string[],
  tasks: readonly string[],
): string {
  return [
    didYouMean(namespace, sources),
    sources.length > 0
      ? `Declared sources: ${sources.join(", ")}.`
      : "The pipeline declares no sources.",
    `Declare "${namespace}" under sources, or use a root task (${tasks.slice(0, 5).join(", ")}).`,
  ].filter(Boolean).join(" ");
}

/**
 * Returns the issue for a `<source>:<task>` reference whose source is not
 * declared. `label` goes before the quoted reference in the message.
 */
function undeclaredSource(
  path: string,
  label: string,
  reference: string,
  tasks: Record<string, NormalizedTask>,
  sources: Readonly<Record<string, unknown>>,
): PipelineIssue {
  const namespace = reference.split(":")[0];
  return {
    code: ErrorCode.UNKNOWN_SOURCE,
    path,
    message: `${label}"${reference}" names source "${namespace}", which is not declared.`,
    hint: undeclaredSourceHint(namespace, Object.keys(sources), Object.keys(tasks)),
  };
}

/** Adds an issue for each `dependsOn` entry that names no task, and for a dependency cycle. */
export function checkDependencies(
  issues: IssueCollector,
  tasks: Record<string, NormalizedTask>,
  sources: Readonly<Record<string, unknown>>,
): void {
  const ids = Object.keys(tasks);
  for (const task of Object.values(tasks)) {
    for (const dep of task.dependsOn) {
      if (dep in tasks) continue;
      const [namespace, ...rest] = dep.split(":");
      if (rest.length > 0 && namespace in sources) continue;
      if (rest.length > 0 && !(namespace in tasks)) {
        issues.add(undeclaredSource(`tasks.${task.id}.dependsOn`, "", dep, tasks, sources));
        continue;
      }
      issues.add({
        code: ErrorCode.UNKNOWN_TASK,
        path: `tasks.${task.id}.dependsOn`,
        message: `unknown task "${dep}".`,
        hint: didYouMean(dep, ids) || `Known tasks: ${ids.join(", ")}.`,
      });
    }
  }
  const cycle = findCycle(tasks);
  if (cycle) issues.add(cycleIssue(cycle));
}

/** Adds an issue for each job target that names no task and each trigger that is not declared. */
export function checkJobReferences(
  issues: IssueCollector,
  jobs: Record<string, NormalizedJob>,
  tasks: Record<string, NormalizedTask>,
  sources: Readonly<Record<string, unknown>>,
  triggers: Readonly<Record<string, unknown>>,
): void {
  for (const job of Object.values(jobs)) {
    for (const target of job.targets) {
      if (target in tasks) continue;
      const [namespace, ...rest] = target.split(":");
      if (rest.length > 0 && namespace in sources) continue;
      if (rest.length > 0 && !(namespace in tasks)) {
        issues.add(undeclaredSource(`jobs.${job.id}.target`, "target ", target, tasks, sources));
        continue;
      }
      issues.add({
        code: ErrorCode.UNKNOWN_TASK,
        path: `jobs.${job.id}.target`,
        message: `target "${target}" is not a task.`,
        hint: didYouMean(target, Object.keys(tasks)) ||
          `Known tasks: ${Object.keys(tasks).join(", ")}.`,
      });
    }
    for (const id of job.triggers) {
      if (id in triggers) continue;
      issues.add({
        code: ErrorCode.UNKNOWN_TRIGGER,
        path: `jobs.${job.id}.trigger`,
        message: `trigger "${id}" is not declared.`,
        hint: didYouMean(id, Object.keys(triggers)) ||
          `Declare it under triggers, such as triggers: { ${id}: trigger.manual() }.`,
      });
    }
  }
}
