/**
 * Evaluates a generated workflow for one event the way GitHub does: the
 * `on:` filters (events, branches, tags, cron strings) and each job's `if:`
 * with GitHub's expression evaluator. Tests compare the result with
 * `selectJobs`, which `github run` uses.
 */

import { data, Evaluator, Lexer, Parser } from "@actions/expressions";
import { truthy } from "@actions/expressions/result";
import { matchBranch } from "../../core/github_glob.ts";
import type { GithubEventContext } from "../../node/github/event_context.ts";
import { branchOf, tagOf } from "../../node/github/select.ts";

/** The parts of a parsed workflow that decide which jobs run. */
export interface Workflow {
  on: Record<string, { branches?: string[]; tags?: string[] } | { cron: string }[] | null>;
  jobs: Record<string, { name?: string; if?: string }>;
}

function githubContext(event: GithubEventContext): unknown {
  const github = {
    event_name: event.name,
    ref: event.ref ?? "",
    // GitHub's short name of the pushed branch or tag.
    ref_name: (event.ref ?? "").replace(/^refs\/(?:heads|tags)\//, ""),
    base_ref: event.baseRef ?? "",
    event: event.payload,
  };
  return new data.Dictionary({
    key: "github",
    value: JSON.parse(JSON.stringify(github), data.reviver),
  });
}

/** Evaluates a job's `if:` condition for the event. */
export function conditionHolds(condition: string, event: GithubEventContext): boolean {
  const tokens = new Lexer(condition).lex().tokens;
  const expression = new Parser(tokens, ["github"], []).parse();
  const context = githubContext(event) as ConstructorParameters<typeof Evaluator>[1];
  return truthy(new Evaluator(expression, context).evaluate());
}

/**
 * Returns whether the workflow's `on:` block starts a run for the event. A
 * push filter with `branches` alone admits no tag, and one with `tags` alone
 * admits no branch.
 */
export function workflowStarts(workflow: Workflow, event: GithubEventContext): boolean {
  if (!(event.name in workflow.on)) return false;
  const filter = workflow.on[event.name];
  if (event.name === "schedule") {
    return (filter as { cron: string }[]).some((entry) => entry.cron === event.payload.schedule);
  }
  const { branches, tags } = (filter ?? {}) as { branches?: string[]; tags?: string[] };
  if (branches === undefined && tags === undefined) return true;
  const tag = tagOf(event);
  if (tag !== undefined) return tags !== undefined && matchBranch(tag, tags).matched;
  const branch = branchOf(event);
  return branch !== undefined && branches !== undefined && matchBranch(branch, branches).matched;
}

/** Returns the pipeline job ids the workflow runs for the event. */
export function workflowJobs(workflow: Workflow, event: GithubEventContext): string[] {
  if (!workflowStarts(workflow, event)) return [];
  return Object.entries(workflow.jobs)
    .filter(([, body]) => body.if === undefined || conditionHolds(body.if, event))
    .map(([id, body]) => body.name ?? id);
}
