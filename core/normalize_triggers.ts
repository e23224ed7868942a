/** Normalization of the pipeline's `triggers`, with their cron, event, branch and tag checks. @module */

import { validateCron } from "./cron.ts";
import { isPipelineError } from "./errors.ts";
import { fieldPath, type IssueCollector, normalizeRecordOf } from "./fields.ts";
import {
  GITHUB_TRIGGER_FIELDS,
  githubTriggerIssues,
  type GithubTriggerOptions,
  isTrigger,
  type Trigger,
  trigger,
} from "./triggers.ts";

/**
 * Checks the cron expression, events, branches and tags of each trigger, whether a
 * builder or a hand-written object declared it. The builders leave these
 * checks to this function, so every problem is reported at once with its
 * path, such as `triggers.ci.branches[2]`.
 */
export function normalizeTriggers(issues: IssueCollector, value: unknown): Record<string, Trigger> {
  const declared = normalizeRecordOf(
    issues,
    "triggers",
    value,
    isTrigger,
    "trigger.manual(), trigger.github(...) or trigger.cron(...)",
  );
  const result: Record<string, Trigger> = {};
  for (const [id, declaration] of Object.entries(declared)) {
    const path = fieldPath("triggers", id);
    const { kind: _kind, ...options } = declaration as unknown as Record<string, unknown>;
    if (declaration.kind === "manual") {
      try {
        result[id] = (trigger.manual as (options: unknown) => Trigger)(options);
      } catch (error) {
        if (!isPipelineError(error)) throw error;
        issues.add({
          code: error.code,
          path,
          message: error.message.replace(/^trigger\.manual: /, ""),
          hint: error.hint,
        });
      }
    } else if (declaration.kind === "cron") {
      const { cron: expression, ...extra } = options;
      issues.unknownFields(extra, ["kind", "cron"], path);
      try {
        result[id] = Object.freeze({
          kind: "cron",
          cron: validateCron(expression, `${path}.cron`),
        });
      } catch (error) {
        if (!isPipelineError(error)) throw error;
        issues.add({
          code: error.code,
          path: error.path,
          message: error.message.replace(`${error.path}: `, ""),
          hint: error.hint,
        });
      }
    } else {
      issues.unknownFields(options, GITHUB_TRIGGER_FIELDS, path);
      const problems = githubTriggerIssues(options.events, options.branches, options.tags);
      for (const problem of problems) issues.add({ ...problem, path: `${path}.${problem.path}` });
      if (problems.length === 0) {
        result[id] = trigger.github({
          events: options.events as GithubTriggerOptions["events"],
          ...(options.branches === undefined ? {} : { branches: options.branches as string[] }),
          ...(options.tags === undefined ? {} : { tags: options.tags as string[] }),
        });
      }
    }
  }
  return result;
}
