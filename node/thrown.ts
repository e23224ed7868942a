/** Text for a value that code threw, whatever its type. @module */

import { inspect } from "node:util";

/**
 * Returns the message of a thrown value: an `Error`'s message, a string as
 * it is, and anything else in the inspected form that `console.log` prints
 * (`{ code: 42 }` rather than `[object Object]`), two levels deep and on one
 * line. Callers mask the text before it is shown or stored.
 */
export function thrownMessage(value: unknown): string {
  // A Proxy or a getter can throw from `instanceof`, `message` or inspection
  // itself. Each step falls back to a simpler text, so this function does not throw.
  try {
    if (value instanceof Error) return String(value.message);
    if (typeof value === "string") return value;
    return inspect(value, {
      depth: 2,
      breakLength: Infinity,
      maxArrayLength: 20,
      // The console's own cap. A secret is masked only when it is printed
      // whole, so a lower cap would show the start of a long secret.
      maxStringLength: 10_000,
    });
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return "a thrown value that cannot be shown";
    }
  }
}

/** Returns the `code` of a thrown value when it is a string, or undefined, without ever throwing. */
export function thrownCode(value: unknown): string | undefined {
  try {
    const code = (value as { code?: unknown } | null)?.code;
    return typeof code === "string" ? code : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Returns the `hint` of a thrown `ASYNC_PIPELINE_*` error, such as the fix
 * that a command policy denial suggests, or undefined, without ever throwing.
 * Other thrown values keep no hint, as they keep no code.
 */
export function thrownHint(value: unknown): string | undefined {
  try {
    if (!thrownCode(value)?.startsWith("ASYNC_PIPELINE_")) return undefined;
    const hint = (value as { hint?: unknown }).hint;
    return typeof hint === "string" && hint !== "" ? hint : undefined;
  } catch {
    return undefined;
  }
}
