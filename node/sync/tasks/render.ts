/**
 * The names and commands that task sync writes into a manifest. Pure: the
 * same settings always render the same entries in the same order.
 *
 * @module
 */

import type { NormalizedTaskSync } from "../../../core/model.ts";
import { jobEntryName, taskEntryName } from "../../../core/normalize_task_sync.ts";

/** The kind of manifest an entry goes into. */
export type ManifestKind = "package" | "deno";

/** One generated script or Deno task. */
export interface GeneratedEntry {
  readonly name: string;
  /** The shell command, such as `async-pipeline run verify`. */
  readonly value: string;
}

/** The executable that package-manager scripts call, which is the npm package's `bin`. */
export const PACKAGE_CLI_COMMAND = "async-pipeline";

/**
 * The command that Deno tasks use to start the CLI. The bare specifier
 * resolves through the project's import map, so the CLI version is the one
 * the project pins, for example with
 * `"imports": { "@async/pipeline": "jsr:@async/pipeline@^0.1.0" }`.
 */
export const DENO_CLI_COMMAND = "deno run -A @async/pipeline/cli";

const SAFE_ARGUMENT = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one argument for POSIX shells and `deno task`. Safe arguments stay bare. */
export function quoteArgument(argument: string): string {
  if (SAFE_ARGUMENT.test(argument)) return argument;
  return `'${argument.replaceAll("'", `'"'"'`)}'`;
}

/** Returns the command line that runs the CLI with `args` from a manifest of `kind`. */
export function cliCommand(kind: ManifestKind, args: string): string {
  return `${kind === "deno" ? DENO_CLI_COMMAND : PACKAGE_CLI_COMMAND} ${args}`;
}

/**
 * Renders every entry a manifest receives: one per synced job, one per synced
 * raw task, then the extra `scripts`. `config` is the pipeline file relative to
 * the manifest's directory, passed as `--config` when the CLI would not find
 * it on its own.
 */
export function renderEntries(
  sync: NormalizedTaskSync,
  kind: ManifestKind,
  config?: string,
): GeneratedEntry[] {
  const suffix = config === undefined ? "" : ` --config ${quoteArgument(config)}`;
  const entry = (name: string, args: string): GeneratedEntry => ({
    name,
    value: cliCommand(kind, args + suffix),
  });

  return [
    ...sync.jobs.map((id) => entry(jobEntryName(sync.prefix, id), `run ${quoteArgument(id)}`)),
    ...sync.tasks.map((id) =>
      entry(taskEntryName(sync.prefix, id), `run-task ${quoteArgument(id)}`)
    ),
    ...Object.entries(sync.scripts).map(([name, args]) => entry(name, args)),
  ];
}
