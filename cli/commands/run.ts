/** `async-pipeline run <job>` and `run-task <task>`. @module */

import { ErrorCode, PipelineError } from "../../core/errors.ts";
import { type LoadedPipeline, loadPipeline } from "../../node/load.ts";
import { printablePath } from "../../node/printable.ts";
import { recordText } from "../../node/records.ts";
import { defaultTaskCache, executeRun } from "../../node/runner/run_job.ts";
import type { RunEvent } from "../../node/runner/events.ts";
import { STALL_MS } from "../../node/write_sync.ts";
import { parseCommandArgs, parseFormat, parsePositiveInt } from "../args.ts";
import type { CliContext } from "../io.ts";
import { styles, textPresenter, useColor } from "../presenters/text.ts";
import type { CliCommand } from "../registry.ts";
import { RUN, RUN_TASK } from "./specs.ts";
import { cliCommand } from "../../node/cli_command.ts";

async function runTarget(target: "job" | "task", args: string[], ctx: CliContext) {
  const command = target === "job" ? "run" : "run-task";
  const { values, positionals } = parseCommandArgs(command, args, {
    concurrency: { type: "string" },
    force: { type: "boolean" },
    "dry-run": { type: "boolean" },
    format: { type: "string" },
    config: { type: "string" },
    sandbox: { type: "string" },
    wait: { type: "boolean" },
  });
  if (positionals.length !== 1) {
    throw new PipelineError(
      ErrorCode.USAGE,
      `${command} expects one ${target} id, got ${
        positionals.length === 0 ? "none" : positionals.join(" ")
      }.`,
      { hint: `Run \`${cliCommand()} ${command} --help\` for usage.` },
    );
  }
  const format = parseFormat(values.format, ["text", "json"] as const, "text");
  const concurrency = parsePositiveInt(command, "concurrency", values.concurrency);
  const loaded = await loadPipeline(ctx.cwd, values.config);
  if (values["dry-run"]) {
    return await dryRun(target, positionals[0], loaded, {
      force: values.force === true,
      format,
      sandbox: values.sandbox,
    }, ctx);
  }
  const presenter = format === "text"
    ? textPresenter(ctx.stdout, { color: useColor(ctx.stdout, ctx.env), cwd: ctx.cwd })
    : undefined;
  if (presenter) {
    for (const warning of loaded.pipeline.warnings) {
      presenter({ type: "warning", message: `${warning.path}: ${warning.message}` });
    }
  }

  // A run that stops before its tasks throws after writing a failed record,
  // which `--format json` still prints, so scripts read the same shape.
  let recordPath: string | undefined;
  const printStopped = (event: RunEvent) => {
    if (event.type !== "run-finished") return;
    recordPath = event.recordPath;
    if (event.thrown) {
      closedNote(ctx, event.recordPath);
      ctx.stdout.write(recordText(event.record));
    }
  };
  // A step that calls process.exit() ends the process inside the run, so the
  // record the run closes then is printed at once, before the process ends.
  const printOnExit = (text: string, recordPath: string) => {
    if (!ctx.stdout.writeNow) return ctx.stdout.write(text);
    try {
      ctx.stdout.writeNow(text);
    } catch (error) {
      // The write gave up on a reader that took nothing, so stdout has a part of the record.
      if ((error as NodeJS.ErrnoException).code === "EAGAIN") {
        const line = `warning: the record on stdout is incomplete, because its reader took ` +
          `nothing for ${STALL_MS / 1000} seconds. The whole record: ${
            printablePath(recordPath)
          }\n`;
        ctx.stderr.writeNow ? ctx.stderr.writeNow(line) : ctx.stderr.write(line);
      }
      throw error;
    }
  };
  const record = await executeRun(loaded.pipeline, {
    id: positionals[0],
    ...(concurrency !== undefined ? { concurrency } : {}),
    force: values.force === true,
    echo: format === "text",
    cwd: loaded.dir,
    env: ctx.env,
    ...(values.sandbox !== undefined ? { sandbox: values.sandbox } : {}),
    waitForLock: values.wait === true,
  }, {
    target,
    signal: ctx.signal,
    onLockWait: (active) => ctx.stderr.write(`waiting for the run lock: ${active.message}\n`),
    createCache: defaultTaskCache,
    onEvent: presenter ?? printStopped,
    ...(format === "json" ? { onExitRecord: printOnExit } : {}),
  });

  if (format === "json") {
    if (recordPath !== undefined) closedNote(ctx, recordPath);
    ctx.stdout.write(recordText(record));
  }
  return record.status === "passed" ? 0 : 1;
}

/** Names the record file on stderr in case stdout's reader leaves before it read the record. */
function closedNote(ctx: CliContext, recordPath: string): void {
  ctx.stdout.onClosedNote?.(
    `warning: stdout closed before the whole record was written. The record: ${
      printablePath(recordPath)
    }\n`,
  );
}

async function dryRun(
  target: "job" | "task",
  id: string,
  loaded: LoadedPipeline,
  options: { force: boolean; format: "text" | "json"; sandbox?: string },
  ctx: CliContext,
): Promise<number> {
  // Imported here so that a plain run does not load the planner and its presenter.
  const [{ planJob }, { renderPlan }] = await Promise.all([
    import("../../node/runner/dry_run.ts"),
    import("../presenters/plan.ts"),
  ]);
  const plan = await planJob(loaded.pipeline, {
    id,
    target,
    force: options.force,
    cwd: loaded.dir,
    env: ctx.env,
    ...(options.sandbox !== undefined ? { sandbox: options.sandbox } : {}),
  });
  if (options.format === "json") {
    ctx.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
    return 0;
  }
  const style = styles(useColor(ctx.stdout, ctx.env));
  for (const warning of loaded.pipeline.warnings) {
    ctx.stdout.write(`${style.yellow("warning:")} ${warning.path}: ${warning.message}\n`);
  }
  ctx.stdout.write(renderPlan(plan, style));
  return 0;
}

/** The run command. */
export const runCommand: CliCommand = {
  ...RUN,
  run: (args, ctx) => runTarget("job", args, ctx),
};

/** The run-task command. */
export const runTaskCommand: CliCommand = {
  ...RUN_TASK,
  run: (args, ctx) => runTarget("task", args, ctx),
};
