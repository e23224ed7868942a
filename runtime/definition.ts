/** `defineRuntime`: validates a set of runtime tasks as one graph. @module */

import { didYouMean, ErrorCode, PipelineError } from "../core/errors.ts";
import { fieldPath, isRecord, IssueCollector } from "../core/fields.ts";
import { cycleIssue, findCycles, topologicalOrder } from "../core/graph.ts";
import { describeValue } from "./compose.ts";
import { isRuntimeTask } from "./task.ts";
import type { RuntimeDefinition, RuntimeInfo, RuntimeTask } from "./types.ts";

/**
 * Validates runtime tasks as one dependency graph and freezes them into a definition.
 * Every problem is reported in one error: a duplicate id (`ASYNC_PIPELINE_DUPLICATE_ID`),
 * a dependency on an unknown task (`ASYNC_PIPELINE_UNKNOWN_TASK`) and a dependency cycle
 * (`ASYNC_PIPELINE_DEPENDENCY_CYCLE`), the same codes the pipeline layer uses.
 *
 * @example
 * ```ts
 * import { defineRuntime, task } from "@async/pipeline/runtime";
 *
 * const work = defineRuntime([
 *   task({ id: "load" }, async (ctx) => [ctx.input]),
 *   task({ id: "count", dependsOn: ["load"] }, (ctx) => (ctx.dependencies.load as unknown[]).length),
 * ]);
 * ```
 */
export function defineRuntime(tasks: readonly RuntimeTask[]): RuntimeDefinition {
  if (!Array.isArray(tasks)) {
    throw new PipelineError(
      ErrorCode.INVALID_FIELD,
      `defineRuntime(tasks): tasks is ${describeValue(tasks)}, expected an array of task(...).`,
      { path: "tasks", hint: 'Write defineRuntime([task({ id: "a" }, handler)]).' },
    );
  }
  const issues = new IssueCollector();
  const byId = collectTasks(issues, tasks);
  checkDependencies(issues, byId);
  if (issues.issues.length > 0) throw PipelineError.fromIssues(issues.issues, "runtime definition");

  const order = topologicalOrder(Object.fromEntries(byId), [...byId.keys()]);
  return Object.freeze({
    kind: "runtime-definition",
    tasks: Object.freeze([...byId.values()]),
    order: Object.freeze(order),
  });
}

/** Returns true for a value built by `defineRuntime(...)`. */
export function isRuntimeDefinition(value: unknown): value is RuntimeDefinition {
  return isRecord(value) && value.kind === "runtime-definition";
}

/** Describes a definition as plain data, without running or calling anything. */
export function inspectDefinition(definition: RuntimeDefinition): RuntimeInfo {
  return Object.freeze({
    tasks: Object.freeze(definition.tasks.map((task) =>
      Object.freeze({
        id: task.id,
        ...(task.description === undefined ? {} : { description: task.description }),
        dependsOn: task.dependsOn,
        directives: task.directives,
        ...(task.cache === undefined ? {} : { cache: task.cache }),
        steps: task.steps,
      })
    )),
    order: definition.order,
  });
}

/** Builds a map of tasks by id, reporting items that are not tasks and repeated ids. */
function collectTasks(
  issues: IssueCollector,
  tasks: readonly unknown[],
): Map<string, RuntimeTask> {
  const byId = new Map<string, RuntimeTask>();
  const firstIndex = new Map<string, number>();

  tasks.forEach((item, index) => {
    if (!isRuntimeTask(item)) {
      const isPipelineTask = isRecord(item) && item.kind === "task";
      issues.add({
        code: ErrorCode.RUNTIME_INVALID_ITEM,
        path: `tasks[${index}]`,
        message: `tasks[${index}] is ${describeValue(item)}, expected a runtime task(...).`,
        hint: isPipelineTask
          ? 'This is a pipeline task. Import task from "@async/pipeline/runtime" instead.'
          : 'Build each item with task({ id }, handler) from "@async/pipeline/runtime".',
      });
      return;
    }
    const earlier = firstIndex.get(item.id);
    if (earlier !== undefined) {
      issues.add({
        code: ErrorCode.DUPLICATE_ID,
        path: `tasks[${index}].id`,
        message: `duplicate task id "${item.id}", already used by tasks[${earlier}].`,
        hint: "Give each task a unique id.",
      });
      return;
    }
    firstIndex.set(item.id, index);
    byId.set(item.id, item);
  });

  return byId;
}

function checkDependencies(issues: IssueCollector, byId: Map<string, RuntimeTask>): void {
  const ids = [...byId.keys()];
  for (const task of byId.values()) {
    for (const dep of task.dependsOn) {
      if (byId.has(dep)) continue;
      issues.add({
        code: ErrorCode.UNKNOWN_TASK,
        path: `${fieldPath("tasks", task.id)}.dependsOn`,
        message: `unknown task "${dep}".`,
        hint: didYouMean(dep, ids) || `Known tasks: ${ids.join(", ") || "none"}.`,
      });
    }
  }

  for (const cycle of findCycles(Object.fromEntries(byId))) issues.add(cycleIssue(cycle));
}
