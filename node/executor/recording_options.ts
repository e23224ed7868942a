/** Checking the options of the recording executor, as the pipeline builders check theirs. @module */

import { PipelineError } from "../../core/errors.ts";
import { checkArgumentCount, fieldPath, isRecord, IssueCollector } from "../../core/fields.ts";
import type { ScriptedResult } from "./recording.ts";

const SUBJECT = "RecordingExecutor";
const OPTION_FIELDS = ["results", "tools"] as const;
const RULE_FIELDS = ["match", "code", "stdout", "stderr", "timedOut", "times"] as const;
const RULE_EXAMPLE = '{ match: "npm test", code: 1 }';

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}

function checkRule(issues: IssueCollector, rule: unknown, path: string): void {
  if (!isRecord(rule)) {
    issues.invalid(
      path,
      `a rule must be an object, got ${typeName(rule)}.`,
      `Write ${RULE_EXAMPLE}.`,
    );
    return;
  }
  issues.unknownFields(rule, RULE_FIELDS, path);
  const at = (key: string) => fieldPath(path, key);
  if (!("match" in rule) || rule.match === undefined) {
    issues.invalid(
      at("match"),
      "match is missing, so the rule would match no command.",
      `Write ${RULE_EXAMPLE}.`,
    );
  } else if (typeof rule.match !== "string" && !(rule.match instanceof RegExp)) {
    issues.invalid(
      at("match"),
      `match must be a string that the command contains or a RegExp, got ${typeName(rule.match)}.`,
    );
  }
  const code = rule.code as number;
  if (rule.code !== undefined && !(Number.isInteger(code) && code >= 0 && code <= 255)) {
    issues.invalid(
      at("code"),
      `code must be an exit code, an integer from 0 to 255, got ${
        JSON.stringify(rule.code) ?? typeName(rule.code)
      }.`,
    );
  }
  for (const key of ["stdout", "stderr"] as const) {
    if (rule[key] !== undefined && typeof rule[key] !== "string") {
      issues.invalid(at(key), `${key} must be a string, got ${typeName(rule[key])}.`);
    }
  }
  if (rule.timedOut !== undefined && typeof rule.timedOut !== "boolean") {
    issues.invalid(
      at("timedOut"),
      `timedOut must be true or false, got ${typeName(rule.timedOut)}.`,
    );
  }
  if (rule.times !== undefined && !(Number.isInteger(rule.times) && (rule.times as number) > 0)) {
    issues.invalid(
      at("times"),
      `times must be a positive integer, got ${
        JSON.stringify(rule.times) ?? typeName(rule.times)
      }.`,
    );
  }
}

/**
 * Checks the options of `new RecordingExecutor(options)`. Throws a
 * `PipelineError` listing every problem: `ASYNC_PIPELINE_UNKNOWN_FIELD` for a
 * field it does not know, with the nearest valid name, and
 * `ASYNC_PIPELINE_INVALID_FIELD` for a value of the wrong type.
 */
export function checkRecordingOptions(args: ArrayLike<unknown>): void {
  checkArgumentCount(
    `new ${SUBJECT}`,
    args,
    1,
    `pass one options object, new ${SUBJECT}({ results, tools })`,
  );
  const options = args[0] === undefined ? {} : args[0];
  const issues = new IssueCollector();
  if (!isRecord(options)) {
    issues.invalid(
      SUBJECT,
      `the options must be an object, got ${typeName(options)}.`,
      `Valid fields: ${OPTION_FIELDS.join(", ")}.`,
    );
    throw PipelineError.fromIssues(issues.issues, `${SUBJECT} options`);
  }
  issues.unknownFields(options, OPTION_FIELDS, SUBJECT);
  const results = options.results;
  if (results !== undefined) {
    if (!Array.isArray(results)) {
      issues.invalid(
        fieldPath(SUBJECT, "results"),
        `results must be an array of rules, got ${typeName(results)}.`,
        `Write results: [${RULE_EXAMPLE}].`,
      );
    } else {
      results.forEach((rule, index) => checkRule(issues, rule, `${SUBJECT}.results[${index}]`));
    }
  }
  const tools = options.tools;
  if (
    tools !== undefined &&
    !(Array.isArray(tools) && tools.every((tool) => typeof tool === "string"))
  ) {
    issues.invalid(
      fieldPath(SUBJECT, "tools"),
      `tools must be an array of tool names, got ${typeName(tools)}.`,
      'Write tools: ["node", "pnpm"].',
    );
  }
  if (issues.issues.length > 0) throw PipelineError.fromIssues(issues.issues, `${SUBJECT} options`);
}

/**
 * Returns true when `rule` matches `command`. `search` ignores a RegExp's
 * `lastIndex`, so a rule with the `g` flag matches every time, as one without.
 */
export function ruleMatches(rule: ScriptedResult, command: string): boolean {
  if (typeof rule.match === "string") return command.includes(rule.match);
  return command.search(rule.match) !== -1;
}
