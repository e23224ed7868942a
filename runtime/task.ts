/** The runtime `task(...)` boundary and the runtime `cache.use(...)` directive. @module */

import {
  didYouMean,
  ErrorCode,
  formatIssue,
  isPipelineError,
  PipelineError,
  type PipelineIssue,
} from "../core/errors.ts";
import { fieldPath, invalidIdReason, isRecord, IssueCollector } from "../core/fields.ts";
import {
  composeItems,
  describeStep,
  describeValue,
  invalidItemIssue,
  toMiddleware,
} from "./compose.ts";
import type {
  ComposeItem,
  Middleware,
  RuntimeCacheDirective,
  RuntimeDirectiveInfo,
  RuntimeStep,
  RuntimeTask,
  RuntimeTaskConfig,
} from "./types.ts";

/** Fields the runtime `task(config, handler)` accepts in `config`. */
export const RUNTIME_TASK_FIELDS = ["id", "dependsOn", "description"] as const;

/** The only cache ref the runtime provides: an in-memory store that lives for one session. */
export const SESSION_CACHE_REF = "memory:session";

/** Task ids follow the same rule as pipeline task ids. */
const ID_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.:/-]*$/;

/** Directives for the step array of a runtime task. */
export const cache: {
  /**
   * Caches the task's value for the current session. Within one session, a later run
   * with an equal input and equal dependency values reuses the value without running
   * the handler. The runtime supports the ref `memory:session` only.
   */
  use(ref: string): RuntimeCacheDirective;
} = Object.freeze({
  use(ref: string): RuntimeCacheDirective {
    const problem = checkCacheRef(ref);
    if (problem) {
      throw new PipelineError(problem.code, `cache.use(ref): ${formatIssue(problem)}`, {
        hint: problem.hint,
      });
    }
    return Object.freeze({ kind: "directive", type: "cache", ref });
  },
});

/**
 * Declares a runtime task: an id, its dependencies, optional directives and a handler.
 * The handler is one compose item, or a step array whose items run in order and may
 * include `cache.use(...)`. Nothing runs until `runtime.run()`.
 *
 * This is the runtime's own `task`. The `task` exported by `@async/pipeline` declares
 * pipeline tasks and is not accepted by `defineRuntime`.
 *
 * @throws {PipelineError} listing every problem of the config and steps, such as
 *   `ASYNC_PIPELINE_UNKNOWN_FIELD`, `ASYNC_PIPELINE_INVALID_FIELD` or
 *   `ASYNC_PIPELINE_RUNTIME_INVALID_ITEM`.
 *
 * @example
 * ```ts
 * import { cache, task } from "@async/pipeline/runtime";
 *
 * const report = task({ id: "report", dependsOn: ["load"] }, [
 *   cache.use("memory:session"),
 *   async (ctx) => `rows: ${ctx.dependencies.load}`,
 * ]);
 * ```
 */
export function task(
  config: RuntimeTaskConfig,
  handler: ComposeItem | readonly RuntimeStep[],
): RuntimeTask {
  if (!isRecord(config)) {
    throw new PipelineError(
      ErrorCode.INVALID_FIELD,
      "task(config, handler) expects a config object as its first argument.",
      { hint: 'Write task({ id: "build" }, async (ctx) => ...).' },
    );
  }
  const issues = new IssueCollector();
  const id = checkId(issues, config.id);
  // Issue paths start with `tasks.<id>`, as the paths that defineRuntime reports do.
  const base = typeof config.id === "string" ? fieldPath("tasks", config.id) : "task";
  issues.unknownFields(config, RUNTIME_TASK_FIELDS, base);
  const dependsOn = checkDependsOn(issues, base, config.dependsOn);
  if (config.description !== undefined && typeof config.description !== "string") {
    issues.invalid(`${base}.description`, "description must be a string.");
  }
  const steps = checkSteps(issues, base, handler);
  if (issues.issues.length > 0) {
    const subject = typeof config.id === "string" ? `runtime task "${config.id}"` : "runtime task";
    throw PipelineError.fromIssues(issues.issues, subject);
  }

  return Object.freeze({
    kind: "runtime-task",
    id,
    ...(config.description === undefined ? {} : { description: config.description }),
    dependsOn: Object.freeze(dependsOn),
    directives: Object.freeze(steps.directives),
    ...(steps.cache === undefined ? {} : { cache: steps.cache }),
    handler: steps.handler,
    steps: describeStep(steps.handler),
  });
}

