/**
 * From triggers to GitHub events: the clauses that start each job, the
 * workflow's `on:` block (the union of every job's clauses, per event and,
 * for branch events, per branches and tags) and the `if:` condition that
 * lets each job run only for its own triggers.
 *
 * @module
 */

import { ErrorCode, type PipelineIssue } from "../../core/errors.ts";
import { parseBranchPattern, type RefKind } from "../../core/github_glob.ts";
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

/** The expression that contains a pushed tag, and the prefix of its value. */
const TAG_SUBJECT = { subject: "github.ref", prefix: "refs/tags/" };

/** One way a job starts: an event, narrowed by branches, tags or a cron string. */
export interface JobClause {
  /** The trigger id the clause comes from. */
  readonly trigger: string;
  readonly event: WorkflowEvent;
  /**
   * Branch filter patterns; absent means every branch, or no branch when
   * `tags` is present.
   */
  readonly branches?: readonly string[];
  /**
   * Tag filter patterns of a `push` clause; absent means every tag when
   * `branches` is absent too, and no tag otherwise.
   */
  readonly tags?: readonly string[];
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
          ...(trigger.tags ? { tags: trigger.tags } : {}),
        });
      }
    }
  }
  return clauses;
}

/** The refs of one kind that a clause or filter admits: all, none, or those a filter list matches. */
export type RefSet = "all" | "none" | readonly string[];

/** Returns the ref kinds that filter an event: branches, and for `push` tags too. */
function kindsOf(event: WorkflowEvent): RefKind[] {
  return event === "push" ? ["branch", "tag"] : ["branch"];
}

/** Returns the refs of one kind that a clause admits, with GitHub's rules for `on.push`. */
function clauseRefs(clause: JobClause, kind: RefKind): RefSet {
  if (clause.event !== "push") return clause.branches ?? "all";
  if (clause.branches === undefined && clause.tags === undefined) return "all";
  return (kind === "branch" ? clause.branches : clause.tags) ?? "none";
}

/** The workflow-level filter of one event. */
export interface EventFilter {
  /** Branches that a branch event admits. */
  readonly branches?: RefSet;
  /** Tags that a `push` admits; absent for the other events. */
  readonly tags?: RefSet;
  /** Cron strings of a `schedule` event. */
  readonly crons?: readonly string[];
}

/**
 * Builds the union of the clauses as workflow events. A branch or tag
 * dimension keeps a filter only when it admits every ref some clause admits:
 * the shared list, or the concatenation of lists without `!` patterns (a `!`
 * pattern would exclude refs another list includes). Otherwise it admits
 * every ref of that kind, and the jobs' conditions narrow it.
 */
export function workflowEvents(clauses: readonly JobClause[]): Map<WorkflowEvent, EventFilter> {
  const events = new Map<WorkflowEvent, EventFilter>();
  for (const event of EVENT_ORDER) {
    const matching = clauses.filter((clause) => clause.event === event);
    if (matching.length === 0) continue;
    if (event === "schedule") {
      events.set(event, { crons: unique(matching.map((clause) => clause.cron as string)) });
    } else if (event === "push") {
      const branches = unionOf(matching.map((clause) => clauseRefs(clause, "branch")));
      const tags = unionOf(matching.map((clause) => clauseRefs(clause, "tag")));
      // Every branch and no tag happens only without any tag filter, and then
      // renders as before tags existed: no filter at all, which admits tags too.
      events.set(event, { branches, tags: branches === "all" && tags === "none" ? "all" : tags });
    } else if (event in BRANCH_SUBJECTS) {
      events.set(event, {
        branches: unionOf(matching.map((clause) => clauseRefs(clause, "branch"))),
      });
    } else events.set(event, {});
  }
  return events;
}

/**
 * Returns the YAML value of an event's filter: null for every ref, else
 * `branches` and `tags` lists, with `["**"]` for every ref of a kind.
 */
export function filterValue(filter: EventFilter): Record<string, string[]> | null {
  // Only a push has tags: the other events leave them undefined.
  const { branches = "all", tags } = filter;
  if (branches === "all" && (tags === undefined || tags === "all")) return null;
  const list = (refs: RefSet) => refs === "all" ? ["**"] : [...refs as readonly string[]];
  return {
    ...(branches === "none" ? {} : { branches: list(branches) }),
    ...(tags === undefined || tags === "none" ? {} : { tags: list(tags) }),
  };
}

