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
  return findCycles(nodes, 1)[0];
}

/**
 * Finds the dependency cycles of `nodes` and returns each as a closed path
 * (`["a", "b", "a"]`), at most `limit` of them. A depth-first search from each task,
 * in sorted order, reports one cycle for each dependency that leads back to a task
 * on its path. Removing that dependency of every reported cycle leaves no cycle.
 * Dependencies missing from `nodes` are skipped.
 */
export function findCycles(
  nodes: Readonly<Record<string, GraphNode>>,
  limit = Infinity,
): string[][] {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const found = new Set<string>();

  const visit = (id: string): void => {
    state.set(id, "visiting");
    stack.push(id);
    for (const dep of nodes[id].dependsOn) {
      if (cycles.length >= limit) return;
      if (!(dep in nodes)) continue;
      const seen = state.get(dep);
      if (seen === "visiting") {
        const cycle = [...stack.slice(stack.indexOf(dep)), dep];
        // A dependency listed twice closes the same cycle twice.
        const key = JSON.stringify(cycle);
        if (!found.has(key)) {
          found.add(key);
          cycles.push(cycle);
        }
      } else if (seen === undefined) {
        visit(dep);
      }
    }
    stack.pop();
    state.set(id, "done");
  };

  for (const id of Object.keys(nodes).sort()) {
    if (cycles.length >= limit) break;
    if (!state.has(id)) visit(id);
  }
  return cycles;
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
