/** Registers every CLI command. Each command lives in its own module. @module */

import { registerCommands } from "../registry.ts";
import { notImplemented } from "../registry.ts";
import { cacheClearCommand, gcCommand } from "./cache.ts";
import { explainCommand } from "./explain.ts";
import { githubCommands, hostJobRunner } from "./github.ts";
import { graphCommand } from "./graph.ts";
import { metadataCommand } from "./metadata.ts";
import { syncCommands, taskSyncCommands } from "./sync.ts";
import { runCommand, runTaskCommand } from "./run.ts";

const planned = (path: string[], usage: string, summary: string) => ({
  path,
  usage,
  summary,
  run: notImplemented(path.join(" ")),
});

registerCommands(
  runCommand,
  runTaskCommand,
  metadataCommand,
  graphCommand,
  explainCommand,
  ...syncCommands,
  ...githubCommands(hostJobRunner),
  ...taskSyncCommands,
  cacheClearCommand,
  gcCommand,
  planned(
    ["doctor"],
    "doctor [--format json]",
    "Check versions, the run lock, crashed runs, cache and generated files.",
  ),
);
