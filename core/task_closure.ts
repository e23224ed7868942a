/**
 * The tasks a run of some targets needs, and the sources whose tasks it
 * references but the pipeline does not contain yet. Pure: no I/O.
 *
 * @module
 */

import { dependencyClosure, topologicalOrder } from "./graph.ts";
import type { NormalizedTask, Pipeline } from "./model.ts";

/** Returns the source id of a `<source>:<task>` reference, or undefined for a root task id. */
export function sourceOfReference(pipeline: Pipeline, id: string): string | undefined {
  if (Object.hasOwn(pipeline.tasks, id)) return undefined;
  const separator = id.indexOf(":");
  if (separator <= 0) return undefined;
  const namespace = id.slice(0, separator);
  return Object.hasOwn(pipeline.sources, namespace) ? namespace : undefined;
}

/** The tasks and pending sources of a run, as {@link taskClosure} returns them. */
export interface TaskClosure {
  /** The targets the pipeline contains and their dependencies, each after its dependencies. */
  readonly tasks: readonly NormalizedTask[];
  /** Sources whose tasks the targets reference but the pipeline does not contain yet, sorted. */
  readonly sourceIds: readonly string[];
}

/**
 * Returns the tasks that `targets` need, in dependency order, and the
 * sources whose tasks they reference but `pipeline` does not contain yet.
 */
export function taskClosure(pipeline: Pipeline, targets: readonly string[]): TaskClosure {
  const local = (id: string) => Object.hasOwn(pipeline.tasks, id);
  const nodes = Object.fromEntries(
    Object.entries(pipeline.tasks).map(([id, task]) => [id, {
      id,
      dependsOn: task.dependsOn.filter(local),
    }]),
  );
  const ids = dependencyClosure(nodes, targets.filter(local));
  const references = [
    ...targets.filter((id) => !local(id)),
    ...ids.flatMap((id) => pipeline.tasks[id].dependsOn.filter((dep) => !local(dep))),
  ];
  const sourceIds = new Set(references.map((id) => sourceOfReference(pipeline, id)));
  sourceIds.delete(undefined);
  return {
    tasks: topologicalOrder(nodes, ids).map((id) => pipeline.tasks[id]),
    sourceIds: [...sourceIds as Set<string>].sort(),
  };
}
