/** The CLI's command table: names, help text and handlers. @module */

import { ErrorCode, PipelineError } from "../core/errors.ts";
import type { CliContext } from "./io.ts";
import { cliCommand } from "../node/cli_command.ts";

/** A CLI command handler. Returns the process exit code. */
export type CommandHandler = (args: string[], ctx: CliContext) => Promise<number>;

/** One CLI command. */
export interface CliCommand {
  /** Words that select the command, such as `["sync", "github", "check"]`. */
  readonly path: readonly string[];
  readonly usage: string;
  readonly summary: string;
  /** Option lines shown by `--help`. */
  readonly options?: readonly string[];
  readonly run: CommandHandler;
}

/** A command's words and help text: everything but its handler. */
export type CommandSpec = Omit<CliCommand, "run">;

/**
 * Returns a command with the help text of `spec` whose handler imports its
 * implementation on first use, through `load`. Listing commands and printing
 * help then import no command implementation, and running a command imports
 * only its own.
 */
export function lazyCommand(spec: CommandSpec, load: () => Promise<CliCommand>): CliCommand {
  return { ...spec, run: async (args, ctx) => await (await load()).run(args, ctx) };
}

const commands: CliCommand[] = [];

/** Adds commands to the table. */
export function registerCommands(...list: CliCommand[]): void {
  for (const command of list) {
    const existing = commands.findIndex((c) => c.path.join(" ") === command.path.join(" "));
    if (existing >= 0) commands[existing] = command;
    else commands.push(command);
  }
}

/** Returns every registered command, in registration order. */
export function listCommands(): readonly CliCommand[] {
  return commands;
}

/** Finds the command with the longest path that prefixes `args`. */
export function findCommand(
  args: readonly string[],
): { command: CliCommand; rest: string[] } | undefined {
  let best: CliCommand | undefined;
  for (const command of commands) {
    const matches = command.path.every((word, index) => args[index] === word);
    if (matches && (!best || command.path.length > best.path.length)) best = command;
  }
  return best ? { command: best, rest: args.slice(best.path.length) } : undefined;
}

/** Handler for commands that this version does not implement yet. */
export function notImplemented(name: string): CommandHandler {
  return () => {
    throw new PipelineError(
      ErrorCode.NOT_IMPLEMENTED,
      `"${cliCommand()} ${name}" is not implemented in this version.`,
      { hint: `Run \`${cliCommand()} --help\` to see the commands that are available.` },
    );
  };
}

/** Renders the help text of one command. */
export function commandHelp(command: CliCommand): string {
  const lines = [`Usage: ${cliCommand()} ${command.usage}`, "", command.summary];
  if (command.options && command.options.length > 0) {
    lines.push("", "Options:", ...command.options.map((line) => `  ${line}`));
  }
  return lines.join("\n") + "\n";
}
