/**
 * `async-pipeline sync list|generate|check` over every registered sync
 * provider, and `sync tasks list|generate|check` for package scripts and
 * Deno tasks.
 *
 * @module
 */

import { existsSync } from "node:fs";
import { join } from "node:path";
import { ErrorCode, PipelineError } from "../../core/errors.ts";
import { type LoadedPipeline, loadPipeline } from "../../node/load.ts";
import { SYNC_PROVIDERS } from "../../node/sync/providers.ts";
import { planTaskSync, type TaskSyncPlan } from "../../node/sync/tasks/plan.ts";
import { taskSyncProvider } from "../../node/sync/tasks/provider.ts";
import type { SyncFileStatus, SyncProvider } from "../../node/sync/types.ts";
import { parseCommandArgs } from "../args.ts";
import type { CliContext } from "../io.ts";
import type { CliCommand } from "../registry.ts";
import { specAt, SYNC, TASK_SYNC } from "./specs.ts";
import { projectCommand } from "../../node/cli_command.ts";

async function loadForSync(command: string, args: string[], ctx: CliContext) {
  const { values } = parseCommandArgs(command, args, { config: { type: "string" } }, false);
  return await loadPipeline(ctx.cwd, values.config);
}

/** Renders statuses as `state  path` lines with each drift line below its file. */
function renderStatuses(statuses: readonly SyncFileStatus[], indent = ""): string {
  const lines: string[] = [];
  for (const status of statuses) {
    const reason = status.reason ? `  (${status.reason})` : "";
    lines.push(`${indent}${status.state.padEnd(8)} ${status.path}${reason}`);
    for (const line of status.diff?.split("\n") ?? []) lines.push(`${indent}  ${line}`);
  }
  return lines.map((line) => `${line}\n`).join("");
}

/** Throws `ASYNC_PIPELINE_SYNC_STALE` naming every file that is not current. */
function failWhenStale(statuses: readonly SyncFileStatus[], generateCommand: string): void {
  const stale = statuses.filter((status) => status.state !== "current");
  if (stale.length === 0) return;
  const files = stale.map((status) => status.path).join(", ");
  throw new PipelineError(
    ErrorCode.SYNC_STALE,
    `${stale.length} generated ${
      stale.length === 1 ? "file is" : "files are"
    } out of date: ${files}.`,
    { hint: `Run \`${projectCommand(generateCommand)}\` and commit the result.` },
  );
}

function enabledProviders(loaded: LoadedPipeline): SyncProvider[] {
  return SYNC_PROVIDERS.filter((provider) => provider.enabled(loaded));
}

/**
 * Labels each path a generate call changed: `updated`, or `deleted` when the
 * file is gone, as the task lock is once task sync is turned off.
 */
function changedFiles(loaded: LoadedPipeline, paths: readonly string[]): [string, string][] {
  return paths.map((path) => [existsSync(join(loaded.dir, path)) ? "updated" : "deleted", path]);
}

const NOTHING_ENABLED = "No generated files: the pipeline's sync setting enables no family.\n";

async function runSyncList(args: string[], ctx: CliContext): Promise<number> {
  const loaded = await loadForSync("sync list", args, ctx);
  const providers = enabledProviders(loaded);
  if (providers.length === 0) ctx.stdout.write(NOTHING_ENABLED);
  for (const provider of providers) {
    ctx.stdout.write(`${provider.name}:\n${renderStatuses(await provider.check(loaded), "  ")}`);
  }
  return 0;
}

async function runSyncGenerate(args: string[], ctx: CliContext): Promise<number> {
  const loaded = await loadForSync("sync generate", args, ctx);
  const providers = enabledProviders(loaded);
  if (providers.length === 0) ctx.stdout.write(NOTHING_ENABLED);
  // NOTE: a provider writes nothing when it fails, but providers before it have already written.
  for (const provider of providers) {
    const changed = await provider.generate(loaded, {});
    const summary = changed.length === 0
      ? "current, nothing written"
      : changedFiles(loaded, changed)
        .map(([action, path]) => action === "deleted" ? `${path} (deleted)` : path).join(", ");
    ctx.stdout.write(`${provider.name}: ${summary}\n`);
  }
  return 0;
}

