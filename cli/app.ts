/** The CLI dispatcher: help, version, command lookup and error printing. @module */

import { fullDiskCause } from "../node/full_disk.ts";
import { ErrorCode, formatIssue, isPipelineError, PipelineError, suggest } from "../core/errors.ts";
import { shellQuote } from "../core/sh.ts";
import { printableErrorMessage, printablePath } from "../node/printable.ts";
import { VERSION } from "../core/version.ts";
import "./commands/index.ts";
import type { CliContext } from "./io.ts";
import { commandHelp, findCommand, listCommands } from "./registry.ts";
import { thrownMessage } from "../node/thrown.ts";
import { cliCommand } from "../node/cli_command.ts";

function mainHelp(): string {
  const width = Math.max(...listCommands().map((c) => c.usage.length));
  const rows = listCommands().map((c) => `  ${c.usage.padEnd(width)}  ${c.summary.split("\n")[0]}`);
  return [
    "async-pipeline: typed task pipelines with a content-addressed cache.",
    "",
    `Usage: ${cliCommand()} <command> [options]`,
    "",
    "Commands:",
    ...rows,
    "",
    "Global options:",
    "  --help       Show help for a command",
    "  --version    Print the version",
    "  --debug      Print stack traces for unexpected errors",
    "",
  ].join("\n");
}

/**
 * Returns the command closest to the words of `args`: two-word commands
 * first (`github genrate`), then single words (`rn`).
 */
function nearestCommand(args: readonly string[]): string | undefined {
  const paths = listCommands().map((command) => command.path.join(" "));
  for (const words of [2, 1]) {
    if (args.length < words) continue;
    const candidates = paths.filter((path) => path.split(" ").length === words);
    const match = suggest(args.slice(0, words).join(" "), candidates);
    if (match !== undefined) return match;
  }
  return undefined;
}

/**
 * Returns the usage error for options given before the command, as in
 * `async-pipeline --config ci.ts run build`. Options belong to a command,
 * so the error shows the same arguments in the order that works.
 */
function optionBeforeCommand(args: readonly string[]): PipelineError {
  const option = args[0].split("=")[0];
  for (let start = 1; start < args.length; start++) {
    const found = findCommand(args.slice(start));
    if (found === undefined) continue;
    const reordered = [...args.slice(start), ...args.slice(0, start)].map(shellQuote).join(" ");
    const name = found.command.path.join(" ");
    return new PipelineError(
      ErrorCode.USAGE,
      `option "${option}" comes before the command "${name}", but options go after it: ` +
        `${cliCommand()} ${reordered}`,
      { hint: `Run \`${cliCommand()} ${name} --help\` for its options.` },
    );
  }
  return new PipelineError(
    ErrorCode.USAGE,
    `option "${option}" comes before any command, but options go after the command: ` +
      `${cliCommand()} <command> ${args.map(shellQuote).join(" ")}`,
    { hint: `Run \`${cliCommand()} --help\` to list commands.` },
  );
}

/** Maximum number of causes printed under a stack trace, so a cycle of causes cannot loop. */
const MAX_CAUSES = 8;

/**
 * Returns the stack of `error` followed by the stack of each error in its
 * `cause` chain. A wrapped error, such as a pipeline file that threw while
 * it was imported, keeps the frames that matter in its cause.
 */
