#!/usr/bin/env node
/**
 * The `async-pipeline` executable, a thin wrapper over the code path of
 * `runPipelineCli` that uses the process's arguments, streams and
 * environment. Runs as a main module under Node and Deno
 * (`deno run -A cli/main.ts run verify`).
 *
 * SIGHUP, SIGINT, SIGTERM and a closed stdout pipe abort the command's
 * signal: a run stops its tasks, finalizes its record as failed, and the
 * process exits 129, 130, 143 or 141.
 *
 * @module
 */

import { realpathSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import process from "../node/process.ts";
import { fileURLToPath } from "node:url";
import { ErrorCode, PipelineError } from "../core/errors.ts";
import type { TextSink } from "./io.ts";
import { INTERRUPT_EXIT_CODES, invokePipelineCli } from "./run_pipeline_cli.ts";
import { thrownMessage } from "../node/thrown.ts";
import { type FallbackHandler, guardUncaught } from "../node/uncaught.ts";
import { STALL_MS, writeAllSync } from "../node/write_sync.ts";
import { denoCliCommand, useCliCommand } from "../node/cli_command.ts";
import { policyInvocation } from "./policy_args.ts";

export { INTERRUPT_EXIT_CODES, runPipelineCli } from "./run_pipeline_cli.ts";
export type { RunPipelineCliOptions, RunPipelineCliResult } from "./run_pipeline_cli.ts";

/**
 * Wraps a process stream and its file descriptor `fd`. Writes after the pipe
 * closed are dropped. A write that fails at once, as one to a pipe whose
 * reader left does on Linux, calls `onError` before `write` returns. The
 * stream's own 'error' event comes later, after the scheduler could have
 * started another task.
 */
function processSink(
  stream: NodeJS.WriteStream,
  fd: number,
  closed: () => boolean,
  onError: (error: NodeJS.ErrnoException) => void = () => undefined,
  onClosedNote?: (line: string) => void,
): TextSink {
  return {
    isTTY: stream.isTTY === true,
    ...(onClosedNote ? { onClosedNote } : {}),
    write(text: string) {
      if (stream.destroyed || closed()) return;
      stream.write(text);
      const error = stream.errored as NodeJS.ErrnoException | null;
      if (error) onError(error);
    },
    writeNow(text: string) {
      if (!closed()) writeAllSync(fd, text);
    },
  };
}

/**
 * Makes the directory of the `--config` file the process's working directory,
 * so that function steps and the pipeline module resolve relative paths
 * against it, as `sh` steps do. Paths on the command line are still resolved
 * against `cwd`, the directory the command started in. Only the executable
 * does this: `runPipelineCli` leaves its caller's working directory alone.
 * A `--config` that names no file is left to the command to report.
 */
function enterProjectDirectory(argv: readonly string[], cwd: string): void {
  let config: string | undefined;
  try {
    config = policyInvocation(argv).config;
  } catch {
    return;
  }
  if (config === undefined || config.trim() === "") return;
  const file = resolve(cwd, config);
  if (dirname(file) === cwd) return;
  try {
    if (statSync(file).isFile()) process.chdir(dirname(file));
  } catch {
    // The command reports the missing or unreadable file.
  }
}

/** Runs the CLI with the process's arguments, streams and environment; returns the exit code. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const controller = new AbortController();
  let interruptCode: number | undefined;
  let stdoutClosed = false;
  const interrupt = (code: number, message: string) => {
    if (controller.signal.aborted) return;
    interruptCode = code;
    controller.abort(new PipelineError(ErrorCode.INTERRUPTED, message));
  };
  const onSigint = () =>
    interrupt(INTERRUPT_EXIT_CODES.SIGINT, "Interrupted by SIGINT; running tasks were stopped.");
  const onSigterm = () =>
    interrupt(INTERRUPT_EXIT_CODES.SIGTERM, "Terminated by SIGTERM; running tasks were stopped.");
  const onSighup = () =>
    interrupt(
      INTERRUPT_EXIT_CODES.SIGHUP,
      "The terminal closed (SIGHUP); running tasks were stopped.",
    );
  // Printed on stderr once stdout's pipe closed, such as where the whole record is.
  let closedNote: string | undefined;
  const onStdoutError = (error: NodeJS.ErrnoException) => {
    if (stdoutClosed) return;
    stdoutClosed = true;
    if (closedNote !== undefined && !process.stderr.destroyed) {
      try {
        writeAllSync(2, closedNote);
      } catch {
        // stderr is closed too, so the note has nowhere to go.
      }
    }
    if (error.code === "EPIPE") {
      interrupt(
        INTERRUPT_EXIT_CODES.EPIPE,
        "The output pipe closed (EPIPE); no further task started, and running tasks were stopped.",
      );
    }
  };
  // Errors on stderr cannot be reported anywhere, so they are dropped and the run goes on.
  const onStderrError = () => undefined;
  // An error thrown outside any awaited call (for example in a timer) would
  // otherwise kill the process and leave the record `running` with the lock
  // taken. During a run, one raised by a step's code fails its task and the
  // run reports the others. Outside a run, it is reported here and the command
  // goes on. Bound before a run wraps `process.stderr.write` for function
  // steps, so the warning reaches the terminal instead of a task's output.
  const writeStderr = process.stderr.write.bind(process.stderr);
  const debug = argv.includes("--debug");
  const onUncaught: FallbackHandler = (error, kind, target) => {
    if (process.stderr.destroyed) return;
    // Task code that runs on after its run ended may hold a secret, and the run's masking is gone.
    const detail = target !== undefined
      ? " (task code, after its run ended)"
      : `: ${debug && error instanceof Error ? error.stack : thrownMessage(error)}`;
    const subject = kind === "exception" ? "an uncaught exception" : "an unhandled rejection";
    writeStderr(`warning: ${subject} was ignored; the command goes on${detail}\n`);
  };
  const releaseUncaught = guardUncaught(onUncaught);
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigterm);
  process.on("SIGHUP", onSighup);
  process.stdout.on("error", onStdoutError);
  process.stderr.on("error", onStderrError);

  const cwd = process.cwd();
  enterProjectDirectory(argv, cwd);
  try {
    const { code } = await invokePipelineCli({
      args: argv,
      cwd,
      env: process.env,
      stdout: processSink(process.stdout, 1, () => stdoutClosed, onStdoutError, (line) => {
        closedNote = line;
      }),
      stderr: processSink(process.stderr, 2, () => false),
      signal: controller.signal,
    });
    // A write that filled the pipe, such as a large record, can fail after the
    // command returned, when the reader has gone. That also counts as a closed pipe.
    await drained(process.stdout);
    const error = process.stdout.errored as NodeJS.ErrnoException | null;
    if (error) onStdoutError(error);
    return interruptCode ?? code;
  } finally {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigterm);
    process.off("SIGHUP", onSighup);
    releaseUncaught();
  }
}

/**
 * Resolves once `stream` has written what it buffered, or once its reader
 * took nothing for `STALL_MS`. A slow reader, such as a pipe to a busy
 * process, still gets all of a large record. A reader that never reads
 * cannot keep the process alive.
 */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) return resolve();
    let left = stream.writableLength;
    let progressed = Date.now();
    const timer = setInterval(() => {
      if (stream.writableLength < left) {
        left = stream.writableLength;
        progressed = Date.now();
      } else if (Date.now() - progressed >= STALL_MS) {
        clearInterval(timer);
        resolve();
      }
    }, 100);
    stream.write("", () => {
      clearInterval(timer);
      resolve();
    });
  });
}

/**
 * Runs the CLI, then exits the process with its code once output is written.
 * Exiting explicitly keeps a timer or socket left open by a function step
 * from holding the process alive after the run has finished.
 */
export async function runAndExit(): Promise<never> {
  const code = await main();
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  process.exit(code);
}

/**
 * Reports whether this module is the process's entry point. Deno and Node
 * 24.2+ set `import.meta.main`. Older Node compares the real path of the
 * entry script with this module's path, because Node loads ES modules from
 * their real path.
 */
function isEntryModule(): boolean {
  const flag = (import.meta as { main?: boolean }).main;
  if (typeof flag === "boolean") return flag;
  const entry = process.argv[1];
  if (!entry || !import.meta.url.startsWith("file:")) return false;
  try {
    return realpathSync(entry) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryModule()) {
  if ("Deno" in globalThis) useCliCommand(denoCliCommand(import.meta.url, process.cwd()));
  await runAndExit();
}
