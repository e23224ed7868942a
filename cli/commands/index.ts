/** Registers every CLI command. Each command lives in its own module. @module */

import { registerCommands } from "../registry.ts";
import { notImplemented } from "../registry.ts";
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
  planned(
    ["explain"],
    "explain <task> [--run <id>]",
    "Explain why a task of the last run missed the cache.",
  ),
  ...syncCommands,
  planned(["sync", "github", "list"], "sync github list", "List the generated GitHub files."),
  planned(
    ["sync", "github", "generate"],
    "sync github generate [--workflow <path>] [--lock <path>]",
    "Write the GitHub Actions workflow and its lock.",
  ),
  planned(
    ["sync", "github", "check"],
    "sync github check [--workflow <path>] [--lock <path>]",
    "Fail when the GitHub workflow or lock is stale.",
  ),
  ...taskSyncCommands,
  planned(
    ["github", "generate"],
    "github generate [--workflow <path>] [--lock <path>]",
    "Alias of sync github generate.",
  ),
  planned(
    ["github", "check"],
    "github check [--workflow <path>] [--lock <path>]",
    "Alias of sync github check.",
  ),
  planned(
    ["github", "run"],
    "github run [--job <id>] [--concurrency <n>]",
    "Run the jobs that match the GitHub event.",
  ),
  planned(["cache", "clear"], "cache clear", "Delete every task cache entry."),
  planned(
    ["gc"],
    "gc [--keep <n>] [--cache-days <n>]",
    "Prune old run records and unused cache entries.",
  ),
  planned(
    ["doctor"],
    "doctor [--format json]",
    "Check versions, the run lock, crashed runs, cache and generated files.",
  ),
);
