/** Trigger builders: when jobs should run. @module */

import { didYouMean, ErrorCode, PipelineError, type PipelineIssue } from "./errors.ts";
import { checkArgumentCount, isRecord } from "./fields.ts";
import { parseBranchPattern, type RefKind } from "./github_glob.ts";

/** A manual start (GitHub `workflow_dispatch`, or `async-pipeline run` locally). */
export interface ManualTrigger {
  readonly kind: "manual";
}

/**
 * A GitHub event such as `push` or `pull_request`, optionally limited to
 * branches, and for `push` to tags.
 */
export interface GithubTrigger {
  readonly kind: "github";
  readonly events: readonly GithubEvent[];
  /**
   * Branch filters (GitHub glob syntax). Omitted means every branch, unless
   * `tags` is given: a push trigger with only `tags` matches no branch.
   */
  readonly branches?: readonly string[];
  /**
   * Tag filters of a `push` trigger (GitHub glob syntax). Omitted means every
   * tag, unless `branches` is given: a push trigger with only `branches`
   * matches no tag.
   */
  readonly tags?: readonly string[];
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

/** Events whose GitHub workflow syntax accepts a `tags` filter. */
const TAG_FILTER_EVENTS: readonly GithubEvent[] = ["push"];

/** The fields of a `trigger.github` declaration, which unknown-field hints list. */
export const GITHUB_TRIGGER_FIELDS: readonly string[] = ["events", "branches", "tags"];

/** One of {@link GITHUB_EVENTS}. */
export type GithubEvent = (typeof GITHUB_EVENTS)[number];

/** Options for {@link trigger.github}. */
export interface GithubTriggerOptions {
  events: GithubEvent[];
  branches?: string[];
  tags?: string[];
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
    "pass one object, trigger.github({ events, branches, tags })",
    ErrorCode.INVALID_TRIGGER,
  );
  if (typeof options !== "object" || options === null) {
    throw new PipelineError(
      ErrorCode.INVALID_TRIGGER,
      "trigger.github: expects { events, branches?, tags? }.",
    );
  }
  for (const key of Object.keys(options)) {
    if (!GITHUB_TRIGGER_FIELDS.includes(key)) {
      throw new PipelineError(
        ErrorCode.UNKNOWN_FIELD,
        `trigger.github: unknown field "${key}".`,
        {
          hint: didYouMean(key, GITHUB_TRIGGER_FIELDS) ||
            `Valid fields: ${GITHUB_TRIGGER_FIELDS.join(", ")}.`,
        },
      );
    }
  }
  // The events, branches and tags are checked by definePipeline, which
  // reports every problem at once under the trigger's id.
  const { events, branches, tags } = options;
  const copy = (list: unknown) => Array.isArray(list) ? Object.freeze([...list]) : list;
  return Object.freeze({
    kind: "github",
    events: Array.isArray(events) ? Object.freeze([...new Set(events)]) : events,
    ...(branches === undefined ? {} : { branches: copy(branches) as readonly string[] }),
    ...(tags === undefined ? {} : { tags: copy(tags) as readonly string[] }),
  });
}

/**
 * Returns every problem of a GitHub trigger's `events`, `branches` and
 * `tags`, with paths relative to the trigger, such as `branches[2]`.
 */
export function githubTriggerIssues(
  events: unknown,
  branches: unknown,
  tags?: unknown,
): PipelineIssue[] {
  const issues: PipelineIssue[] = [];
  if (!Array.isArray(events) || events.length === 0) {
    issues.push(issue("events", 'events must be a non-empty array such as ["push"].'));
  } else {
    events.forEach((event, index) => {
      if ((GITHUB_EVENTS as readonly unknown[]).includes(event)) return;
      issues.push(issue(
        `events[${index}]`,
        `unknown event ${JSON.stringify(event)}.`,
        didYouMean(String(event), GITHUB_EVENTS) ||
          `Supported events: ${GITHUB_EVENTS.join(", ")}.`,
      ));
    });
  }
  const known = Array.isArray(events)
    ? [...new Set(events)].filter((event): event is GithubEvent =>
      (GITHUB_EVENTS as readonly unknown[]).includes(event)
    )
    : [];
  if (branches !== undefined) issues.push(...filterIssues("branch", branches, known));
  if (tags !== undefined) issues.push(...filterIssues("tag", tags, known));
  return issues;
}

function issue(path: string, message: string, hint?: string): PipelineIssue {
  return { code: ErrorCode.INVALID_TRIGGER, path, message, ...(hint ? { hint } : {}) };
}

/** Returns the problems of a `branches` or `tags` list, given the trigger's known events. */
function filterIssues(
  kind: RefKind,
  list: unknown,
  events: readonly GithubEvent[],
): PipelineIssue[] {
  const field = kind === "branch" ? "branches" : "tags";
  const allowed = kind === "branch" ? BRANCH_FILTER_EVENTS : TAG_FILTER_EVENTS;
  const issues: PipelineIssue[] = [];
  const unfiltered = events.filter((event) => !allowed.includes(event));
  if (unfiltered.length > 0) {
    issues.push(issue(
      field,
      `${field} cannot filter the ${unfiltered.join(", ")} event${
        unfiltered.length > 1 ? "s" : ""
      }.`,
      `GitHub filters ${field} only for ${
        allowed.join(", ")
      }; declare a separate trigger for the others.`,
    ));
  }
  if (!Array.isArray(list) || list.length === 0) {
    issues.push(issue(
      field,
      `${field} must be a non-empty array of ${kind} names or patterns.`,
      kind === "branch"
        ? 'List branch names or patterns, such as ["main"], or omit branches.'
        : 'List tag names or patterns, such as ["v*"], or omit tags.',
    ));
    return issues;
  }
  list.forEach((pattern, index) => {
    const problem = patternProblem(kind, pattern);
    if (problem) issues.push(issue(`${field}[${index}]`, problem.message, problem.hint));
  });
  if (list.every((pattern) => typeof pattern === "string" && pattern.startsWith("!"))) {
    issues.push(issue(
      field,
      `${field} lists only excluded (!) patterns, so GitHub would match no ${kind}.`,
      kind === "branch"
        ? 'Add a pattern that includes branches first, such as ["**", "!wip/**"].'
        : 'Add a pattern that includes tags first, such as ["v*", "!v*-rc*"].',
    ));
  }
  return issues;
}

/** Returns why GitHub would reject one branch or tag pattern, or undefined for a valid one. */
function patternProblem(
  kind: RefKind,
  pattern: unknown,
): { message: string; hint?: string } | undefined {
  if (typeof pattern !== "string" || pattern.trim() === "") {
    return {
      message: `invalid ${kind} ${
        JSON.stringify(pattern)
      }: a ${kind} pattern is a non-empty string.`,
      hint: `Write a ${kind} name or pattern, such as ${kind === "tag" ? '"v*"' : '"main"'}.`,
    };
  }
  if (pattern.includes("${{")) {
    return {
      message: `${kind} pattern ${
        JSON.stringify(pattern)
      } contains "\${{", which GitHub reads as an expression; ${kind} filters evaluate none, so GitHub would reject the workflow.`,
      hint: kind === "branch"
        ? "Write the branch names or patterns themselves, such as release/**."
        : "Write the tag names or patterns themselves, such as v*.",
    };
  }
  try {
    parseBranchPattern(pattern, kind);
  } catch (error) {
    return {
      message: `invalid ${kind} pattern ${JSON.stringify(pattern)}: ${(error as Error).message}.`,
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
