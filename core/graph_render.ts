/** Rendering the task graph as Mermaid, Graphviz dot or JSON. @module */

import { ErrorCode, PipelineError } from "./errors.ts";
import { dependencyClosure, topologicalOrder } from "./graph.ts";
import type { NormalizedTask, Pipeline } from "./model.ts";

/** A node of the rendered graph. */
export interface GraphViewNode {
  id: string;
  /** Source id for namespaced tasks. */
  source?: string;
  /** True for a `<source>:<task>` reference whose pipeline was not loaded. */
  external?: boolean;
  dependsOn: string[];
}

/** The graph of a job (its targets and their dependencies) or of the whole pipeline. */
export interface GraphView {
  job?: string;
  targets: string[];
  /** Nodes in execution order. */
  nodes: GraphViewNode[];
  /** Edges from a dependency to the task that needs it. */
  edges: { from: string; to: string }[];
}

/** Output formats of `async-pipeline graph`. */
export type GraphFormat = "mermaid" | "dot" | "json";

function externalNodes(
  tasks: Readonly<Record<string, NormalizedTask>>,
): Record<string, { id: string; dependsOn: string[] }> {
  const nodes: Record<string, { id: string; dependsOn: string[] }> = {};
  for (const task of Object.values(tasks)) {
    for (const dep of task.dependsOn) {
      if (!(dep in tasks)) nodes[dep] = { id: dep, dependsOn: [] };
    }
  }
  return nodes;
}

/**
 * Builds the graph view of `jobId`, or of the whole pipeline when it is
 * undefined: every root task and job target with what they depend on.
 * Composed source tasks appear only where something depends on them.
 * Source tasks that are not part of `pipeline.tasks` appear as external nodes.
 */
export function buildGraphView(pipeline: Pipeline, jobId?: string): GraphView {
  const nodes: Record<string, { id: string; dependsOn: readonly string[] }> = {
    ...externalNodes(pipeline.tasks),
    ...pipeline.tasks,
  };
  let targets: string[];
  if (jobId === undefined) {
    const rootTasks = Object.values(pipeline.tasks).filter((task) => task.source === undefined);
    const jobTargets = Object.values(pipeline.jobs).flatMap((job) => job.targets);
    targets = [...new Set([...rootTasks.map((task) => task.id), ...jobTargets])].sort();
    for (const target of targets) nodes[target] ??= { id: target, dependsOn: [] };
  } else {
    const job = pipeline.jobs[jobId];
    if (!job) {
      throw new PipelineError(ErrorCode.UNKNOWN_JOB, `Unknown job "${jobId}".`, {
        hint: `Jobs: ${Object.keys(pipeline.jobs).join(", ") || "none declared"}.`,
      });
    }
    targets = [...job.targets];
    for (const target of targets) nodes[target] ??= { id: target, dependsOn: [] };
  }
  const ids = dependencyClosure(nodes, targets);
  const order = topologicalOrder(nodes, ids);
  const edges = order.flatMap((id) => nodes[id].dependsOn.map((dep) => ({ from: dep, to: id })));
  return {
    ...(jobId !== undefined ? { job: jobId } : {}),
    targets,
    nodes: order.map((id) => {
      const task = pipeline.tasks[id];
      const namespace = id.includes(":") ? id.split(":")[0] : undefined;
      const source = task?.source ??
        (namespace && namespace in pipeline.sources ? namespace : undefined);
      return {
        id,
        ...(source ? { source } : {}),
        ...(task ? {} : { external: true }),
        dependsOn: [...nodes[id].dependsOn],
      };
    }),
    edges,
  };
}

function mermaidId(index: Map<string, number>, id: string): string {
  return `t${index.get(id)}`;
}

function renderMermaid(view: GraphView, index: Map<string, number>): string {
  const lines = ["flowchart LR"];
  const nodeLine = (node: GraphViewNode, indent: string) =>
    `${indent}${mermaidId(index, node.id)}["${node.id.replaceAll('"', "#quot;")}"]`;
  const bySource = new Map<string, GraphViewNode[]>();
  for (const node of view.nodes) {
    if (node.source) bySource.set(node.source, [...(bySource.get(node.source) ?? []), node]);
    else lines.push(nodeLine(node, "  "));
  }
  for (const [source, members] of bySource) {
    lines.push(`  subgraph ${source}`);
    for (const node of members) lines.push(nodeLine(node, "    "));
    lines.push("  end");
  }
  for (const edge of view.edges) {
    lines.push(`  ${mermaidId(index, edge.from)} --> ${mermaidId(index, edge.to)}`);
  }
  const external = view.nodes.filter((node) => node.external);
  if (external.length > 0) {
    lines.push("  classDef external stroke-dasharray: 4 4");
    lines.push(`  class ${external.map((node) => mermaidId(index, node.id)).join(",")} external`);
  }
  return `${lines.join("\n")}\n`;
}

/** Renders a graph view; edges point from a dependency to the task that needs it. */
export function renderGraph(view: GraphView, format: GraphFormat): string {
  if (format === "json") return `${JSON.stringify(view, null, 2)}\n`;
  const index = new Map(view.nodes.map((node, position) => [node.id, position]));
  if (format === "mermaid") return renderMermaid(view, index);
  const quote = (text: string) => `"${text.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
  const lines = ["digraph pipeline {", "  rankdir=LR;"];
  const bySource = new Map<string, GraphViewNode[]>();
  for (const node of view.nodes) {
    if (node.source) bySource.set(node.source, [...(bySource.get(node.source) ?? []), node]);
    else lines.push(`  ${quote(node.id)};`);
  }
  for (const [source, members] of bySource) {
    lines.push(`  subgraph ${quote(`cluster_${source}`)} {`, `    label=${quote(source)};`);
    for (const node of members) {
      lines.push(`    ${quote(node.id)}${node.external ? " [style=dashed]" : ""};`);
    }
    lines.push("  }");
  }
  for (const edge of view.edges) lines.push(`  ${quote(edge.from)} -> ${quote(edge.to)};`);
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
