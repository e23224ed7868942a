/**
 * `@async/pipeline`: pipelines written as typed code, run with a
 * content-addressed cache, rendered into GitHub Actions.
 *
 * @example
 * ```ts
 * import { definePipeline, job, sh, task } from "@async/pipeline";
 *
 * export default definePipeline({
 *   name: "app",
 *   tasks: {
 *     build: task({ inputs: ["src/**"], outputs: ["dist/**"], cache: true }, sh`tsc -p .`),
 *     test: task({ dependsOn: ["build"] }, sh`node --test`),
 *   },
 *   jobs: { verify: job({ target: "test" }) },
 * });
 * ```
 *
 * @module
 */

export * from "./core/mod.ts";
export { runJob } from "./node/runner/run_job.ts";
export type { ExecutionRecord, RunOptions, TaskResult } from "./node/types.ts";
export { runPipelineCli } from "./cli/run_pipeline_cli.ts";
export type { RunPipelineCliOptions, RunPipelineCliResult } from "./cli/run_pipeline_cli.ts";
