/** `async-pipeline cache clear` and `async-pipeline gc`: task cache maintenance. @module */

import { DEFAULT_FILE_CACHE_ROOT } from "../../core/cache.ts";
import { ErrorCode, isPipelineError } from "../../core/errors.ts";
import { dirname, relative } from "node:path";
import { clearCache, fileStoreRoots, gc } from "../../node/cache/maintenance.ts";
import { findPipelineFile, loadPipeline } from "../../node/load.ts";
import { printablePath } from "../../node/printable.ts";
import { thrownMessage } from "../../node/thrown.ts";
import { readKeepRuns } from "../../node/records.ts";
import { parseCommandArgs, parsePositiveInt } from "../args.ts";
import type { CliContext } from "../io.ts";
import type { CliCommand } from "../registry.ts";
import { CACHE_CLEAR, GC } from "./specs.ts";
import { cliCommand } from "../../node/cli_command.ts";
import { assertNoActiveRun } from "../../node/lock.ts";

/**
 * Loads the pipeline to learn its file store roots. Without a pipeline file
 * (and no `--config`) only the built-in root is used. A pipeline file that
 * does not load falls back to the built-in root too, with a warning that
 * names the load error, so a broken project can still be cleaned.
 */
async function projectStores(
  ctx: CliContext,
  command: string,
  config: string | undefined,
): Promise<{ rootDir: string; roots: string[] }> {
  let file: string;
  try {
    file = await findPipelineFile(ctx.cwd, config);
  } catch (error) {
    if (
      config !== undefined || !isPipelineError(error) || error.code !== ErrorCode.CONFIG_NOT_FOUND
    ) {
      throw error;
    }
    return { rootDir: ctx.cwd, roots: fileStoreRoots(ctx.cwd) };
  }
  try {
    const loaded = await loadPipeline(ctx.cwd, config);
    return { rootDir: loaded.dir, roots: fileStoreRoots(loaded.dir, loaded.pipeline) };
  } catch (error) {
    const rootDir = dirname(file);
    ctx.stderr.write(loadWarning(command, relative(ctx.cwd, file) || file, error));
    return { rootDir, roots: fileStoreRoots(rootDir) };
  }
}

/** Returns the warning that only the built-in store is cleaned, naming the load error. */
function loadWarning(command: string, file: string, error: unknown): string {
  const code = isPipelineError(error) ? error.code : ErrorCode.CONFIG_LOAD_FAILED;
  const [headline] = thrownMessage(error).split("\n");
  const records = command === "gc" ? " and the run records" : "";
  return `warning: ${printablePath(file)} did not load (error[${code}]: ${headline}), so ` +
    `${command} cleans only the built-in store ${DEFAULT_FILE_CACHE_ROOT}${records}; ` +
    "other file stores that the pipeline declares are not cleaned.\n" +
    "  hint: Fix the pipeline file and run the command again to clean them.\n";
}

/** Formats a byte count with binary units, such as `1.5 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * Reports a command that a signal stopped between two removals and returns
 * exit code 1. The CLI turns it into the signal's exit code.
 */
function interrupted(
  ctx: CliContext,
  command: string,
  args: readonly string[],
  summary: string,
): number {
  const again = [cliCommand(), command, ...args].join(" ");
  ctx.stderr.write(
    `error[${ErrorCode.INTERRUPTED}]: ${command} was interrupted after removing ${summary}.\n` +
      `  hint: Everything removed went as a whole. Run \`${again}\` again to finish.\n`,
  );
  return 1;
}

/** Returns how to run `command` with `args` again, for a hint. */
function retry(command: string, args: readonly string[]): string {
  return `run \`${[cliCommand(), command, ...args].join(" ")}\` again`;
}

function counted(count: number, singular: string, plural: string): string {
  return `${count} ${count === 1 ? singular : plural}`;
}

/** Counts removed entries, and the unfinished ones that killed stores left, when there are any. */
function countedEntries(entries: number, unfinished: number): string {
  const whole = counted(entries, "cache entry", "cache entries");
  if (unfinished === 0) return whole;
  return `${whole} and ${counted(unfinished, "unfinished entry", "unfinished entries")}`;
}

async function runCacheClear(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs("cache clear", args, { config: { type: "string" } }, false);
  const { rootDir, roots } = await projectStores(ctx, "cache clear", values.config);
  await assertNoActiveRun(rootDir, "clear the cache", retry("cache clear", args));
  const cleared = await clearCache(rootDir, roots, ctx.signal);
  const summary = `${countedEntries(cleared.entries, cleared.unfinished)}, freeing ${
    formatBytes(cleared.bytes)
  }`;
  if (cleared.interrupted) return interrupted(ctx, "cache clear", args, summary);
  ctx.stdout.write(`Removed ${summary}.\n`);
  return 0;
}

/**
 * Returns the run records `gc` keeps without `--keep`: `ASYNC_PIPELINE_KEEP_RUNS`
 * as runs apply it after each run, where 0 means keep every record.
 */
function defaultKeep(ctx: CliContext): number {
  const keep = readKeepRuns(ctx.env);
  return keep === 0 ? Infinity : keep;
}

async function runGc(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs("gc", args, {
    keep: { type: "string" },
    "cache-days": { type: "string" },
    config: { type: "string" },
  }, false);
  const keep = parsePositiveInt("gc", "keep", values.keep, true) ?? defaultKeep(ctx);
  const cacheDays = parsePositiveInt("gc", "cache-days", values["cache-days"], true);
  const { rootDir, roots } = await projectStores(ctx, "gc", values.config);
  await assertNoActiveRun(rootDir, "run gc", retry("gc", args));
  const result = await gc(rootDir, { keep, cacheDays, roots, signal: ctx.signal });
  const runs = counted(result.runs.removed.length, "run record", "run records");
  const entries = countedEntries(result.cache.removed, result.cache.unfinished);
  const summary = `${runs} (${formatBytes(result.runs.bytes)}) and ${entries} (${
    formatBytes(result.cache.bytes)
  })`;
  if (result.interrupted) return interrupted(ctx, "gc", args, summary);
  ctx.stdout.write(`Removed ${summary}.\n`);
  if (result.index.error !== undefined) {
    ctx.stderr.write(
      `warning: the file-state index was not pruned (${result.index.error}). Runs still use it ` +
        "as it is; delete .async/cache/file-index.json to rebuild it.\n",
    );
  }
  if (result.index.removed > 0) {
    const dropped = counted(result.index.removed, "entry", "entries");
    ctx.stdout.write(
      `Dropped ${dropped} of deleted or long-unseen files from the file-state index (${
        formatBytes(result.index.bytes)
      }).\n`,
    );
  }
  return 0;
}

/** The `cache clear` command. */
export const cacheClearCommand: CliCommand = { ...CACHE_CLEAR, run: runCacheClear };

/** The `gc` command. */
export const gcCommand: CliCommand = { ...GC, run: runGc };
