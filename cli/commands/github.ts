/**
 * GitHub commands: `sync github list|generate|check`, their `github
 * generate|check` aliases, and `github run`.
 *
 * @module
 */

import { shellQuote } from "../../core/sh.ts";
import { resolve } from "node:path";
import { ErrorCode, isPipelineError, PipelineError } from "../../core/errors.ts";
import {
  checkGithubFiles,
  generateGithubFiles,
  type GithubSyncOptions,
} from "../../node/github/files.ts";
import { readGithubEvent } from "../../node/github/event_context.ts";
import { type GithubJobResult, type JobRunner, runGithubJobs } from "../../node/github/run.ts";
import { selectJobs } from "../../node/github/select.ts";
import { loadPipeline } from "../../node/load.ts";
import { defaultTaskCache, executeRun } from "../../node/runner/run_job.ts";
import type { SyncFileStatus } from "../../node/sync/types.ts";
import { parseCommandArgs, parsePositiveInt } from "../args.ts";
import type { CliContext } from "../io.ts";
import { textPresenter, useColor } from "../presenters/text.ts";
import type { CliCommand } from "../registry.ts";
import { GITHUB, specAt } from "./specs.ts";
import { cliCommand } from "../../node/cli_command.ts";

const PATH_OPTIONS = {
  workflow: { type: "string" },
  lock: { type: "string" },
  config: { type: "string" },
} as const;

async function loadWithPaths(command: string, args: string[], ctx: CliContext) {
  const { values } = parseCommandArgs(command, args, PATH_OPTIONS, false);
  const loaded = await loadPipeline(ctx.cwd, values.config);
  const options: GithubSyncOptions = {
    ...(values.workflow !== undefined ? { workflow: resolve(ctx.cwd, values.workflow) } : {}),
    ...(values.lock !== undefined ? { lock: resolve(ctx.cwd, values.lock) } : {}),
  };
  return { loaded, options };
}

function statusLine(status: SyncFileStatus): string {
  return `${status.state.padEnd(8)} ${status.path}`;
}

async function runList(args: string[], ctx: CliContext): Promise<number> {
  const { loaded, options } = await loadWithPaths("sync github list", args, ctx);
  for (const status of await checkGithubFiles(loaded, options)) {
    ctx.stdout.write(`${statusLine(status)}\n`);
  }
  return 0;
}

async function runGenerate(args: string[], ctx: CliContext): Promise<number> {
  const { loaded, options } = await loadWithPaths("sync github generate", args, ctx);
  const written = await generateGithubFiles(loaded, options, {
    onReplacedEdit: (path, diff, savedAs) => {
      ctx.stderr.write(
        `warning: ${path} was edited by hand since it was generated; the edit below is ` +
          `replaced, and the edited file is saved as ${savedAs}. Make such changes in the ` +
          "pipeline file, or in sync.github settings.\n" +
          "  (- on disk, + generated)\n" +
          diff.split("\n").map((line) => `  ${line}\n`).join(""),
      );
    },
  });
  if (written.length === 0) ctx.stdout.write("GitHub workflow and lock are current.\n");
  for (const path of written) ctx.stdout.write(`wrote ${path}\n`);
  return 0;
}

async function runCheck(args: string[], ctx: CliContext): Promise<number> {
  const { loaded, options } = await loadWithPaths("sync github check", args, ctx);
  const statuses = await checkGithubFiles(loaded, options);
  const drifted = statuses.filter((status) => status.state !== "current");
  if (drifted.length === 0) {
    ctx.stdout.write("GitHub workflow is current.\n");
    return 0;
  }
  for (const status of drifted) {
    ctx.stdout.write(`${statusLine(status)}${status.reason ? `: ${status.reason}` : ""}\n`);
    if (status.diff) {
      ctx.stdout.write("  (- on disk, + generated)\n");
      for (const line of status.diff.split("\n")) ctx.stdout.write(`  ${line}\n`);
    }
  }
  throw new PipelineError(
    ErrorCode.SYNC_STALE,
    `${drifted.length} generated GitHub ${
      drifted.length === 1 ? "file is" : "files are"
    } missing or stale: ${drifted.map((status) => status.path).join(", ")}.`,
    { hint: `Run \`${regenerateCommand(args)}\` and commit the result.` },
  );
}

/** Builds the generate command for the same files, carrying over check's arguments (paths, config). */
function regenerateCommand(args: readonly string[]): string {
  return [cliCommand(), "sync", "github", "generate", ...args.map(shellQuote)].join(" ");
}

/** Formats an error a runner threw for one job, as the CLI prints errors, hint included. */
function formatError(error: unknown): string {
  if (!isPipelineError(error)) {
    return `error: ${error instanceof Error ? error.message : String(error)}`;
  }
  const hint = error.hint && !error.message.includes(error.hint) ? `\n  hint: ${error.hint}` : "";
  return `error[${error.code}]: ${error.message}${hint}`;
}

