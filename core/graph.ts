/** Graph helpers over normalized tasks: cycles, closures and execution order. @module */

import { ErrorCode, PipelineError, type PipelineIssue } from "./errors.ts";
import { fieldPath } from "./fields.ts";

/** Minimal view of a task for graph algorithms. */
export interface GraphNode {
  readonly id: string;
  readonly dependsOn: readonly string[];
}

/** Returns the validation issue that reports `cycle`, a closed path from {@link findCycle}. */
export function cycleIssue(cycle: readonly string[]): PipelineIssue {
  return {
    code: ErrorCode.DEPENDENCY_CYCLE,
    path: `${fieldPath("tasks", cycle[0])}.dependsOn`,
    message: `dependency cycle: ${cycle.join(" -> ")}.`,
    hint: "Remove one of the dependsOn entries in the cycle.",
  };
}

/**
 * Finds one dependency cycle and returns it as a closed path
 * (`["a", "b", "a"]`), or undefined. Dependencies missing from `nodes` are skipped.
 */
export function findCycle(nodes: Readonly<Record<string, GraphNode>>): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];

  const visit = (id: string): string[] | undefined => {
    state.set(id, "visiting");
    stack.push(id);
    for (const dep of nodes[id].dependsOn) {
      if (!(dep in nodes)) continue;
      const seen = state.get(dep);
      if (seen === "visiting") return [...stack.slice(stack.indexOf(dep)), dep];
      if (seen === undefined) {
        const cycle = visit(dep);
        if (cycle) return cycle;
      }
    }
    stack.pop();
    state.set(id, "done");
    return undefined;
  };

  for (const id of Object.keys(nodes).sort()) {
    if (state.has(id)) continue;
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Returns `targets` and everything they depend on, transitively, in sorted order. */
export function dependencyClosure(
  nodes: Readonly<Record<string, GraphNode>>,
  targets: readonly string[],
): string[] {
  const seen = new Set<string>();
  const pending = [...targets];
  while (pending.length > 0) {
    const id = pending.pop() as string;
    if (seen.has(id)) continue;
    const node = nodes[id];
    if (!node) {
      throw new PipelineError(ErrorCode.UNKNOWN_TASK, `Unknown task "${id}".`, {
        hint: "Check the job target and the tasks' dependsOn.",
      });
    }
    seen.add(id);
    pending.push(...node.dependsOn);
  }
  return [...seen].sort();
}

/**
 * Orders `ids` so each task comes after its dependencies; ties break by id so
 * the order is stable.
 */
export function topologicalOrder(
  nodes: Readonly<Record<string, GraphNode>>,
  ids: readonly string[],
): string[] {
  const included = new Set(ids);
  const remaining = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const id of ids) {
    const deps = nodes[id].dependsOn.filter((dep) => included.has(dep));
    remaining.set(id, deps.length);
    for (const dep of deps) {
      const list = dependents.get(dep) ?? [];
      list.push(id);
      dependents.set(dep, list);
    }
  }
  const ready = ids.filter((id) => remaining.get(id) === 0).sort();
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift() as string;
    order.push(id);
    for (const next of dependents.get(id) ?? []) {
      const left = (remaining.get(next) as number) - 1;
      remaining.set(next, left);
      if (left === 0) {
        ready.push(next);
        ready.sort();
      }
    }
  }
  if (order.length !== ids.length) {
    const cycle = findCycle(Object.fromEntries(ids.map((id) => [id, nodes[id]])));
    throw new PipelineError(
      ErrorCode.DEPENDENCY_CYCLE,
      `Dependency cycle: ${(cycle ?? []).join(" -> ")}.`,
      { hint: "Remove one of the dependsOn entries in the cycle." },
    );
  }
  return order;
}
