/**
 * `@async/pipeline/runtime`: an embeddable workflow engine for code that runs inside an
 * application. Middleware composes with `compose`, `parallel` and `branch`. `task` adds
 * ids, dependencies and cache directives, `defineRuntime` validates the task graph, and
 * `createRuntime` runs it with a structured result per task.
 *
 * @example
 * ```ts
 * import { branch, compose, createRuntime, defineRuntime, parallel, task } from "@async/pipeline/runtime";
 *
 * const runtime = createRuntime(defineRuntime([
 *   task({ id: "checks" }, parallel([async () => "lint", async () => "test"])),
 *   task({ id: "report", dependsOn: ["checks"] }, compose(
 *     branch((ctx) => ctx.input === "verbose", async (ctx) => ctx.dependencies.checks, async () => "ok"),
 *   )),
 * ]));
 * const result = await runtime.run("verbose");
 * ```
 *
 * @module
 */

export { VERSION } from "../core/version.ts";
export { branch, compose } from "./compose.ts";
export { parallel } from "./parallel.ts";
export { cache, task } from "./task.ts";
export { defineRuntime } from "./definition.ts";
export { createRuntime } from "./runtime.ts";
export type {
  BranchPredicate,
  ComposeItem,
  Middleware,
  Next,
  ParallelOptions,
  Runtime,
  RuntimeCacheDirective,
  RuntimeContext,
  RuntimeDefinition,
  RuntimeDirectiveInfo,
  RuntimeInfo,
  RuntimeOptions,
  RuntimeRunOptions,
  RuntimeRunResult,
  RuntimeStep,
  RuntimeTask,
  RuntimeTaskConfig,
  RuntimeTaskError,
  RuntimeTaskInfo,
  RuntimeTaskResult,
  StepInfo,
} from "./types.ts";
