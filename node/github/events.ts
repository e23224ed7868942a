/**
 * From triggers to GitHub events: the clauses that start each job, the
 * workflow's `on:` block (the union of every job's clauses) and the `if:`
 * condition that lets each job run only for its own triggers.
 *
 * @module
 */

import { ErrorCode, type PipelineIssue } from "../../core/errors.ts";
import { parseBranchPattern } from "../../core/github_glob.ts";
import type { NormalizedJob, Pipeline } from "../../core/model.ts";
import { allOf, anyOf, literal } from "./expressions.ts";

/** Events in the order the workflow's `on:` block lists them. */
export const EVENT_ORDER = [
  "push",
  "pull_request",
  "pull_request_target",
  "merge_group",
  "release",
  "schedule",
  "workflow_dispatch",
] as const;

/** An event the generated workflow can listen to. */
export type WorkflowEvent = (typeof EVENT_ORDER)[number];

/** Events filtered by branch, and the expression that contains the branch. */
const BRANCH_SUBJECTS: Partial<Record<WorkflowEvent, { subject: string; prefix: string }>> = {
  push: { subject: "github.ref", prefix: "refs/heads/" },
  pull_request: { subject: "github.base_ref", prefix: "" },
  pull_request_target: { subject: "github.base_ref", prefix: "" },
};

/** One way a job starts: an event, narrowed by branches or a cron string. */
export interface JobClause {
  /** The trigger id the clause comes from. */
  readonly trigger: string;
  readonly event: WorkflowEvent;
  /** Branch filter patterns; absent means every branch. */
  readonly branches?: readonly string[];
  /** The normalized cron string of a `schedule` clause. */
  readonly cron?: string;
}

/** Lists the clauses of a job's triggers, in trigger order. */
export function jobClauses(pipeline: Pipeline, job: NormalizedJob): JobClause[] {
  const clauses: JobClause[] = [];
  for (const id of job.triggers) {
    const trigger = pipeline.triggers[id];
    if (trigger.kind === "manual") clauses.push({ trigger: id, event: "workflow_dispatch" });
    else if (trigger.kind === "cron") {
      clauses.push({ trigger: id, event: "schedule", cron: trigger.cron });
    } else {
      for (const event of trigger.events) {
        clauses.push({
          trigger: id,
          event,
          ...(trigger.branches ? { branches: trigger.branches } : {}),
        });
      }
    }
  }
  return clauses;
}

/** The workflow-level filter of one event. */
export interface EventFilter {
  /** Branch filter; absent means every branch. */
  readonly branches?: readonly string[];
  /** Cron strings of a `schedule` event. */
  readonly crons?: readonly string[];
}

/**
 * Builds the union of the clauses as workflow events. A branch event keeps a
 * filter only when it admits every branch some clause admits: the shared
 * list, or the concatenation of lists without `!` patterns (a `!` pattern
 * would exclude branches another list includes).
 */
export function workflowEvents(clauses: readonly JobClause[]): Map<WorkflowEvent, EventFilter> {
  const events = new Map<WorkflowEvent, EventFilter>();
  for (const event of EVENT_ORDER) {
    const matching = clauses.filter((clause) => clause.event === event);
    if (matching.length === 0) continue;
    if (event === "schedule") {
      events.set(event, { crons: unique(matching.map((clause) => clause.cron as string)) });
    } else if (event in BRANCH_SUBJECTS) {
      const branches = unionOfBranches(matching);
      events.set(event, branches ? { branches } : {});
    } else events.set(event, {});
  }
  return events;
}

