/** Trigger builders: when jobs should run. @module */

import { didYouMean, ErrorCode, PipelineError, type PipelineIssue } from "./errors.ts";
import { checkArgumentCount, isRecord } from "./fields.ts";
import { parseBranchPattern } from "./github_glob.ts";

/** A manual start (GitHub `workflow_dispatch`, or `async-pipeline run` locally). */
export interface ManualTrigger {
  readonly kind: "manual";
}

/** A GitHub event such as `push` or `pull_request`, optionally limited to branches. */
export interface GithubTrigger {
  readonly kind: "github";
  readonly events: readonly GithubEvent[];
  /** Branch filters (GitHub glob syntax). Omitted means every branch. */
  readonly branches?: readonly string[];
}

/** A time-based start. `expression` is a 5-field cron in UTC. */
export interface CronTrigger {
  readonly kind: "cron";
  readonly cron: string;
}

/** Any trigger declaration. */
export type Trigger = ManualTrigger | GithubTrigger | CronTrigger;

/** GitHub events a `trigger.github` declaration may name. */
export const GITHUB_EVENTS = [
  "push",
  "pull_request",
  "pull_request_target",
  "merge_group",
  "release",
  "workflow_dispatch",
] as const;

/** Events whose GitHub workflow syntax accepts a `branches` filter. */
const BRANCH_FILTER_EVENTS: readonly GithubEvent[] = [
  "push",
  "pull_request",
  "pull_request_target",
];

/** One of {@link GITHUB_EVENTS}. */
export type GithubEvent = (typeof GITHUB_EVENTS)[number];

/** Options for {@link trigger.github}. */
export interface GithubTriggerOptions {
  events: GithubEvent[];
  branches?: string[];
}

function manual(): ManualTrigger {
  // A call without type checking can still pass options, such as
  // workflow_dispatch inputs, and they must fail instead of being dropped.
  const options: unknown = arguments[0];
  if (isRecord(options)) {
    for (const key of Object.keys(options)) {
      throw new PipelineError(ErrorCode.UNKNOWN_FIELD, `trigger.manual: unknown field "${key}".`, {
        hint: key === "inputs"
          ? "trigger.manual() takes no options: workflow_dispatch inputs are not supported. Read settings from env.var(...) instead."
          : "trigger.manual() takes no options.",
      });
    }
  }
  checkArgumentCount(
    "trigger.manual",
    isRecord(options) ? [...arguments].slice(1) : arguments,
    0,
    "write trigger.manual()",
    ErrorCode.INVALID_TRIGGER,
  );
  return Object.freeze({ kind: "manual" });
}

function github(options: GithubTriggerOptions): GithubTrigger {
  checkArgumentCount(
    "trigger.github",
    arguments,
    1,
    "pass one object, trigger.github({ events, branches })",
    ErrorCode.INVALID_TRIGGER,
  );
  if (typeof options !== "object" || options === null) {
    throw new PipelineError(
      ErrorCode.INVALID_TRIGGER,
      "trigger.github: expects { events, branches? }.",
    );
  }
  for (const key of Object.keys(options)) {
    if (key !== "events" && key !== "branches") {
      throw new PipelineError(
        ErrorCode.UNKNOWN_FIELD,
        `trigger.github: unknown field "${key}".`,
        { hint: didYouMean(key, ["events", "branches"]) || "Valid fields: events, branches." },
      );
    }
  }
  // The events and branches are checked by definePipeline, which reports
  // every problem at once under the trigger's id.
  const { events, branches } = options;
  return Object.freeze({
    kind: "github",
    events: Array.isArray(events) ? Object.freeze([...new Set(events)]) : events,
    ...(branches === undefined
      ? {}
      : { branches: Array.isArray(branches) ? Object.freeze([...branches]) : branches }),
  });
}

/**
 * Returns every problem of a GitHub trigger's `events` and `branches`, with
 * paths relative to the trigger, such as `branches[2]`.
 */