/** Returns the runner `github run` uses for one invocation, so it can print to that invocation's streams. */
export type JobRunnerFactory = (ctx: CliContext) => JobRunner;

/** Builds the `github run` handler around a job runner. */
function githubRunHandler(runnerFor: JobRunnerFactory) {
  return async (args: string[], ctx: CliContext): Promise<number> => {
    const { values } = parseCommandArgs("github run", args, {
      job: { type: "string" },
      concurrency: { type: "string" },
      config: { type: "string" },
    }, false);
    const concurrency = parsePositiveInt("github run", "concurrency", values.concurrency);
    const loaded = await loadPipeline(ctx.cwd, values.config);
    const event = await readGithubEvent(ctx.env, ctx.cwd);
    const selection = selectJobs(loaded.pipeline, event, { job: values.job });

    ctx.stdout.write(`GitHub event: ${selection.event}\n`);
    for (const choice of selection.selected) {
      ctx.stdout.write(`selected ${choice.job}: ${choice.reason}\n`);
    }
    for (const choice of selection.skipped) {
      ctx.stdout.write(`skipped ${choice.job}: ${choice.reason}\n`);
    }
    if (selection.selected.length === 0) {
      ctx.stdout.write(`No job matches ${selection.event}.\n`);
      return 0;
    }

    const results = await runGithubJobs(
      loaded.pipeline,
      selection.selected.map((choice) => choice.job),
      {
        runJob: runnerFor(ctx),
        cwd: loaded.dir,
        env: ctx.env,
        concurrency,
        signal: ctx.signal,
        onJobEnd: (result) => {
          const run = result.record ? ` (run ${result.record.id})` : "";
          ctx.stdout.write(`${result.job} ${result.status}${run}\n`);
          if (result.error !== undefined) ctx.stderr.write(`${formatError(result.error)}\n`);
        },
      },
    );
    if (ctx.signal.aborted) {
      const selected = selection.selected.map((choice) => choice.job);
      throw interrupted(ctx.signal.reason, selected, results);
    }
    const failed = results.filter((result) => result.status === "failed");
    if (failed.length === 0) return 0;
    throw new PipelineError(
      ErrorCode.TASK_FAILED,
      `${failed.length} of ${results.length} selected ${
        results.length === 1 ? "job" : "jobs"
      } failed: ${failed.map((result) => result.job).join(", ")}.`,
      { hint: "Each job's execution record under .async/runs/ lists the failed tasks." },
    );
  };
}

/**
 * Returns the error of a `github run` that an interrupt stopped: the
 * interrupt's message, and the selected jobs that did not start.
 */
function interrupted(
  reason: unknown,
  selected: readonly string[],
  results: readonly GithubJobResult[],
): PipelineError {
  const message = reason instanceof Error ? reason.message : "The run was interrupted.";
  const ran = new Set(results.map((result) => result.job));
  const left = selected.filter((job) => !ran.has(job));
  const count = (jobs: readonly string[]) =>
    `${jobs.length} of ${selected.length} selected ${selected.length === 1 ? "job" : "jobs"}`;
  const parts = [message];
  if (left.length > 0) {
    parts.push(`${count(left)} did not start: ${left.join(", ")}.`);
  }
  return new PipelineError(ErrorCode.INTERRUPTED, parts.join(" "), {
    hint:
      "The execution record of each job that started lists its stopped tasks under .async/runs/.",
  });
}

/** Builds the GitHub commands. `runnerFor` supplies the runner for the jobs `github run` selects. */
export function githubCommands(runnerFor: JobRunnerFactory): CliCommand[] {
  return [
    { ...specAt(GITHUB, "sync", "github", "list"), run: runList },
    { ...specAt(GITHUB, "sync", "github", "generate"), run: runGenerate },
    { ...specAt(GITHUB, "sync", "github", "check"), run: runCheck },
    { ...specAt(GITHUB, "github", "generate"), run: runGenerate },
    { ...specAt(GITHUB, "github", "check"), run: runCheck },
    { ...specAt(GITHUB, "github", "run"), run: githubRunHandler(runnerFor) },
  ];
}

/**
 * Runs jobs on the host like `async-pipeline run`: task output and status
 * lines go to the invocation's stdout, and an interrupt stops the run.
 */
export const hostJobRunner: JobRunnerFactory = (ctx) => {
  const presenter = textPresenter(ctx.stdout, {
    color: useColor(ctx.stdout, ctx.env),
    cwd: ctx.cwd,
  });
  // NOTE: keep these hooks equal to the ones `run` passes, or github run and run would
  // treat the same job differently.
  return (pipeline, options) =>
    executeRun(pipeline, { ...options, echo: true }, {
      signal: ctx.signal,
      onEvent: presenter,
      createCache: defaultTaskCache,
    });
};
