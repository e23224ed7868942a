/** Registers every CLI command. Each command lives in its own module. @module */

import { registerCommands } from "../registry.ts";
import { notImplemented } from "../registry.ts";
import { doctorCommand } from "./doctor.ts";
import { graphCommand } from "./graph.ts";
import { metadataCommand } from "./metadata.ts";

const planned = (path: string[], usage: string, summary: string) => ({
  path,
  usage,
  summary,
  run: notImplemented(path.join(" ")),
});

registerCommands(
  planned(
    ["run"],
    "run <job> [--concurrency <n>] [--force] [--format json] [--config <path>] [--sandbox <id>]",
    "Run a job's task graph and write its execution record.",
  ),
  planned(
    ["run-task"],
    "run-task <task> [--concurrency <n>] [--force] [--format json] [--config <path>]",
    "Run one task with its dependencies.",
  ),
  metadataCommand,
  graphCommand,
  planned(
    ["explain"],
    "explain <task> [--run <id>]",
    "Explain why a task of the last run missed the cache.",
  ),
  planned(["sync", "list"], "sync list", "List every generated file and whether it is current."),
  planned(
    ["sync", "generate"],
    "sync generate",
    "Write every generated file (GitHub workflow and task scripts).",
  ),
  planned(["sync", "check"], "sync check", "Fail when any generated file is missing or stale."),
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
  planned(
    ["sync", "tasks", "list"],
    "sync tasks list",
    "List the package.json scripts and deno.json tasks that sync manages.",
  ),
  planned(
    ["sync", "tasks", "generate"],
    "sync tasks generate",
    "Write package.json scripts and deno.json tasks for jobs.",
  ),
  planned(
    ["sync", "tasks", "check"],
    "sync tasks check",
    "Fail when synced scripts or tasks are stale.",
  ),
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
  doctorCommand,
);
