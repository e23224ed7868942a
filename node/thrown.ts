/** Text for a value that code threw, whatever its type. @module */

import { inspect } from "node:util";

/**
 * Returns the message of a thrown value: an `Error`'s message, a string as
 * it is, and anything else in the inspected form that `console.log` prints
 * (`{ code: 42 }` rather than `[object Object]`), two levels deep and on one
 * line. Callers mask the text before it is shown or stored.
 */
export function thrownMessage(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === "string") return value;
  try {
    return inspect(value, {
      depth: 2,
      breakLength: Infinity,
      maxArrayLength: 20,
      maxStringLength: 200,
    });
  } catch {
    return Object.prototype.toString.call(value);
  }
}
