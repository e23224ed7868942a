/** The error every source failure raises. @module */

import { ErrorCode, PipelineError } from "../../core/errors.ts";

/** Returns the prefix of every source failure message of source `id`. */
function prefix(id: string): string {
  return `Source "${id}": `;
}

/** Builds an `ASYNC_PIPELINE_SOURCE_FAILED` error whose message starts with the source id. */
export function sourceFailed(
  id: string,
  message: string,
  options: { hint?: string; cause?: unknown } = {},
): PipelineError {
  return new PipelineError(ErrorCode.SOURCE_FAILED, `${prefix(id)}${message}`, {
    path: `sources.${id}`,
    ...options,
  });
}

/**
 * Returns the message of a failure of source `id` without its
 * `Source "<id>": ` prefix, for places that already name the source.
 */
export function failureReason(id: string, message: string): string {
  return message.startsWith(prefix(id)) ? message.slice(prefix(id).length) : message;
}
