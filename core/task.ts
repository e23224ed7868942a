/** The `task` and `job` builders and the `dependsOn` directive. @module */

import { ErrorCode, PipelineError } from "./errors.ts";
import { checkArgumentCount } from "./fields.ts";
import type {
  DependsOnDirective,
  JobConfig,
  JobDefinition,
  TaskConfig,
  TaskDefinition,
  TaskRun,
} from "./types.ts";

/**
 * Declares a task. The steps are given as `config.run`, or as the second
 * argument (one step or an array of steps and directives), not both.
 *
 * @example
 * ```ts
 * import { sh, task } from "@async/pipeline";
 * const build = task({ inputs: ["src/**"], outputs: ["dist/**"] }, sh`tsc -p .`);
 * ```
 */
export function task(config: TaskConfig, run?: TaskRun): TaskDefinition {
  checkArgumentCount(
    "task",
    arguments,
    2,
    "pass the config and at most one step or array of steps, task(config, [step1, step2])",
  );
  const isStep = typeof config === "object" && config !== null && "kind" in config;
  if (typeof config !== "object" || config === null || Array.isArray(config) || isStep) {
    throw new PipelineError(
      ErrorCode.INVALID_FIELD,
      "task(config, run?) expects a config object as its first argument.",
      { hint: "Write task({}, sh`cmd`) for a task with no other settings." },
    );
  }
  if (run !== undefined && config.steps !== undefined) {
    throw new PipelineError(
      ErrorCode.TASK_ARGUMENT_CONFLICT,
      "task() received steps twice: in config.steps and as the second argument.",
      { path: "steps", hint: "Keep one: either config.steps or the second argument." },
    );
  }
  if (run !== undefined && config.run !== undefined) {
    throw new PipelineError(
      ErrorCode.TASK_ARGUMENT_CONFLICT,
      "task() received steps twice: in config.run and as the second argument.",
      { path: "run", hint: "Keep one: either config.run or the second argument." },
    );
  }
  const merged: TaskConfig = run === undefined ? { ...config } : { ...config, run };
  return Object.freeze({ kind: "task", config: Object.freeze(merged) });
}

/** Declares a job: a named entrypoint into the task graph. */
export function job(config: JobConfig): JobDefinition {
  checkArgumentCount(
    "job",
    arguments,
    1,
    'pass one config object; a job runs tasks through target, job({ target: "build" })',
  );
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new PipelineError(
      ErrorCode.INVALID_FIELD,
      'job(config) expects a config object such as { target: "build" }.',
    );
  }
  return Object.freeze({ kind: "job", config: Object.freeze({ ...config }) });
}

/** Directive that adds dependencies to the task whose steps contain it. */
export function dependsOn(...ids: string[]): DependsOnDirective {
  const flat = ids.flat();
  if (flat.length === 0 || !flat.every((id) => typeof id === "string" && id !== "")) {
    throw new PipelineError(
      ErrorCode.INVALID_FIELD,
      "dependsOn(...) expects one or more task ids.",
    );
  }
  return Object.freeze({ kind: "directive", type: "dependsOn", ids: Object.freeze(flat) });
}

/** Returns true for a value built by `task(...)`. */
export function isTaskDefinition(value: unknown): value is TaskDefinition {
  return typeof value === "object" && value !== null && (value as TaskDefinition).kind === "task";
}

/** Returns true for a value built by `job(...)`. */
export function isJobDefinition(value: unknown): value is JobDefinition {
  return typeof value === "object" && value !== null && (value as JobDefinition).kind === "job";
}
