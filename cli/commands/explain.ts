/** `async-pipeline explain <task>`: why a task of a recorded run missed the cache. @module */

import { dirname, relative } from "node:path";
import { didYouMean, ErrorCode, isPipelineError, PipelineError } from "../../core/errors.ts";
import { findPipelineFile, loadPipeline } from "../../node/load.ts";
import { findRecordedTask, type RecordedTask } from "../../node/run_history.ts";
import { parseCommandArgs, parseFormat } from "../args.ts";
import type { CliContext } from "../io.ts";
import { renderExplanation } from "../presenters/explain.ts";
import { missSummary } from "../presenters/miss.ts";
import { styles, useColor } from "../presenters/text.ts";
import type { CliCommand } from "../registry.ts";
import { EXPLAIN } from "./specs.ts";
import { cliCommand, projectCommand } from "../../node/cli_command.ts";
import { printablePath } from "../../node/printable.ts";

/**
 * Returns the project directory: where the pipeline file is. Without one
 * (and without `--config`) it is the working directory, so records can be
 * read while the pipeline file is missing.
 */
async function projectDirectory(
  ctx: CliContext,
  config: string | undefined,
): Promise<{ dir: string; pipelineFound: boolean }> {
  try {
    return { dir: dirname(await findPipelineFile(ctx.cwd, config)), pipelineFound: true };
  } catch (error) {
    const missing = isPipelineError(error) && error.code === ErrorCode.CONFIG_NOT_FOUND;
    if (config === undefined && missing) return { dir: ctx.cwd, pipelineFound: false };
    throw error;
  }
}

/**
 * Returns `error` with a note that the working directory has no pipeline
 * file either, when no run was found there: the command most likely started
 * outside the project, such as in a workspace member.
 */
function outsideProjectError(error: unknown, cwd: string): unknown {
  if (!isPipelineError(error) || error.code !== ErrorCode.RUN_NOT_FOUND) return error;
  return new PipelineError(
    ErrorCode.RUN_NOT_FOUND,
    `${error.message} No pipeline file is in ${printablePath(cwd)} either.`,
    { hint: "Run explain in the pipeline file's directory, or pass --config <path>." },
  );
}

/**
 * Returns the error for a task that no recorded run includes: a task that the
 * pipeline does not define gets `ASYNC_PIPELINE_UNKNOWN_TASK` with the
 * nearest task id. Any other error, or a pipeline that does not load (which
 * explain does not need otherwise), returns `error` unchanged.
 */
async function unknownTaskError(
  ctx: CliContext,
  config: string | undefined,
  taskId: string,
  error: unknown,
): Promise<unknown> {
  if (!isPipelineError(error) || error.code !== ErrorCode.UNKNOWN_TASK) return error;
  let loaded;
  try {
    loaded = await loadPipeline(ctx.cwd, config);
  } catch {
    return error;
  }
  const { tasks, sources } = loaded.pipeline;
  // A task of a source is named `<source>:<task>` and is not among the pipeline's own tasks.
  const colon = taskId.indexOf(":");
  if (taskId in tasks || (colon > 0 && taskId.slice(0, colon) in sources)) return error;
  const ids = Object.keys(tasks).sort();
  return new PipelineError(
    ErrorCode.UNKNOWN_TASK,
    `"${taskId}" is not a task of the pipeline in ${
      relative(ctx.cwd, loaded.path) || loaded.path
    }.`,
    { hint: didYouMean(taskId, ids) || `Tasks: ${ids.join(", ") || "none"}.` },
  );
}

/** Builds the machine-readable explanation: the task's cache fields and a one-line summary. */
function explanationJson({ record, result }: RecordedTask) {
  return {
    runId: record.id,
    jobId: record.jobId,
    runStatus: record.status,
    startedAt: record.startedAt,
    task: result.id,
    status: result.status,
    cacheHit: result.cacheHit,
    ...(result.cacheKey !== undefined ? { cacheKey: result.cacheKey } : {}),
    ...(result.cacheMiss !== undefined
      ? { cacheMiss: result.cacheMiss, summary: missSummary(result.cacheMiss) }
      : {}),
    ...(result.warnings !== undefined ? { warnings: result.warnings } : {}),
  };
}

async function runExplain(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs("explain", args, {
    run: { type: "string" },
    format: { type: "string" },
    config: { type: "string" },
  });
  if (positionals.length !== 1) {
    throw new PipelineError(
      ErrorCode.USAGE,
      `explain expects one task id, got ${
        positionals.length === 0 ? "none" : positionals.join(" ")
      }.`,
      { hint: `Run \`${cliCommand()} explain --help\` for usage.` },
    );
  }
  const format = parseFormat(values.format, ["text", "json"] as const, "text");
  const project = await projectDirectory(ctx, values.config);
  const recorded = await findRecordedTask(project.dir, positionals[0], values.run).catch(
    async (error) => {
      if (!project.pipelineFound) throw outsideProjectError(error, ctx.cwd);
      throw await unknownTaskError(ctx, values.config, positionals[0], error);
    },
  );
  if (recorded.unreadable !== undefined) {
    const ids = recorded.unreadable.join(", ");
    ctx.stderr.write(
      `warning: passed over the unreadable record of newer runs (${ids}); ` +
        `this explains run ${recorded.record.id}. ` +
        `\`${projectCommand(`explain ${positionals[0]} --run <id>`)}\` names the error of one.\n`,
    );
  }
  if (format === "json") {
    ctx.stdout.write(`${JSON.stringify(explanationJson(recorded), null, 2)}\n`);
  } else {
    ctx.stdout.write(renderExplanation(recorded, styles(useColor(ctx.stdout, ctx.env))));
  }
  return 0;
}

/** The explain command. */
export const explainCommand: CliCommand = { ...EXPLAIN, run: runExplain };
