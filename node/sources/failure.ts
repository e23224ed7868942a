/** The error every source failure raises. @module */

import { ErrorCode, PipelineError } from "../../core/errors.ts";

/** Builds an `ASYNC_PIPELINE_SOURCE_FAILED` error whose message starts with the source id. */
export function sourceFailed(
  id: string,
  message: string,
  options: { hint?: string; cause?: unknown } = {},
): PipelineError {
  return new PipelineError(ErrorCode.SOURCE_FAILED, `Source "${id}": ${message}`, {
    path: `sources.${id}`,
    ...options,
  });
}
