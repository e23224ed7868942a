/** Registers every CLI command. Each command lives in its own module. @module */

import { registerCommands } from "../registry.ts";
import { cacheClearCommand, gcCommand } from "./cache.ts";
import { doctorCommand } from "./doctor.ts";
import { explainCommand } from "./explain.ts";
import { githubCommands, hostJobRunner } from "./github.ts";
import { graphCommand } from "./graph.ts";
import { metadataCommand } from "./metadata.ts";
import { syncCommands, taskSyncCommands } from "./sync.ts";
import { runCommand, runTaskCommand } from "./run.ts";

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
  doctorCommand,
);
