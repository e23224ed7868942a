/** Reference checks of a normalized pipeline: task dependencies, job targets and triggers. @module */

import { didYouMean, ErrorCode, type PipelineIssue, suggest } from "./errors.ts";
import { fieldPath, type IssueCollector } from "./fields.ts";
import { cycleIssue, findCycles } from "./graph.ts";
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
 * Returns the source id that `reference` names when it should be reported as
 * an undeclared source (`ASYNC_PIPELINE_UNKNOWN_SOURCE`), else undefined.
 * A `<source>:<task>` reference with an undeclared source is an unknown task
 * instead in three cases: a task id is a close match, the part before the
 * colon is a task id, or the pipeline declares no sources. A mistyped task id
 * such as `api:biuld` is then the likelier intent.
 */
export function undeclaredSourceOf(
  reference: string,
  taskIds: readonly string[],
  sourceIds: readonly string[],
): string | undefined {
  const separator = reference.indexOf(":");
  if (separator <= 0) return undefined;
  const namespace = reference.slice(0, separator);
  if (sourceIds.includes(namespace) || taskIds.includes(namespace)) return undefined;
  if (sourceIds.length === 0 || suggest(reference, taskIds) !== undefined) return undefined;
  return namespace;
}

/**
 * Returns the hint for an unknown task id: a close task id, else `known` and,
 * for a `<source>:<task>` reference, how to declare its source.
 */
export function unknownTaskHint(
  reference: string,
  taskIds: readonly string[],
  known: string,
): string {
  const suggestion = didYouMean(reference, taskIds);
  if (suggestion) return suggestion;
  const separator = reference.indexOf(":");
  const namespace = reference.slice(0, separator);
  if (separator <= 0 || taskIds.includes(namespace)) return known;
  return `${known} To name a task of another pipeline, declare "${namespace}" under sources.`;
}

/**
 * Returns the issue for a `<source>:<task>` reference whose source is not
 * declared. `label` goes before the quoted reference in the message.
 */
function undeclaredSource(
  path: string,
  label: string,
  reference: string,
  namespace: string,
  tasks: Record<string, NormalizedTask>,
  sources: Readonly<Record<string, unknown>>,
): PipelineIssue {
  return {
    code: ErrorCode.UNKNOWN_SOURCE,
    path,
    message: `${label}"${reference}" names source "${namespace}", which is not declared.`,
    hint: undeclaredSourceHint(namespace, Object.keys(sources), Object.keys(tasks)),
  };
}

/** Returns the hint that lists the declared tasks, or states that there are none. */
function knownTasksHint(ids: readonly string[]): string {
  return ids.length > 0 ? `Known tasks: ${ids.join(", ")}.` : "The pipeline declares no tasks.";
}

/**
 * Adds an issue for each `dependsOn` entry that names no task, and for a
 * dependency cycle. Entries in `rejected`, tasks already reported as invalid,
 * get no issue.
 */
export function checkDependencies(
  issues: IssueCollector,
  tasks: Record<string, NormalizedTask>,
  sources: Readonly<Record<string, unknown>>,
  rejected: ReadonlySet<string> = new Set(),
): void {
  const ids = Object.keys(tasks);
  const sourceIds = Object.keys(sources);
  for (const task of Object.values(tasks)) {
    const path = `${fieldPath("tasks", task.id)}.dependsOn`;
    for (const dep of task.dependsOn) {
      if (dep in tasks || rejected.has(dep) || isSourceTask(dep, sources)) continue;
      const namespace = undeclaredSourceOf(dep, ids, sourceIds);
      if (namespace !== undefined) {
        issues.add(undeclaredSource(path, "", dep, namespace, tasks, sources));
        continue;
      }
      issues.add({
        code: ErrorCode.UNKNOWN_TASK,
        path,
        message: `unknown task "${dep}".`,
        hint: unknownTaskHint(dep, ids, knownTasksHint(ids)),
      });
    }
  }
  for (const cycle of findCycles(tasks)) issues.add(cycleIssue(cycle));
}

/**
 * Adds an issue for each job target that names no task and each trigger that
 * is not declared. Targets in `rejected`, tasks already reported as invalid,
 * get no issue.
 */
export function checkJobReferences(
  issues: IssueCollector,
  jobs: Record<string, NormalizedJob>,
  tasks: Record<string, NormalizedTask>,
  sources: Readonly<Record<string, unknown>>,
  triggers: Readonly<Record<string, unknown>>,
  rejected: ReadonlySet<string> = new Set(),
): void {
  const ids = Object.keys(tasks);
  const sourceIds = Object.keys(sources);
  for (const job of Object.values(jobs)) {
    const path = fieldPath("jobs", job.id);
    for (const target of job.targets) {
      if (target in tasks || rejected.has(target) || isSourceTask(target, sources)) continue;
      const namespace = undeclaredSourceOf(target, ids, sourceIds);
      if (namespace !== undefined) {
        issues.add(
          undeclaredSource(`${path}.target`, "target ", target, namespace, tasks, sources),
        );
        continue;
      }
      issues.add({
        code: ErrorCode.UNKNOWN_TASK,
        path: `${path}.target`,
        message: `target "${target}" is not a task.`,
        hint: unknownTaskHint(target, ids, knownTasksHint(ids)),
      });
    }
    for (const id of job.triggers) {
      if (id in triggers) continue;
      issues.add({
        code: ErrorCode.UNKNOWN_TRIGGER,
        path: `${path}.trigger`,
        message: `trigger "${id}" is not declared.`,
        hint: didYouMean(id, Object.keys(triggers)) || declareTriggerHint(id),
      });
    }
  }
}

/** Returns true when `reference` is `<source>:<task>` with a declared source. */
function isSourceTask(reference: string, sources: Readonly<Record<string, unknown>>): boolean {
  const separator = reference.indexOf(":");
  return separator > 0 && Object.hasOwn(sources, reference.slice(0, separator));
}

/** GitHub events a trigger id is likely named after, declared with `trigger.github`. */
const GITHUB_EVENTS = new Set([
  "push",
  "pull_request",
  "pull_request_target",
  "merge_group",
  "release",
]);

/** Returns the fix for an undeclared trigger id, in the form its name suggests. */
function declareTriggerHint(id: string): string {
  const key = /^[A-Za-z_$][\w$]*$/.test(id) ? id : JSON.stringify(id);
  const definition = GITHUB_EVENTS.has(id)
    ? `trigger.github({ events: [${JSON.stringify(id)}] })`
    : "trigger.manual()";
  return `Declare it under triggers, such as triggers: { ${key}: ${definition} }.`;
}