export function debugTrace(error: Error): string {
  const parts = [error.stack ?? String(error)];
  let cause: unknown = error.cause;
  for (let depth = 0; cause !== undefined && depth < MAX_CAUSES; depth++) {
    parts.push(`Caused by: ${cause instanceof Error ? cause.stack ?? cause.message : cause}`);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return parts.join("\n");
}

/** Returns true for an error that a system call raised, such as `ENOTDIR` from `mkdir`. */
function isSystemError(error: unknown): error is Error {
  const { code, syscall } = (error ?? {}) as { code?: unknown; syscall?: unknown };
  return error instanceof Error && typeof code === "string" && /^E[A-Z]+$/.test(code) &&
    typeof syscall === "string";
}

/** Returns the fix for a file operation the system rejected, by the error's code. */
export function systemErrorHint(error: unknown): string {
  const fullDisk = fullDiskCause(error);
  if (fullDisk !== undefined) {
    const cause = fullDisk[0].toUpperCase() + fullDisk.slice(1);
    return `${cause}. Free space on it, for example with \`${cliCommand()} gc\`.`;
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EACCES" || code === "EPERM" || code === "EROFS") {
    return "Check the permissions of the path, or whether its file system is read-only.";
  }
  return "Check that the path exists, has the expected type (file or directory) and can be written.";
}

/** Prints an error as `error[CODE]: message` plus its hint; returns exit code 1. */
export function reportError(error: unknown, ctx: Pick<CliContext, "stderr" | "debug">): number {
  if (isPipelineError(error)) {
    const issues = error.issues.length > 1 ? error.issues : [];
    if (issues.length > 0) {
      ctx.stderr.write(`error[${error.code}]: ${issues.length} problems found:\n`);
      for (const issue of issues) ctx.stderr.write(`  - [${issue.code}] ${formatIssue(issue)}\n`);
    } else {
      const hint = error.hint && !error.message.includes(error.hint)
        ? `\n  hint: ${error.hint}`
        : "";
      ctx.stderr.write(`error[${error.code}]: ${error.message}${hint}\n`);
    }
    if (ctx.debug) ctx.stderr.write(`${debugTrace(error)}\n`);
    return 1;
  }
  const message = thrownMessage(error);
  if (isSystemError(error)) {
    const { path } = error as NodeJS.ErrnoException;
    // A path from the disk may contain a newline or a terminal escape, which is printed quoted.
    const text = printableErrorMessage(error);
    const where = path !== undefined && !message.includes(path) ? ` (${printablePath(path)})` : "";
    // The system rejected a file operation. The path and the reason are in
    // the message, and a stack trace would not help the user.
    ctx.stderr.write(
      `error[${ErrorCode.IO_FAILED}]: ${text}${where}\n  hint: ${systemErrorHint(error)}\n`,
    );
    if (ctx.debug) ctx.stderr.write(`${debugTrace(error)}\n`);
    return 1;
  }
  ctx.stderr.write(`error[ASYNC_PIPELINE_INTERNAL]: ${message}\n`);
  if (ctx.debug && error instanceof Error) ctx.stderr.write(`${debugTrace(error)}\n`);
  else {ctx.stderr.write(
      "  hint: rerun with --debug for a stack trace, and report it if it looks like a bug.\n",
    );}
  return 1;
}

/** Runs one CLI invocation against the given context and returns its exit code. */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  const args = argv.filter((arg) => arg !== "--debug");
  try {
    if (args.length === 0 || args[0] === "--help" || args[0] === "-h" || args[0] === "help") {
      // `help run`, `--help run` and `-h run` all show the help of `run`.
      const topic = args.length > 1 ? findCommand(args.slice(1)) : undefined;
      ctx.stdout.write(topic ? commandHelp(topic.command) : mainHelp());
      return 0;
    }
    if (args[0] === "--version" || args[0] === "-V" || args[0] === "version") {
      ctx.stdout.write(`${VERSION}\n`);
      return 0;
    }
    if (args[0].startsWith("-")) throw optionBeforeCommand(args);
    const found = findCommand(args);
    if (!found) {
      const nearest = nearestCommand(args);
      const guess = nearest === undefined ? "" : `Did you mean "${nearest}"? `;
      // The command is the words before the first option; the options are not part of it.
      const firstOption = args.findIndex((arg) => arg.startsWith("-"));
      const words = firstOption < 0 ? args : args.slice(0, firstOption);
      ctx.stderr.write(
        `error[ASYNC_PIPELINE_USAGE]: unknown command "${
          words.join(" ")
        }".\n  hint: ${guess}Run \`${cliCommand()} --help\` to list commands.\n`,
      );
      return 1;
    }
    if (found.rest.includes("--help") || found.rest.includes("-h")) {
      ctx.stdout.write(commandHelp(found.command));
      return 0;
    }
    return await found.command.run(found.rest, ctx);
  } catch (error) {
    return reportError(error, ctx);
  }
}
