/** `async-pipeline metadata`: describe the pipeline without running anything. @module */

import { ErrorCode, PipelineError } from "../../core/errors.ts";
import { pipelineMetadata } from "../../core/metadata.ts";
import { loadPipeline } from "../../node/load.ts";
import { parseCommandArgs, parseFormat } from "../args.ts";
import type { CliContext } from "../io.ts";
import type { CliCommand } from "../registry.ts";

async function runMetadata(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs("metadata", args, {
    format: { type: "string" },
    config: { type: "string" },
    "include-sources": { type: "boolean" },
  }, false);
  const format = parseFormat(values.format, ["json", "text"] as const, "text");
  const loaded = await loadPipeline(ctx.cwd, values.config);
  const metadata = pipelineMetadata(loaded.pipeline);
  if (values["include-sources"]) {
    // TODO: read source pipelines once composed sources are implemented.
    throw new PipelineError(
      ErrorCode.NOT_IMPLEMENTED,
      "metadata --include-sources is not implemented in this version.",
    );
  }
  if (format === "json") {
    ctx.stdout.write(`${JSON.stringify(metadata, null, 2)}\n`);
    return 0;
  }
  ctx.stdout.write(renderText(loaded.pipeline.name, metadata));
  return 0;
}

function renderText(name: string, metadata: Record<string, unknown>): string {
  const lines = [`pipeline ${name}`];
  const tasks = metadata.tasks as Record<
    string,
    {
      dependsOn: string[];
      steps: { type: string; command?: string; name?: string }[];
      cache: { enabled: boolean; ref?: string };
    }
  >;
  lines.push("", "tasks:");
  for (const [id, task] of Object.entries(tasks)) {
    const deps = task.dependsOn.length ? ` (after ${task.dependsOn.join(", ")})` : "";
    const cache = task.cache.enabled ? ` [cache ${task.cache.ref}]` : "";
    lines.push(`  ${id}${deps}${cache}`);
    for (const step of task.steps) {
      lines.push(
        `    ${
          step.type === "shell"
            ? `$ ${step.command}`
            : step.type === "function"
            ? `fn ${step.name}()`
            : "sh((ctx) => ...)"
        }`,
      );
    }
  }
  const jobs = metadata.jobs as Record<string, { targets: string[]; triggers: string[] }>;
  lines.push("", "jobs:");
  for (const [id, job] of Object.entries(jobs)) {
    const triggers = job.triggers.length ? ` on ${job.triggers.join(", ")}` : "";
    lines.push(`  ${id} -> ${job.targets.join(", ")}${triggers}`);
  }
  const warnings = metadata.warnings as { path: string; message: string }[];
  if (warnings.length > 0) {
    lines.push("", "warnings:");
    for (const warning of warnings) lines.push(`  ${warning.path}: ${warning.message}`);
  }
  return lines.join("\n") + "\n";
}

/** The metadata command. */
export const metadataCommand: CliCommand = {
  path: ["metadata"],
  usage: "metadata [--format json|text] [--include-sources] [--config <path>]",
  summary: "Print the pipeline's tasks, jobs, triggers and settings without running anything.",
  options: [
    "--format json|text    Output format (default text)",
    "--include-sources     Also read source pipelines already on disk (never clones)",
    "--config <path>       Pipeline file (default: pipeline.ts in the working directory)",
  ],
  run: runMetadata,
};