function unionOfBranches(clauses: readonly JobClause[]): readonly string[] | undefined {
  if (clauses.some((clause) => clause.branches === undefined)) return undefined;
  const lists = clauses.map((clause) => clause.branches as readonly string[]);
  if (lists.every((list) => sameList(list, lists[0]))) return lists[0];
  if (lists.some((list) => list.some((pattern) => pattern.startsWith("!")))) return undefined;
  return unique(lists.flat());
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

/**
 * Builds a job's `if:` condition: the job runs for the events of its own
 * clauses, narrowed by branch or cron where the workflow-level filter admits
 * more than the job's triggers. Returns undefined when the job runs for
 * every event of the workflow. Patterns an expression cannot match exactly
 * are reported in `issues`.
 */
export function jobCondition(
  job: NormalizedJob,
  clauses: readonly JobClause[],
  events: ReadonlyMap<WorkflowEvent, EventFilter>,
  issues: PipelineIssue[],
): string | undefined {
  const conditions: string[] = [];
  let narrowed = false;
  for (const event of EVENT_ORDER) {
    const own = clauses.filter((clause) => clause.event === event);
    if (own.length === 0) continue;
    const filter = events.get(event) as EventFilter;
    const check = event === "schedule"
      ? scheduleCheck(own, filter)
      : branchCheck(job, event, own, filter, issues);
    const name = `github.event_name == ${literal(event)}`;
    conditions.push(check ? allOf(name, check) : name);
    if (check) narrowed = true;
  }
  const coversEveryEvent = [...events.keys()].every((event) =>
    clauses.some((clause) => clause.event === event)
  );
  return coversEveryEvent && !narrowed ? undefined : anyOf(conditions);
}

function scheduleCheck(own: readonly JobClause[], filter: EventFilter): string | undefined {
  const crons = unique(own.map((clause) => clause.cron as string));
  if ((filter.crons ?? []).every((cron) => crons.includes(cron))) return undefined;
  return anyOf(crons.map((cron) => `github.event.schedule == ${literal(cron)}`));
}

function branchCheck(
  job: NormalizedJob,
  event: WorkflowEvent,
  own: readonly JobClause[],
  filter: EventFilter,
  issues: PipelineIssue[],
): string | undefined {
  if (!(event in BRANCH_SUBJECTS)) return undefined;
  if (own.some((clause) => clause.branches === undefined)) return undefined;
  const lists = own.map((clause) => clause.branches as readonly string[]);
  if (filter.branches && lists.some((list) => sameList(list, filter.branches!))) return undefined;
  const positive = lists.every((list) => list.every((pattern) => !pattern.startsWith("!")));
  if (filter.branches && positive && filter.branches.every((p) => lists.flat().includes(p))) {
    return undefined;
  }

  const parts: string[] = [];
  for (const clause of own) {
    const condition = listCondition(event, clause.branches as readonly string[]);
    if (typeof condition === "string") parts.push(condition);
    else {
      issues.push({
        code: ErrorCode.NOT_IMPLEMENTED,
        path: `jobs.${job.id}.trigger`,
        message: `branch pattern ${
          JSON.stringify(condition.pattern)
        } of trigger "${clause.trigger}" cannot be written as a job condition, which this job needs because other triggers filter ${event} by different branches.`,
        hint:
          `Give every ${event} trigger the same branches, or use exact names and patterns ending in "**" (such as "release/**").`,
      });
      return undefined;
    }
  }
  return anyOf(unique(parts));
}

/**
 * Writes a branch filter list as an expression, applying GitHub's rule that
 * the last matching pattern decides. Returns the first pattern that has no
 * exact expression (only names and a trailing `**` do).
 */
function listCondition(
  event: WorkflowEvent,
  patterns: readonly string[],
): string | { pattern: string } {
  let condition: string | undefined;
  for (const source of patterns) {
    const parsed = parseBranchPattern(source);
    const body = parsed.negated ? source.slice(1) : source;
    const match = patternCondition(event, body);
    if (match === undefined) return { pattern: source };
    if (!parsed.negated) {
      condition = condition === undefined ? match.is : anyOf([condition, match.is]);
    } else if (condition !== undefined) condition = allOf(condition, match.not);
  }
  return condition ?? "false";
}

function patternCondition(
  event: WorkflowEvent,
  body: string,
): { is: string; not: string } | undefined {
  const { subject, prefix } = BRANCH_SUBJECTS[event]!;
  const literalName = parseBranchPattern(body).literal;
  if (literalName !== undefined) {
    const value = literal(prefix + literalName);
    return { is: `${subject} == ${value}`, not: `${subject} != ${value}` };
  }
  const head = body.slice(0, -2);
  if (body.endsWith("**") && /^[^*?+[\]\\]*$/.test(head)) {
    const call = `startsWith(${subject}, ${literal(prefix + head)})`;
    return { is: call, not: `!${call}` };
  }
  return undefined;
}
