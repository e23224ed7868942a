/** Helpers that check authored objects field by field and collect issues. @module */

import { didYouMean, ErrorCode, PipelineError, type PipelineIssue } from "./errors.ts";

/** Collects issues while walking an authored definition. */
export class IssueCollector {
  readonly issues: PipelineIssue[] = [];

  add(issue: PipelineIssue): void {
    this.issues.push(issue);
  }

  /** Reports every key of `value` that is not in `allowed`, with a suggestion. */
  unknownFields(value: object, allowed: readonly string[], path: string): void {
    for (const key of Object.keys(value)) {
      if (allowed.includes(key)) continue;
      const suggestion = didYouMean(key, allowed);
      this.add({
        code: ErrorCode.UNKNOWN_FIELD,
        path: fieldPath(path, key),
        message: `unknown field "${key}".`,
        hint: suggestion || `Valid fields: ${allowed.join(", ")}.`,
      });
    }
  }

  invalid(path: string, message: string, hint?: string): void {
    this.add({ code: ErrorCode.INVALID_FIELD, path, message, hint });
  }
}

/** Keys that a field path writes after a dot: the characters that ids may contain. */
const DOTTED_KEY = /^[A-Za-z0-9_][A-Za-z0-9_.:/-]*$/;

/**
 * Appends `key` to the field path `base`: `tasks.build` for a key that ids
 * may spell, and `tasks["b c"]` for any other key, such as one with a space
 * or a quote, so the path shows where the key starts and ends.
 */
export function fieldPath(base: string, key: string): string {
  if (DOTTED_KEY.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}

/**
 * Returns why `id` does not match the id rule: a first character of a
 * letter, digit or '_', then letters, digits and `allowed`.
 */
export function invalidIdReason(id: string, allowed: readonly string[]): string {
  if (id === "") return "it is empty";
  if (!/^[A-Za-z0-9_]/.test(id)) return `it starts with ${JSON.stringify(id[0])}`;
  const bad = [...id].find((char) => !/[A-Za-z0-9_]/.test(char) && !allowed.includes(char));
  return `it contains ${JSON.stringify(bad)}`;
}

/** Returns true for a plain object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Returns true for an array of strings. */
export function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/**
 * Values that {@link deepFreeze} was called with and has frozen with
 * everything under them. A frozen object's properties cannot change, so they
 * stay deep-frozen, and a later call, such as the pipeline's over its already
 * frozen tasks, stops there instead of walking them again. Only the values
 * passed in are recorded, because the nested ones are not passed again.
 */
const deepFrozen = new WeakSet<object>();

/** Deep-freezes plain objects and arrays; functions and class instances stay as they are. */
export function deepFreeze<T>(value: T): T {
  if (freezeTree(value)) deepFrozen.add(value as object);
  return value;
}

/** Freezes `value` and everything under it. Returns true when `value` is an object it froze. */
function freezeTree(value: unknown): value is object {
  if (typeof value !== "object" || value === null || deepFrozen.has(value)) return false;
  if (Array.isArray(value)) {
    for (const item of value) freezeTree(item);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) freezeTree(item);
  } else return false;
  Object.freeze(value);
  return true;
}

/**
 * Checks a builder's options object: it must be a plain object whose keys are
 * all in `allowed`. Throws `ASYNC_PIPELINE_UNKNOWN_FIELD` with the nearest
 * valid name, or `ASYNC_PIPELINE_INVALID_FIELD` for a non-object.
 */
export function checkBuilderOptions(
  builder: string,
  value: unknown,
  allowed: readonly string[],
): void {
  if (!isRecord(value)) {
    throw new PipelineError(
      ErrorCode.INVALID_FIELD,
      `${builder} expects an options object, got ${
        value === null ? "null" : Array.isArray(value) ? "an array" : typeof value
      }.`,
      { hint: `Valid fields: ${allowed.join(", ")}.` },
    );
  }
  for (const key of Object.keys(value)) {
    if (allowed.includes(key)) continue;
    throw new PipelineError(ErrorCode.UNKNOWN_FIELD, `${builder}: unknown field "${key}".`, {
      hint: didYouMean(key, allowed) || `Valid fields: ${allowed.join(", ")}.`,
    });
  }
}

/**
 * Throws when a builder receives more arguments than it accepts. Without type
 * checking (Node's type stripping, `deno run`), an extra argument such as an
 * options object would otherwise be ignored silently. Trailing `undefined`
 * arguments do not count.
 */
export function checkArgumentCount(
  builder: string,
  args: ArrayLike<unknown>,
  max: number,
  usage: string,
  code: ErrorCode = ErrorCode.INVALID_FIELD,
): void {
  let count = args.length;
  while (count > 0 && args[count - 1] === undefined) count -= 1;
  if (count <= max) return;
  const takes = max === 0 ? "no arguments" : `at most ${max} argument${max === 1 ? "" : "s"}`;
  throw new PipelineError(code, `${builder} takes ${takes}, got ${count}.`, {
    hint: `Remove the extra argument${count - max === 1 ? "" : "s"}: ${usage}.`,
  });
}

/**
 * Returns the entries of the object `value` that pass `check`. Adds an issue
 * when `value` is not an object, and one for each entry that fails.
 */
export function normalizeRecordOf<T>(
  issues: IssueCollector,
  path: string,
  value: unknown,
  check: (item: unknown) => item is T,
  expected: string,
): Record<string, T> {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    issues.invalid(path, `${path} must be an object.`);
    return {};
  }
  const result: Record<string, T> = {};
  for (const [key, item] of Object.entries(value)) {
    if (check(item)) result[key] = item;
    else issues.invalid(fieldPath(path, key), `expected ${expected}.`);
  }
  return result;
}
