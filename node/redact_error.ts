/**
 * Secret masking for errors that leave the runner: what `runJob` and
 * `planJob` throw, and what the CLI prints from it, including the stack
 * trace that `--debug` shows.
 *
 * @module
 */

import type { Redactor } from "./redact.ts";
import { thrownMessage } from "./thrown.ts";

/** Maximum depth of the cause chain that is masked, so a cycle of causes cannot loop. */
const MAX_DEPTH = 8;

/**
 * Returns `error` with every secret value of `redactor` masked in the text
 * it carries: its message and stack, the hint and the issues' messages and
 * hints of a `PipelineError`, and each error of its cause chain. A value without a secret is returned as it is. An error with one is
 * copied, with the same prototype and properties, so its class and code stay
 * the same. A thrown value that is not an error, and contains a secret in its
 * printed form, becomes an `Error` with the masked text.
 */
export function redactError(redactor: Redactor, error: unknown, depth = 0): unknown {
  if (redactor.maxLength === 0) return error;
  if (typeof error === "string") return redactor.redact(error);
  if (!(error instanceof Error)) {
    const text = thrownMessage(error);
    const masked = redactor.redact(text);
    return masked === text ? error : new Error(masked);
  }
  try {
    return copyMasked(redactor, error, depth);
  } catch {
    // A property getter threw. The masked message is still worth keeping.
    return new Error(redactor.redact(thrownMessage(error)));
  }
}

/** Copies `error` with each own property masked, or returns it when nothing changed. */
function copyMasked(redactor: Redactor, error: Error, depth: number): Error {
  let changed = false;
  const copy = Object.create(Object.getPrototypeOf(error)) as Error;
  for (const key of Reflect.ownKeys(error)) {
    const descriptor = Object.getOwnPropertyDescriptor(error, key)!;
    // `stack` is an accessor in V8. Reading it once gives the text to mask.
    const value = (error as unknown as Record<PropertyKey, unknown>)[key];
    const masked = maskValue(redactor, key, value, depth);
    if (masked !== value) changed = true;
    Object.defineProperty(copy, key, {
      value: masked,
      writable: true,
      enumerable: descriptor.enumerable ?? false,
      configurable: true,
    });
  }
  return changed ? copy : error;
}

/**
 * Properties that carry text for people. Others, such as `code`, `name` and
 * `path`, are left as they are, so a short secret value cannot change an
 * error code or a field path that callers match on, as in the run record.
 */
const TEXT_PROPERTIES: ReadonlySet<PropertyKey> = new Set(["message", "stack", "hint"]);

function maskValue(redactor: Redactor, key: PropertyKey, value: unknown, depth: number): unknown {
  if (typeof value === "string" && TEXT_PROPERTIES.has(key)) {
    const masked = redactor.redact(value);
    return masked === value ? value : masked;
  }
  if (key === "cause" && depth < MAX_DEPTH) return redactError(redactor, value, depth + 1);
  if (key === "issues" && Array.isArray(value)) {
    let changed = false;
    const issues = value.map((issue) => {
      if (typeof issue !== "object" || issue === null) return issue;
      const copy = { ...issue };
      for (const field of ["message", "hint"] as const) {
        const text = copy[field];
        if (typeof text !== "string") continue;
        const masked = redactor.redact(text);
        if (masked !== text) {
          copy[field] = masked;
          changed = true;
        }
      }
      return copy;
    });
    return changed ? issues : value;
  }
  return value;
}
