/** Stable cache keys for runtime values. @module */

import { ErrorCode, PipelineError } from "../core/errors.ts";
import { fieldPath } from "../core/fields.ts";
import { describeValue } from "./compose.ts";

const PLAIN_DATA = "plain data: objects, arrays, strings, numbers, booleans, null, " +
  "undefined, bigint and Date";

/**
 * Serializes plain data into a string that is equal for equal values: object keys are
 * sorted, and types that JSON would merge (undefined and null, 1n and "1") stay distinct.
 *
 * @param path Name of the value, such as `input`, used in the error message.
 * @throws {PipelineError} `ASYNC_PIPELINE_RUNTIME_CACHE_KEY` when the value contains a
 *   function, a symbol, a class instance other than Date, or a reference cycle.
 */
export function cacheKey(value: unknown, path: string): string {
  return serialize(value, path, new Set());
}

function serialize(value: unknown, path: string, ancestors: Set<object>): string {
  switch (typeof value) {
    case "undefined":
      return "u";
    case "boolean":
      return value ? "t" : "f";
    case "number":
      return `n${Object.is(value, -0) ? "-0" : String(value)}`;
    case "bigint":
      return `b${value}`;
    case "string":
      return JSON.stringify(value);
    case "object":
      if (value === null) return "null";
      return serializeObject(value, path, ancestors);
    default:
      throw uncacheable(path, describeValue(value));
  }
}

function serializeObject(value: object, path: string, ancestors: Set<object>): string {
  if (value instanceof Date) {
    return `d${Number.isNaN(value.getTime()) ? "invalid" : value.toISOString()}`;
  }
  if (ancestors.has(value)) throw uncacheable(path, "a reference cycle");
  const prototype = Object.getPrototypeOf(value);
  const isPlain = Array.isArray(value) || prototype === Object.prototype || prototype === null;
  if (!isPlain) {
    const name = (prototype?.constructor as { name?: string } | undefined)?.name || "unknown";
    throw uncacheable(path, `an instance of ${name}`);
  }

  ancestors.add(value);
  let text: string;
  if (Array.isArray(value)) {
    text = `[${value.map((item, index) => serialize(item, `${path}[${index}]`, ancestors))}]`;
  } else {
    const record = value as Record<string, unknown>;
    const entries = Object.keys(record).sort().map((key) =>
      `${JSON.stringify(key)}:${serialize(record[key], fieldPath(path, key), ancestors)}`
    );
    text = `{${entries.join(",")}}`;
  }
  ancestors.delete(value);
  return text;
}

function uncacheable(path: string, found: string): PipelineError {
  return new PipelineError(
    ErrorCode.RUNTIME_CACHE_KEY,
    `Cannot build a cache key: ${path} is ${found}.`,
    {
      path,
      hint: `A cached task's input and dependency values must be ${PLAIN_DATA}. ` +
        "Pass plain data, or remove cache.use(...) from the task.",
    },
  );
}