async function runSyncCheck(args: string[], ctx: CliContext): Promise<number> {
  const loaded = await loadForSync("sync check", args, ctx);
  const providers = enabledProviders(loaded);
  if (providers.length === 0) ctx.stdout.write(NOTHING_ENABLED);
  const all: SyncFileStatus[] = [];
  for (const provider of providers) {
    const statuses = await provider.check(loaded, {});
    ctx.stdout.write(`${provider.name}:\n${renderStatuses(statuses, "  ")}`);
    all.push(...statuses);
  }
  failWhenStale(all, "sync generate");
  return 0;
}

const TASK_SYNC_OFF = "Task sync is off: the pipeline sets no sync.tasks.\n";

/** Lists each manifest's generated entries with their state, then the lock's state. */
function renderTaskSyncList(plan: TaskSyncPlan): string {
  const lines: string[] = [];
  for (const { manifest, entries, changes } of plan.manifests) {
    lines.push(`${manifest.path} ${manifest.field}:`);
    const changeOf = new Map(changes.map((change) => [change.name, change]));
    const width = Math.max(0, ...[...entries, ...changes].map((entry) => entry.name.length));
    for (const entry of entries) {
      const action = changeOf.get(entry.name)?.action;
      const state = action === undefined
        ? "current"
        : action === "add"
        ? "missing"
        : action === "update"
        ? "stale"
        : "conflict";
      lines.push(`  ${state.padEnd(8)} ${entry.name.padEnd(width)}  ${entry.value}`);
    }
    for (const change of changes.filter((item) => item.action === "remove")) {
      lines.push(`  ${"remove".padEnd(8)} ${change.name.padEnd(width)}  (no longer generated)`);
    }
  }
  const lockState = plan.lock.after === undefined
    ? "stale (sync.tasks is off; generate deletes it)"
    : plan.lock.before === undefined
    ? "missing"
    : plan.lock.before === plan.lock.after
    ? "current"
    : "stale";
  lines.push(`lock ${plan.lock.path}: ${lockState}`);
  return lines.map((line) => `${line}\n`).join("");
}

async function runTaskSyncList(args: string[], ctx: CliContext): Promise<number> {
  const loaded = await loadForSync("sync tasks list", args, ctx);
  if (!taskSyncProvider.enabled(loaded)) ctx.stdout.write(TASK_SYNC_OFF);
  else ctx.stdout.write(renderTaskSyncList(await planTaskSync(loaded)));
  return 0;
}

async function runTaskSyncGenerate(args: string[], ctx: CliContext): Promise<number> {
  const loaded = await loadForSync("sync tasks generate", args, ctx);
  if (!taskSyncProvider.enabled(loaded)) {
    ctx.stdout.write(TASK_SYNC_OFF);
    return 0;
  }
  const changed = await taskSyncProvider.generate(loaded);
  if (changed.length === 0) ctx.stdout.write("Task sync is current; nothing written.\n");
  for (const [action, path] of changedFiles(loaded, changed)) {
    ctx.stdout.write(`${action} ${path}\n`);
  }
  return 0;
}

async function runTaskSyncCheck(args: string[], ctx: CliContext): Promise<number> {
  const loaded = await loadForSync("sync tasks check", args, ctx);
  if (!taskSyncProvider.enabled(loaded)) {
    ctx.stdout.write(TASK_SYNC_OFF);
    return 0;
  }
  const statuses = await taskSyncProvider.check(loaded);
  ctx.stdout.write(renderStatuses(statuses));
  failWhenStale(statuses, "sync tasks generate");
  return 0;
}

/** `sync list|generate|check` over every registered provider. */
export const syncCommands: CliCommand[] = [
  { ...specAt(SYNC, "sync", "list"), run: runSyncList },
  { ...specAt(SYNC, "sync", "generate"), run: runSyncGenerate },
  { ...specAt(SYNC, "sync", "check"), run: runSyncCheck },
];

/** `sync tasks list|generate|check`. */
export const taskSyncCommands: CliCommand[] = [
  { ...specAt(TASK_SYNC, "sync", "tasks", "list"), run: runTaskSyncList },
  { ...specAt(TASK_SYNC, "sync", "tasks", "generate"), run: runTaskSyncGenerate },
  { ...specAt(TASK_SYNC, "sync", "tasks", "check"), run: runTaskSyncCheck },
];