function unionOf(sets: readonly RefSet[]): RefSet {
  if (sets.includes("all")) return "all";
  const lists = sets.filter((set): set is readonly string[] => Array.isArray(set));
  if (lists.length === 0) return "none";
  if (lists.every((list) => sameList(list, lists[0]))) return lists[0];
  if (lists.some((list) => list.some((pattern) => pattern.startsWith("!")))) return "all";
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
 * clauses, narrowed by branch, tag or cron where the workflow-level filter
 * admits more than the job's triggers. Returns undefined when the job runs
 * for every event of the workflow. Patterns an expression cannot match
 * exactly are reported in `issues`.
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
      : event in BRANCH_SUBJECTS
      ? refCheck(job, event, own, filter, issues)
      : undefined;
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

/**
 * Builds the branch and tag check of a branch event, or returns undefined
 * when the job admits every ref the workflow admits. A kind whose
 * workflow-level filter the job covers is tested by the job's own lists when
 * they have an expression, and else by the ref prefix alone (`refs/tags/`).
 */
function refCheck(
  job: NormalizedJob,
  event: WorkflowEvent,
  own: readonly JobClause[],
  filter: EventFilter,
  issues: PipelineIssue[],
): string | undefined {
  const kinds = kindsOf(event);
  const covered = kinds.map((kind) =>
    covers(own.map((clause) => clauseRefs(clause, kind)), filter[fieldOf(kind)] as RefSet)
  );
  if (covered.every(Boolean)) return undefined;

  const parts: string[] = [];
  for (const [index, kind] of kinds.entries()) {
    const sets = own.map((clause) => clauseRefs(clause, kind));
    if (filter[fieldOf(kind)] === "none" || sets.every((set) => set === "none")) continue;
    const part = kindCondition(job, event, kind, own, covered[index], issues);
    if (part === undefined) return undefined;
    parts.push(part);
  }
  return anyOf(parts);
}

function fieldOf(kind: RefKind): "branches" | "tags" {
  return kind === "branch" ? "branches" : "tags";
}

/** Returns true when the job's ref sets admit every ref the workflow's set admits. */
function covers(own: readonly RefSet[], workflow: RefSet): boolean {
  if (workflow === "none" || own.includes("all")) return true;
  if (workflow === "all") return false;
  const lists = own.filter((set): set is readonly string[] => Array.isArray(set));
  if (lists.some((list) => sameList(list, workflow))) return true;
  const positive = lists.every((list) => list.every((pattern) => !pattern.startsWith("!")));
  return positive && workflow.every((pattern) => lists.flat().includes(pattern));
}

/**
 * Builds the condition that a ref of one kind passes the job's clauses.
 * Reports an issue and returns undefined when a pattern has no expression
 * and the workflow's filter does not already narrow the kind to the job's refs.
 */
function kindCondition(
  job: NormalizedJob,
  event: WorkflowEvent,
  kind: RefKind,
  own: readonly JobClause[],
  covered: boolean,
  issues: PipelineIssue[],
): string | undefined {
  const { subject, prefix } = kind === "tag" ? TAG_SUBJECT : BRANCH_SUBJECTS[event]!;
  const sets = own.map((clause) => clauseRefs(clause, kind));
  if (sets.includes("all")) return `startsWith(${subject}, ${literal(prefix)})`;
  const parts: string[] = [];
  // False once a list contains a single-`*` pattern, whose condition is long.
  let shortConditions = true;
  for (const [index, set] of sets.entries()) {
    if (set === "none") continue;
    const condition = listCondition(subject, prefix, set as readonly string[]);
    if (typeof condition === "string") {
      parts.push(condition);
      shortConditions &&= !(set as readonly string[]).some(isSingleStar);
      continue;
    }
    if (covered) return `startsWith(${subject}, ${literal(prefix)})`;
    const field = fieldOf(kind);
    issues.push({
      code: ErrorCode.NOT_IMPLEMENTED,
      path: `jobs.${job.id}.trigger`,
      message: `${kind} pattern ${JSON.stringify(condition.pattern)} of trigger "${
        own[index].trigger
      }" cannot be written as a job condition, which this job needs because other triggers filter ${event} by different ${field}.`,
      hint:
        `Give every ${event} trigger the same ${field}, or use exact names, patterns ending in "**" (such as "${
          kind === "tag" ? "v**" : "release/**"
        }") or a stem without "/" and one "*" (such as "${kind === "tag" ? "v*" : "release-*"}").`,
    });
    return undefined;
  }
  // The workflow's filter already admits only the job's refs of this kind,
  // so checking the kind is enough and shorter.
  if (covered && !shortConditions) return `startsWith(${subject}, ${literal(prefix)})`;
  return anyOf(unique(parts));
}

/**
 * Writes a filter list as an expression, applying GitHub's rule that the
 * last matching pattern decides. Returns the first pattern that has no exact
 * expression (only names, a trailing `**`, and a trailing `*` after a stem
 * without `/` do).
 */
function listCondition(
  subject: string,
  prefix: string,
  patterns: readonly string[],
): string | { pattern: string } {
  let condition: string | undefined;
  for (const source of patterns) {
    const parsed = parseBranchPattern(source);
    const body = parsed.negated ? source.slice(1) : source;
    const match = patternCondition(subject, prefix, body);
    if (match === undefined) return { pattern: source };
    if (!parsed.negated) {
      condition = condition === undefined ? match.is : anyOf([condition, match.is]);
    } else if (condition !== undefined) condition = allOf(condition, match.not);
  }
  return condition ?? "false";
}

/** True for a pattern such as `v*` or `!v*`: a stem without `/` or glob syntax, then one `*`. */
function isSingleStar(pattern: string): boolean {
  const body = pattern.startsWith("!") ? pattern.slice(1) : pattern;
  return body.endsWith("*") && /^[^*?+[\]\\/]*$/.test(body.slice(0, -1));
}

function patternCondition(
  subject: string,
  prefix: string,
  body: string,
): { is: string; not: string } | undefined {
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
  // A single trailing `*` matches no `/`. After a stem without `/`, the whole
  // name then has none: `github.ref_name` is the pushed branch or tag.
  const stem = body.slice(0, -1);
  if (isSingleStar(body)) {
    const name = subject === "github.ref" ? "github.ref_name" : subject;
    const starts = `startsWith(${subject}, ${literal(prefix + stem)})`;
    const nested = `contains(${name}, '/')`;
    return { is: allOf(starts, `!${nested}`), not: anyOf([`!${starts}`, nested]) };
  }
  return undefined;
}
