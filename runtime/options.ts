/** Checks the options objects of `parallel` and `createRuntime`. @module */

import { didYouMean, ErrorCode, PipelineError } from "../core/errors.ts";
import { fieldPath, isRecord } from "../core/fields.ts";
import { describeValue } from "./compose.ts";

/**
 * Checks an options object whose only field is `concurrency` and returns the limit:
 * a positive integer, or `Infinity` when the field is omitted.
 *
 * @param call The call that received the options, such as `parallel(options, items)`.
 */
export function checkConcurrencyOptions(call: string, options: unknown): number {
  if (!isRecord(options)) {
    throw new PipelineError(
      ErrorCode.INVALID_FIELD,
      `${call}: options is ${describeValue(options)}, expected an object.`,
      { path: "options", hint: "Pass { concurrency: 4 }, or omit the options." },
    );
  }
  for (const key of Object.keys(options)) {
    if (key === "concurrency") continue;
    throw new PipelineError(
      ErrorCode.UNKNOWN_FIELD,
      `${call}: unknown option "${key}".`,
      {
        path: fieldPath("options", key),
        hint: didYouMean(key, ["concurrency"]) || "Valid options: concurrency.",
      },
    );
  }
  const { concurrency = Infinity } = options;
  if (concurrency === Infinity || (Number.isInteger(concurrency) && (concurrency as number) >= 1)) {
    return concurrency as number;
  }
  throw new PipelineError(
    ErrorCode.INVALID_FIELD,
    `${call}: concurrency must be a positive integer or Infinity, got ${
      JSON.stringify(concurrency) ?? String(concurrency)
    }.`,
    { path: "options.concurrency", hint: "Use a value such as 4, or omit it for no limit." },
  );
}
