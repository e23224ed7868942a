/** `async-pipeline graph`: print the task graph of a job or of the whole pipeline. @module */

import { buildGraphView, type GraphFormat, renderGraph } from "../../core/graph_render.ts";
import { loadPipeline } from "../../node/load.ts";
import { inspectSources } from "../../node/sources/inspect.ts";
import { parseCommandArgs, parseFormat } from "../args.ts";
import type { CliContext } from "../io.ts";
import type { CliCommand } from "../registry.ts";
import { GRAPH } from "./specs.ts";

async function runGraph(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs("graph", args, {
    format: { type: "string" },
    config: { type: "string" },
  });
  const format = parseFormat<GraphFormat>(values.format, ["mermaid", "dot", "json"], "mermaid");
  const loaded = await loadPipeline(ctx.cwd, values.config);
  const { pipeline } = await inspectSources(loaded.pipeline, loaded.dir, ctx.env);
  ctx.stdout.write(renderGraph(buildGraphView(pipeline, positionals[0]), format));
  return 0;
}

/** The graph command. */
export const graphCommand: CliCommand = { ...GRAPH, run: runGraph };
