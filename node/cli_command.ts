/**
 * The command that hints, usage lines and help name when they tell the user
 * what to run next. It is `async-pipeline`, the npm package's executable,
 * unless the CLI's entry module ran under Deno: then it is the `deno run`
 * line that starts the same CLI, so a hint can be pasted into the shell as is.
 *
 * Files that are committed, such as a generated workflow, always name
 * `async-pipeline`, so they do not change with the runtime that wrote them.
 *
 * @module
 */

import { isAbsolute, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { shellQuote } from "../core/sh.ts";

/** The npm package's executable. */
export const PACKAGE_COMMAND = "async-pipeline";

/** The command line that the docs give for starting the JSR package's CLI. */
export const JSR_COMMAND = "deno run -A jsr:@async/pipeline/cli";

let current = PACKAGE_COMMAND;

/** The `--config` value of the command being run, which hints repeat. */
let config: string | undefined;

/** Returns the command that starts the CLI, for hints and usage lines. */
export function cliCommand(): string {
  return current;
}

/** Sets the command that {@link cliCommand} returns for the rest of the process. */
export function useCliCommand(command: string): void {
  current = command;
}

/**
 * Sets the `--config` value that {@link projectCommand} adds, or clears it
 * with undefined. The CLI sets it for each command it runs.
 */
export function useConfigArgument(value: string | undefined): void {
  config = value;
}

/**
 * Returns the command line that runs `words` (a subcommand with its
 * arguments) on the same pipeline file as the command being run: with its
 * `--config`, when it was given one, so the hint can be pasted as is.
 */
export function projectCommand(words: string): string {
  const suffix = config === undefined ? "" : ` --config ${shellQuote(config)}`;
  return `${current} ${words}${suffix}`;
}

/**
 * Returns the command that starts the CLI whose entry module is `url` under
 * Deno, as seen from `cwd`: the JSR line for the published or a linked JSR
 * build, and `deno run -A <path>` for the TypeScript sources.
 */
export function denoCliCommand(url: string, cwd: string): string {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return JSR_COMMAND;
  const path = fileURLToPath(url);
  const fromCwd = relative(cwd, path);
  const entry = fromCwd.startsWith("..") || isAbsolute(fromCwd) ? path : fromCwd;
  return `deno run -A ${shellQuote(entry)}`;
}