export function githubTriggerIssues(events: unknown, branches: unknown): PipelineIssue[] {
  const issues: PipelineIssue[] = [];
  const add = (path: string, message: string, hint?: string) =>
    issues.push({ code: ErrorCode.INVALID_TRIGGER, path, message, ...(hint ? { hint } : {}) });
  if (!Array.isArray(events) || events.length === 0) {
    add("events", 'events must be a non-empty array such as ["push"].');
  } else {
    events.forEach((event, index) => {
      if ((GITHUB_EVENTS as readonly unknown[]).includes(event)) return;
      add(
        `events[${index}]`,
        `unknown event ${JSON.stringify(event)}.`,
        didYouMean(String(event), GITHUB_EVENTS) ||
          `Supported events: ${GITHUB_EVENTS.join(", ")}.`,
      );
    });
  }
  if (branches === undefined) return issues;

  const unfiltered = Array.isArray(events)
    ? [...new Set(events)].filter((event) =>
      (GITHUB_EVENTS as readonly unknown[]).includes(event) &&
      !BRANCH_FILTER_EVENTS.includes(event)
    )
    : [];
  if (unfiltered.length > 0) {
    add(
      "branches",
      `branches cannot filter the ${unfiltered.join(", ")} event${
        unfiltered.length > 1 ? "s" : ""
      }.`,
      `GitHub filters branches only for ${
        BRANCH_FILTER_EVENTS.join(", ")
      }; declare a separate trigger for the others.`,
    );
  }
  if (!Array.isArray(branches) || branches.length === 0) {
    add(
      "branches",
      "branches must be a non-empty array of branch names or patterns.",
      "Omit branches to match every branch.",
    );
    return issues;
  }
  branches.forEach((branch, index) => {
    const problem = branchProblem(branch);
    if (problem) add(`branches[${index}]`, problem.message, problem.hint);
  });
  if (branches.every((branch) => typeof branch === "string" && branch.startsWith("!"))) {
    add(
      "branches",
      "branches lists only excluded (!) patterns, so GitHub would match no branch.",
      'Add a pattern that includes branches first, such as ["**", "!wip/**"].',
    );
  }
  return issues;
}

/** Returns why GitHub would reject one branch pattern, or undefined for a valid one. */
function branchProblem(branch: unknown): { message: string; hint?: string } | undefined {
  if (typeof branch !== "string" || branch.trim() === "") {
    return { message: `invalid branch ${JSON.stringify(branch)}.` };
  }
  if (branch.includes("${{")) {
    return {
      message: `branch pattern ${
        JSON.stringify(branch)
      } contains "\${{", which GitHub reads as an expression; branch filters evaluate none, so GitHub would reject the workflow.`,
      hint: "Write the branch names or patterns themselves, such as release/**.",
    };
  }
  try {
    parseBranchPattern(branch);
  } catch (error) {
    return {
      message: `invalid branch pattern ${JSON.stringify(branch)}: ${(error as Error).message}.`,
      hint: "Patterns use GitHub filter syntax: *, **, ?, +, [a-z] and a leading ! to exclude.",
    };
  }
  return undefined;
}

function cron(expression: string): CronTrigger {
  checkArgumentCount(
    "trigger.cron",
    arguments,
    1,
    'pass only the expression, such as trigger.cron("0 9 * * 1"); schedules run in UTC',
    ErrorCode.INVALID_TRIGGER,
  );
  // The expression is checked by definePipeline, which reports it under the
  // trigger's id.
  return Object.freeze({ kind: "cron", cron: expression });
}

/** Trigger builders. Triggers only declare; `async-pipeline github generate` renders them. */
export const trigger: {
  manual: typeof manual;
  github: typeof github;
  cron: typeof cron;
  /** Compatibility alias of {@link trigger.cron}. */
  schedule: typeof cron;
} = Object.freeze({ manual, github, cron, schedule: cron });

/** Returns true for any trigger declaration. */
export function isTrigger(value: unknown): value is Trigger {
  if (typeof value !== "object" || value === null) return false;
  const kind = (value as Trigger).kind;
  return kind === "manual" || kind === "github" || kind === "cron";
}
