/**
 * Registers every CLI command. The help text comes from `specs.ts`, and each
 * command's module is imported only when that command runs, so `run` does not
 * load the GitHub, sync or doctor code and their dependencies.
 *
 * @module
 */

import { type CliCommand, type CommandSpec, lazyCommand, registerCommands } from "../registry.ts";
import {
  CACHE_CLEAR,
  DOCTOR,
  EXPLAIN,
  GC,
  GITHUB,
  GRAPH,
  METADATA,
  RUN,
  RUN_TASK,
  SYNC,
  TASK_SYNC,
} from "./specs.ts";

/** Returns the command in `list` with the path of `spec`. */
function samePath(list: readonly CliCommand[], spec: CommandSpec): CliCommand {
  const command = list.find((candidate) => candidate.path.join(" ") === spec.path.join(" "));
  if (!command) throw new Error(`No command "${spec.path.join(" ")}" in its module.`);
  return command;
}

registerCommands(
  lazyCommand(RUN, async () => (await import("./run.ts")).runCommand),
  lazyCommand(RUN_TASK, async () => (await import("./run.ts")).runTaskCommand),
  lazyCommand(METADATA, async () => (await import("./metadata.ts")).metadataCommand),
  lazyCommand(GRAPH, async () => (await import("./graph.ts")).graphCommand),
  lazyCommand(EXPLAIN, async () => (await import("./explain.ts")).explainCommand),
  ...SYNC.map((spec) =>
    lazyCommand(spec, async () => samePath((await import("./sync.ts")).syncCommands, spec))
  ),
  ...GITHUB.map((spec) =>
    lazyCommand(spec, async () => {
      const { githubCommands, hostJobRunner } = await import("./github.ts");
      return samePath(githubCommands(hostJobRunner), spec);
    })
  ),
  ...TASK_SYNC.map((spec) =>
    lazyCommand(spec, async () => samePath((await import("./sync.ts")).taskSyncCommands, spec))
  ),
  lazyCommand(CACHE_CLEAR, async () => (await import("./cache.ts")).cacheClearCommand),
  lazyCommand(GC, async () => (await import("./cache.ts")).gcCommand),
  lazyCommand(DOCTOR, async () => (await import("./doctor.ts")).doctorCommand),
);
