/**
 * Checking what a function step passes to `ctx.meta(...)`, so that a value
 * the record cannot hold fails that task when it is passed, never the run
 * when the record is written.
 *
 * @module
 */

import { ErrorCode, PipelineError } from "../../core/errors.ts";
import { MAX_META_DEPTH } from "../meta_depth.ts";

const JSON_DATA =
  "meta values must be JSON data: strings, numbers, booleans, null, arrays and plain objects";

/** Fixes for rejected values, by kind. */
const FIXES: Record<string, string> = {
  bigint: "Convert it with String(value) or Number(value).",
  function: "Remove it, or record its result instead.",
  symbol: "Convert it with String(value), or remove it.",
  Map: "Convert it with Object.fromEntries(map).",
  Set: "Convert it with [...set].",
  circular: "Remove the reference back to an enclosing object.",
};

function keyPath(path: readonly (string | number)[]): string {
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) text += text === "" ? part : `.${part}`;
    else text += `[${JSON.stringify(part)}]`;
  }
  return text;
}

function reject(path: readonly (string | number)[], kind: string, what: string): never {
  const fix = FIXES[kind] ?? "Convert it to a plain object, an array or a string.";
  throw new PipelineError(
    ErrorCode.INVALID_FIELD,
    `ctx.meta: key "${keyPath(path)}" ${what}; ${JSON_DATA}. ${fix}`,
    { path: keyPath(path) },
  );
}

/** Rejects a value nested too deep, naming the key of `ctx.meta` that contains it. */
function rejectDepth(path: readonly (string | number)[]): never {
  const key = keyPath(path.slice(0, 1));
  throw new PipelineError(
    ErrorCode.INVALID_FIELD,
    `ctx.meta: key "${key}" contains arrays or objects nested more than ${MAX_META_DEPTH} levels ` +
      `deep; meta values may nest at most ${MAX_META_DEPTH} levels. Flatten the value, or ` +
      "record a summary of it instead.",
    { path: key },
  );
}

/** Sets an own property, also for the key `__proto__`, which plain assignment would not create. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Returns `values` as the JSON data the record will hold, or throws a
 * `PipelineError` naming the first key whose value is not JSON data. It
 * follows `JSON.stringify`: an object's `toJSON` is used (a `Date` becomes its
 * ISO string), an `undefined` property is left out, `undefined` in an array
 * becomes `null`, and so does a number that is not finite. A bigint, a
 * function, a symbol, a `Map`, a `Set`, another class instance, a circular
 * reference or arrays and objects nested more than {@link MAX_META_DEPTH}
 * levels deep are rejected. The check stops at that depth, so it never
 * exhausts the stack.
 */
export function toMetaData(values: Record<string, unknown>): Record<string, unknown> {
  const open = new Set<object>();
  const visit = (value: unknown, path: (string | number)[]): unknown => {
    if (value !== null && typeof value === "object" || typeof value === "bigint") {
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === "function") {
        value = toJSON.call(value, String(path.at(-1) ?? ""));
      }
    }
    switch (typeof value) {
      case "string":
      case "boolean":
        return value;
      case "number":
        return Number.isFinite(value) ? value : null;
      case "undefined":
        return undefined;
      case "bigint":
      case "function":
      case "symbol":
        return reject(path, typeof value, `is a ${typeof value}`);
    }
    if (value === null) return null;
    const object = value as object;
    if (open.has(object)) return reject(path, "circular", "refers back to an enclosing object");
    if (!Array.isArray(object) && !isPlainObject(object)) {
      const name = (object as { constructor?: { name?: unknown } }).constructor?.name;
      const kind = typeof name === "string" && name !== "" ? name : "object";
      return reject(path, kind, `is a ${kind}`);
    }
    if (path.length > MAX_META_DEPTH) return rejectDepth(path);
    open.add(object);
    try {
      if (Array.isArray(object)) {
        return object.map((item, index) => visit(item, [...path, index]) ?? null);
      }
      const result: Record<string, unknown> = {};
      for (const [key, entry] of Object.entries(object)) {
        const data = visit(entry, [...path, key]);
        if (data !== undefined) setOwn(result, key, data);
      }
      return result;
    } finally {
      open.delete(object);
    }
  };
  return visit(values, []) as Record<string, unknown>;
}
