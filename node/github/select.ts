/**
 * Choosing the jobs a GitHub event starts, with the same rules the generated
 * workflow's `on:` and `if:` apply: event names, branch and tag filters with
 * GitHub's pattern syntax, schedule cron strings, and manual jobs on
 * `workflow_dispatch`. Pure: the event comes in as data.
 *
 * @module
 */

import { didYouMean, ErrorCode, PipelineError } from "../../core/errors.ts";
import { matchBranch } from "../../core/github_glob.ts";
import type { Pipeline } from "../../core/model.ts";
import type { GithubEventContext } from "./event_context.ts";
import { type JobClause, jobClauses } from "./events.ts";

/** A job and why it was selected or skipped. */
export interface JobChoice {
  readonly job: string;
  readonly reason: string;
}

/** The outcome of matching an event against every job. */
export interface JobSelection {
  /** The event in words, such as `push to branch main` or `push of tag v1.2.0`. */
  readonly event: string;
  readonly selected: readonly JobChoice[];
  readonly skipped: readonly JobChoice[];
}

/** Options of {@link selectJobs}. */
export interface SelectOptions {
  /** Run exactly this job, whatever the event. */
  readonly job?: string;
}

/**
 * Selects the jobs whose triggers match the event. With `job`, selects that
 * job alone. On `workflow_dispatch` only jobs with a manual trigger match.
 *
 * @throws {PipelineError} `ASYNC_PIPELINE_UNKNOWN_JOB` for an unknown `job`,
 * and `ASYNC_PIPELINE_INVALID_GITHUB_EVENT` for a schedule event whose
 * payload names no cron string.
 */
export function selectJobs(
  pipeline: Pipeline,
  event: GithubEventContext,
  options: SelectOptions = {},
): JobSelection {
  const description = describeEvent(event);
  if (options.job !== undefined) {
    if (!(options.job in pipeline.jobs)) {
      const ids = Object.keys(pipeline.jobs);
      throw new PipelineError(ErrorCode.UNKNOWN_JOB, `--job: unknown job "${options.job}".`, {
        path: "--job",
        hint: didYouMean(options.job, ids) || `Known jobs: ${ids.join(", ")}.`,
      });
    }
    return {
      event: description,
      selected: [{ job: options.job, reason: "selected with --job" }],
      skipped: [],
    };
  }

  const selected: JobChoice[] = [];
  const skipped: JobChoice[] = [];
  for (const job of Object.values(pipeline.jobs)) {
    const clauses = jobClauses(pipeline, job);
    const match = clauses.map((clause) => clauseMatch(clause, event)).find((reason) => reason);
    if (match) selected.push({ job: job.id, reason: match });
    else skipped.push({ job: job.id, reason: skipReason(job.id, clauses, event) });
  }
  return { event: description, selected, skipped };
}

function skipReason(id: string, clauses: readonly JobClause[], event: GithubEventContext): string {
  if (clauses.length === 0) return "has no trigger";
  if (event.name === "workflow_dispatch") {
    return `has no manual trigger; select it with --job ${id}`;
  }
  const triggers = [...new Set(clauses.map((clause) => `"${clause.trigger}"`))];
  return `no trigger matches (${triggers.join(", ")})`;
}

/** Returns why a clause matches the event, or undefined when it does not. */
function clauseMatch(clause: JobClause, event: GithubEventContext): string | undefined {
  if (clause.event !== event.name) return undefined;
  const prefix = `trigger "${clause.trigger}" matches`;
  if (clause.event === "schedule") {
    return scheduleOf(event) === clause.cron
      ? `${prefix} the schedule "${clause.cron}"`
      : undefined;
  }
  if (clause.branches === undefined && clause.tags === undefined) return `${prefix} ${event.name}`;
  // A push of a tag matches only tag filters, and a push trigger with tags
  // alone matches no branch, as in GitHub's on.push.
  const tag = tagOf(event);
  if (tag !== undefined) return filterMatch(prefix, "tag", tag, clause.tags);
  const branch = branchOf(event);
  if (branch === undefined) return undefined;
  return filterMatch(prefix, "branch", branch, clause.branches);
}

function filterMatch(
  prefix: string,
  kind: "branch" | "tag",
  name: string,
  patterns: readonly string[] | undefined,
): string | undefined {
  if (patterns === undefined) return undefined;
  const result = matchBranch(name, patterns);
  return result.matched ? `${prefix} ${kind} ${name} (pattern "${result.pattern}")` : undefined;
}

function pushedRef(event: GithubEventContext): string | undefined {
  if (event.name !== "push") return undefined;
  const ref = event.ref ?? event.payload.ref;
  return typeof ref === "string" ? ref : undefined;
}

/** Returns the tag of a push of a tag (`refs/tags/<tag>`), or undefined for any other event. */
export function tagOf(event: GithubEventContext): string | undefined {
  const ref = pushedRef(event);
  return ref?.startsWith("refs/tags/") ? ref.slice("refs/tags/".length) : undefined;
}

/** Returns the branch a branch filter applies to: the pushed branch, or a pull request's target. */
export function branchOf(event: GithubEventContext): string | undefined {
  const payload = event.payload as Record<string, Record<string, unknown> | undefined>;
  switch (event.name) {
    case "push": {
      const ref = pushedRef(event);
      return ref?.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : undefined;
    }
    case "pull_request":
    case "pull_request_target": {
      const base = (payload.pull_request?.base as { ref?: unknown } | undefined)?.ref;
      return event.baseRef ?? (typeof base === "string" ? base : undefined);
    }
    case "merge_group": {
      const base = payload.merge_group?.base_ref;
      return typeof base === "string" ? base.replace(/^refs\/heads\//, "") : undefined;
    }
    default:
      return undefined;
  }
}

/** Returns the cron string of a schedule event, with fields separated by single spaces. */
function scheduleOf(event: GithubEventContext): string {
  const cron = event.payload.schedule;
  if (typeof cron !== "string" || cron.trim() === "") {
    throw new PipelineError(
      ErrorCode.INVALID_GITHUB_EVENT,
      'The schedule event payload has no "schedule" cron string, so no cron trigger can be matched.',
      { path: "GITHUB_EVENT_PATH", hint: "Point GITHUB_EVENT_PATH at the payload GitHub wrote." },
    );
  }
  return cron.trim().split(/\s+/).join(" ");
}

/** Describes an event in words for the selection report. */
export function describeEvent(event: GithubEventContext): string {
  const branch = branchOf(event);
  switch (event.name) {
    case "push": {
      if (branch !== undefined) return `push to branch ${branch}`;
      const tag = tagOf(event);
      if (tag !== undefined) return `push of tag ${tag}`;
      return event.ref ? `push to ${event.ref}` : "push";
    }
    case "pull_request":
    case "pull_request_target":
    case "merge_group":
      return branch !== undefined ? `${event.name} into ${branch}` : event.name;
    case "schedule": {
      const cron = event.payload.schedule;
      return typeof cron === "string" ? `schedule "${cron}"` : "schedule";
    }
    default:
      return event.ref ? `${event.name} on ${event.ref}` : event.name;
  }
}
