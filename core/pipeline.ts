/** `definePipeline`: the entry point of every `pipeline.ts`. @module */

import type { Pipeline } from "./model.ts";
import { checkArgumentCount } from "./fields.ts";
import { isPipeline } from "./model.ts";
import { normalizePipeline } from "./normalize.ts";
import type { PipelineConfig } from "./types.ts";

/**
 * Validates and normalizes a pipeline definition. The result is frozen
 * metadata: defining a pipeline runs no task, evaluates no callback, opens no
 * cache and clones no source.
 *
 * @throws {PipelineError} listing every problem of the definition.
 * @example
 * ```ts
 * import { definePipeline, job, sh, task } from "@async/pipeline";
 *
 * export default definePipeline({
 *   name: "app",
 *   tasks: { test: task({ run: sh`npm test` }) },
 *   jobs: { verify: job({ target: "test" }) },
 * });
 * ```
 */
export function definePipeline(config: PipelineConfig): Pipeline;
/** Returns a pipeline that `definePipeline` already normalized, unchanged. */
export function definePipeline(pipeline: Pipeline): Pipeline;
export function definePipeline(config: PipelineConfig | Pipeline): Pipeline {
  checkArgumentCount("definePipeline", arguments, 1, "pass one config object");
  if (isPipeline(config)) return config;
  return normalizePipeline(config);
}
