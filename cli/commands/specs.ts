/**
 * The words and help text of every CLI command, without their handlers.
 * `--help` and the command table read them from here, so listing commands
 * or printing help imports no command implementation.
 *
 * @module
 */

import { DEFAULT_KEEP_RUNS } from "../../node/records.ts";
import type { CommandSpec } from "../registry.ts";

/**
 * `DEFAULT_CACHE_DAYS` of `node/cache/maintenance.ts`, which is not imported
 * here so that help loads no cache code. A test checks that the two agree.
 */
const GC_DEFAULT_CACHE_DAYS = 7;

const CONFIG_OPTION =
  "--config <path>    Pipeline file (default: pipeline.ts in the working directory)";

const RUN_OPTIONS = [
  "--concurrency <n>    Maximum tasks running at once (default: available CPU cores)",
  "--force              Ignore cached results and run every task",
  "--dry-run            Print each task's cache key and whether it would come from the cache; run nothing",
  "--format text|json   json prints only the execution record, or the plan of a dry run (default text)",
  "--config <path>      Pipeline file (default: pipeline.ts in the working directory)",
  "--sandbox <id>       Run shell steps in a sandbox declared in the pipeline",
  "--wait               Wait for another run of the project to finish instead of failing",
];

const GITHUB_PATH_OPTIONS = [
  "--workflow <path>    Workflow file (default: sync.github.workflow or .github/workflows/async-pipeline.yml)",
  "--lock <path>        Lock file (default: sync.github.lock or .github/async-pipeline.lock.json)",
  "--config <path>      Pipeline file (default: pipeline.ts in the working directory)",
];

const GITHUB_GENERATE_SUMMARY = "Write the GitHub Actions workflow and its lock.";
const GITHUB_CHECK_SUMMARY =
  "Fail when the GitHub workflow or lock is missing or stale; writes nothing.";

/** `run <job>`. */
export const RUN: CommandSpec = {
  path: ["run"],
  usage:
    "run <job> [--dry-run] [--concurrency <n>] [--force] [--format json] [--config <path>] [--sandbox <id>] [--wait]",
  summary: "Run a job's task graph and write its execution record.",
  options: RUN_OPTIONS,
};

/** `run-task <task>`. */
export const RUN_TASK: CommandSpec = {
  path: ["run-task"],
  usage:
    "run-task <task> [--dry-run] [--concurrency <n>] [--force] [--format json] [--config <path>] [--sandbox <id>] [--wait]",
  summary: "Run one task with its dependencies, using the pipeline env.",
  options: RUN_OPTIONS,
};

/** `metadata`. */
export const METADATA: CommandSpec = {
  path: ["metadata"],
  usage: "metadata [--format json|text] [--include-sources] [--config <path>]",
  summary: "Print the pipeline's tasks, jobs, triggers and settings without running anything.",
  options: [
    "--format json|text    Output format (default text)",
    "--include-sources     Also read source pipelines already on disk (never clones)",
    "--config <path>       Pipeline file (default: pipeline.ts in the working directory)",
  ],
};

/** `graph [<job>]`. */
export const GRAPH: CommandSpec = {
  path: ["graph"],
  usage: "graph [<job>] [--format mermaid|dot|json] [--config <path>]",
  summary: "Print the task graph of a job, or of the whole pipeline, without running anything. " +
    "Tasks of sources already on disk are included; nothing is cloned.",
  options: [
    "--format mermaid|dot|json   Output format (default mermaid)",
    "--config <path>             Pipeline file (default: pipeline.ts in the working directory)",
  ],
};

/** `explain <task>`. */
export const EXPLAIN: CommandSpec = {
  path: ["explain"],
  usage: "explain <task> [--run <id>] [--format json] [--config <path>]",
  summary:
    "Explain why a task of the last run that included it ran instead of coming from the cache.",
  options: [
    "--run <id>           Run to read (default: the newest run that includes the task)",
    "--format text|json   json prints the task's cache fields and a one-line summary",
    "--config <path>      Pipeline file whose project holds the runs (default: pipeline.ts)",
  ],
};

/** `sync list|generate|check` over every sync provider. */
export const SYNC: readonly CommandSpec[] = [
  {
    path: ["sync", "list"],
    usage: "sync list [--config <path>]",
    summary: "List every generated file and whether it is current.",
    options: [CONFIG_OPTION],
  },
  {
    path: ["sync", "generate"],
    usage: "sync generate [--config <path>]",
    summary: "Write every generated file (GitHub workflow and task scripts).",
    options: [CONFIG_OPTION],
  },
  {
    path: ["sync", "check"],
    usage: "sync check [--config <path>]",
    summary: "Fail when any generated file is missing or stale.",
    options: [CONFIG_OPTION],
  },
];