/** Returns true for a value built by the runtime `task(...)`. */
export function isRuntimeTask(value: unknown): value is RuntimeTask {
  return isRecord(value) && value.kind === "runtime-task";
}

function checkId(issues: IssueCollector, id: unknown): string {
  if (typeof id === "string" && ID_PATTERN.test(id)) return id;
  const message = typeof id === "string"
    ? `${JSON.stringify(id)} is not a valid task id: ${invalidIdReason(id, ["-", ".", ":", "/"])}.`
    : `id must be a string, got ${describeValue(id)}.`;
  issues.invalid(
    typeof id === "string" ? `${fieldPath("tasks", id)}.id` : "task.id",
    message,
    'Use letters, digits, "_", ".", ":", "/" and "-", starting with a letter, digit or "_".',
  );
  return String(id);
}

function checkDependsOn(issues: IssueCollector, base: string, value: unknown): string[] {
  if (value === undefined) return [];
  const valid = Array.isArray(value) &&
    value.every((dep) => typeof dep === "string" && dep !== "");
  if (!valid) {
    issues.invalid(
      `${base}.dependsOn`,
      "dependsOn must be an array of task ids.",
      'Write dependsOn: ["build"].',
    );
    return [];
  }
  return [...new Set(value as string[])];
}

interface CheckedSteps {
  handler: Middleware;
  directives: RuntimeDirectiveInfo[];
  cache?: string;
}

/** Lifts directives out of the step array and composes the remaining items. */
function checkSteps(issues: IssueCollector, base: string, handler: unknown): CheckedSteps {
  const path = `${base}.handler`;
  const checked: CheckedSteps = { handler: () => undefined, directives: [] };
  if (handler === undefined) {
    issues.invalid(
      path,
      "the task has no handler.",
      "Pass a middleware function, such as task({ id }, async (ctx) => value).",
    );
    return checked;
  }
  if (!Array.isArray(handler)) {
    if (typeof handler === "function") checked.handler = handler as Middleware;
    else issues.add(invalidItemIssue(handler, path));
    return checked;
  }

  const chain: Middleware[] = [];
  handler.forEach((item, index) => {
    const itemPath = `${path}[${index}]`;
    if (!isDirective(item)) {
      collect(issues, () => chain.push(toMiddleware(item, "task(...)", itemPath)));
    } else if (item.type !== "cache") {
      issues.add(invalidItemIssue(item, itemPath));
    } else {
      const problem = checkCacheRef(item.ref);
      if (problem) issues.add({ ...problem, path: itemPath });
      else checked.directives.push(Object.freeze({ type: "cache", ref: SESSION_CACHE_REF }));
    }
  });

  if (checked.directives.length > 1) {
    issues.invalid(path, "the steps contain more than one cache.use(...).", "Keep one.");
  }
  checked.cache = checked.directives[0]?.ref;
  if (handler.length > 0 && handler.every(isDirective)) {
    issues.invalid(
      path,
      "the step array has no middleware to run.",
      "Add a function after the directives, such as [cache.use(ref), async (ctx) => value].",
    );
  }
  checked.handler = composeItems(chain, "task(...)", path);
  return checked;
}

/** Runs `check` and records the issues of the `PipelineError` it throws. */
function collect(issues: IssueCollector, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (!isPipelineError(error)) throw error;
    for (const issue of error.issues) issues.add(issue);
  }
}

function isDirective(
  value: unknown,
): value is { kind: "directive"; type?: unknown; ref?: unknown } {
  return isRecord(value) && value.kind === "directive";
}

/** Checks that `ref` names the session memory cache and returns the problem otherwise. */
function checkCacheRef(ref: unknown): Omit<PipelineIssue, "path"> | undefined {
  if (ref === SESSION_CACHE_REF) return undefined;
  const hint =
    `The runtime caches in memory for one session: use cache.use("${SESSION_CACHE_REF}").`;
  if (typeof ref !== "string" || ref === "") {
    return {
      code: ErrorCode.INVALID_FIELD,
      message: `expected a cache ref such as "${SESSION_CACHE_REF}", got ${describeValue(ref)}.`,
      hint,
    };
  }
  const store = ref.split(":")[0];
  if (store !== "memory") {
    return {
      code: ErrorCode.UNKNOWN_CACHE_STORE,
      message: `cache ref "${ref}" names store "${store}", which the runtime does not provide.`,
      hint: didYouMean(ref, [SESSION_CACHE_REF]) || hint,
    };
  }
  return { code: ErrorCode.INVALID_FIELD, message: `cache ref "${ref}" is not supported.`, hint };
}