/** `sync github list|generate|check`, the `github generate|check` aliases and `github run`. */
export const GITHUB: readonly CommandSpec[] = [
  {
    path: ["sync", "github", "list"],
    usage: "sync github list [--workflow <path>] [--lock <path>]",
    summary: "List the generated GitHub files and whether each is current, missing or stale.",
    options: GITHUB_PATH_OPTIONS,
  },
  {
    path: ["sync", "github", "generate"],
    usage: "sync github generate [--workflow <path>] [--lock <path>]",
    summary: GITHUB_GENERATE_SUMMARY,
    options: GITHUB_PATH_OPTIONS,
  },
  {
    path: ["sync", "github", "check"],
    usage: "sync github check [--workflow <path>] [--lock <path>]",
    summary: GITHUB_CHECK_SUMMARY,
    options: GITHUB_PATH_OPTIONS,
  },
  {
    path: ["github", "generate"],
    usage: "github generate [--workflow <path>] [--lock <path>]",
    summary: `Alias of sync github generate. ${GITHUB_GENERATE_SUMMARY}`,
    options: GITHUB_PATH_OPTIONS,
  },
  {
    path: ["github", "check"],
    usage: "github check [--workflow <path>] [--lock <path>]",
    summary: `Alias of sync github check. ${GITHUB_CHECK_SUMMARY}`,
    options: GITHUB_PATH_OPTIONS,
  },
  {
    path: ["github", "run"],
    usage: "github run [--job <id>] [--concurrency <n>]",
    summary: "Run the jobs whose triggers match the GitHub event of this workflow run.",
    options: [
      "--job <id>           Run this job whatever the event (on workflow_dispatch, the way to run a job without a manual trigger)",
      "--concurrency <n>    Maximum tasks running at once within a job",
      "--config <path>      Pipeline file (default: pipeline.ts in the working directory)",
    ],
  },
];

/** `sync tasks list|generate|check`. */
export const TASK_SYNC: readonly CommandSpec[] = [
  {
    path: ["sync", "tasks", "list"],
    usage: "sync tasks list [--config <path>]",
    summary: "List the package.json scripts and deno.json tasks that sync manages.",
    options: [CONFIG_OPTION],
  },
  {
    path: ["sync", "tasks", "generate"],
    usage: "sync tasks generate [--config <path>]",
    summary: "Write package.json scripts and deno.json tasks for jobs.\n" +
      "Entries that sync did not write are never overwritten.",
    options: [CONFIG_OPTION],
  },
  {
    path: ["sync", "tasks", "check"],
    usage: "sync tasks check [--config <path>]",
    summary: "Fail when synced scripts or tasks are stale, naming each file and key.",
    options: [CONFIG_OPTION],
  },
];

/** `cache clear`. */
export const CACHE_CLEAR: CommandSpec = {
  path: ["cache", "clear"],
  usage: "cache clear [--config <path>]",
  summary: "Delete every task cache entry.",
  options: [
    "--config <path>     Pipeline file whose file store roots to clear (default: pipeline.ts)",
  ],
};

/** `gc`. */
export const GC: CommandSpec = {
  path: ["gc"],
  usage: "gc [--keep <n>] [--cache-days <n>] [--config <path>]",
  summary: "Prune old run records and unused cache entries.",
  options: [
    `--keep <n>          Run records to keep, newest first; 0 removes every finished run (default: ASYNC_PIPELINE_KEEP_RUNS, or ${DEFAULT_KEEP_RUNS})`,
    `--cache-days <n>    Remove cache entries unused for this many days (default ${GC_DEFAULT_CACHE_DAYS})`,
    "--config <path>     Pipeline file whose file store roots to prune (default: pipeline.ts)",
  ],
};

/** `doctor`. */
export const DOCTOR: CommandSpec = {
  path: ["doctor"],
  usage: "doctor [--format json|text] [--fix-crashed] [--config <path>]",
  summary:
    "Check versions, the run lock, crashed runs, cache size, generated files and required tools; exit 1 when something needs action.",
  options: [
    "--format json|text    Output format (default text)",
    "--fix-crashed         Mark runs left running by a process that no longer exists as failed",
    "--config <path>       Pipeline file (default: pipeline.ts in the working directory)",
  ],
};

/** Returns the spec in `specs` whose path is `path`; throws when there is none. */
export function specAt(specs: readonly CommandSpec[], ...path: string[]): CommandSpec {
  const spec = specs.find((candidate) => candidate.path.join(" ") === path.join(" "));
  if (!spec) throw new Error(`No command spec for "${path.join(" ")}".`);
  return spec;
}
