/**
 * Cache maintenance: emptying the task cache and pruning old run records and
 * unused cache entries.
 *
 * @module
 */

import type { Dirent } from "node:fs";
import { lstat, readdir, readFile, rm, rmdir, stat } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { DEFAULT_FILE_CACHE_ROOT } from "../../core/cache.ts";
import type { Pipeline } from "../../core/model.ts";
import { isDigest } from "./entry.ts";
import { type IndexPruneResult, pruneIndex } from "./index_prune.ts";
import { clearMemoryEntries } from "./memory_store.ts";
import { DEFAULT_KEEP_RUNS, isRunId, RUNS_DIR } from "../records.ts";
import { printableErrorMessage } from "../printable.ts";
import { FILE_INDEX_PATH } from "./paths.ts";
import { isMissing } from "./walk.ts";
import { acquireRunLock, assertNoActiveRun } from "../lock.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

/** Unfinished entries older than this are leftovers of a crashed writer. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/** Names of the file store's temporary directories: a UUID, or `old-` and a UUID. */
const TEMP_NAME = /^(old-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Default number of days an entry may go unused before `gc` removes it. */
export const DEFAULT_CACHE_DAYS = 7;

/** Counts of what {@link clearCache} removed. */
export interface ClearResult {
  /** Cache entries removed. */
  entries: number;
  /** Unfinished entries removed from `.tmp/`, which stores that were killed leave behind. */
  unfinished: number;
  /** Bytes freed. */
  bytes: number;
  /** True when the signal stopped the work before everything was removed. */
  interrupted: boolean;
}

export { DEFAULT_KEEP_RUNS };

/** Options of {@link gc}. */
export interface GcOptions {
  /** Run records to keep, newest first (default {@link DEFAULT_KEEP_RUNS}); 0 removes every finished run. */
  keep?: number;
  /** Remove entries unused for at least this many days (default {@link DEFAULT_CACHE_DAYS}). */
  cacheDays?: number;
  /** File store roots; default: the built-in `.async/cache/tasks`. */
  roots?: readonly string[];
  /** Clock in milliseconds since the epoch (default `Date.now`). */
  now?: () => number;
  /** Stops the work between two removals once aborted; what was removed stays removed. */
  signal?: AbortSignal;
}

/** Run records and cache entries that {@link gc} removed. */
export interface GcResult {
  runs: { removed: string[]; bytes: number };
  /** `unfinished` counts the stale directories of killed stores that `.tmp/` held. */
  cache: { removed: number; unfinished: number; bytes: number };
  /**
   * Entries of the file-state index dropped because their file is gone or
   * no run saw it for 30 days, and the bytes the index shrank by.
   */
  index: IndexPruneResult;
  /** True when the signal stopped the work before everything was pruned. */
  interrupted: boolean;
}

/** Returns the absolute file store roots of a pipeline, the built-in root included. */
export function fileStoreRoots(rootDir: string, pipeline?: Pipeline): string[] {
  const roots = new Set([resolve(rootDir, DEFAULT_FILE_CACHE_ROOT)]);
  for (const store of Object.values(pipeline?.cache.stores ?? {})) {
    if (store.type === "file") {
      roots.add(isAbsolute(store.root) ? store.root : resolve(rootDir, store.root));
    }
  }
  return [...roots];
}

async function children(directory: string): Promise<Dirent[]> {
  try {
    return await readdir(directory, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

/** Returns the bytes used by a file or directory tree. */
async function diskUsage(path: string): Promise<number> {
  let stats;
  try {
    stats = await lstat(path);
  } catch (error) {
    if (isMissing(error)) return 0;
    throw error;
  }
  if (!stats.isDirectory()) return stats.size;
  let total = 0;
  for (const child of await children(path)) total += await diskUsage(join(path, child.name));
  return total;
}

/**
 * Lists the namespace directories of a store root: those holding entries
 * (directories named by a 64-digit hex key) or a `.latest` directory. Other
 * directories are never touched, in case the root was set to a shared folder.
 */
async function namespaceDirectories(root: string): Promise<string[]> {
  const found: string[] = [];
  for (const child of await children(root)) {
    if (!child.isDirectory()) continue;
    const directory = join(root, child.name);
    const inside = await children(directory);
    if (
      inside.some((item) => item.isDirectory() && (isDigest(item.name) || item.name === ".latest"))
    ) {
      found.push(directory);
    } else if (inside.some((item) => item.isDirectory() && item.name === ".tmp")) {
      // A first store that was killed leaves only `.tmp/`. It counts when it
      // contains nothing but the store's own temporary directories.
      const temps = await children(join(directory, ".tmp"));
      if (temps.length > 0 && temps.every((item) => TEMP_NAME.test(item.name))) {
        found.push(directory);
      }
    }
  }
  return found;
}

async function removeIfEmpty(directory: string): Promise<void> {
  try {
    await rmdir(directory);
  } catch {
    // Not empty or already gone: either way there is nothing to do.
  }
}

/**
 * Removes every entry of the file stores at `roots` and the process-local
 * memory entries. Each entry goes as a whole directory, so stopping on
 * `signal` between two of them leaves no entry half-removed.
 *
 * @throws {PipelineError} `ASYNC_PIPELINE_RUN_ACTIVE` while a live run or
 * another such command has the run lock of `rootDir`, which this takes
 * while it works.
 */
export async function clearCache(
  rootDir: string,
  roots: readonly string[] = fileStoreRoots(rootDir),
  signal?: AbortSignal,
): Promise<ClearResult> {
  await assertNoActiveRun(rootDir, "clear the cache", "call clearCache again");
  const lock = await acquireRunLock(rootDir, "", { command: "cache clear" });
  try {
    return await clearStores(rootDir, roots, signal);
  } finally {
    await lock.release();
  }
}

async function clearStores(
  rootDir: string,
  roots: readonly string[],
  signal: AbortSignal | undefined,
): Promise<ClearResult> {
  const result: ClearResult = {
    entries: clearMemoryEntries(rootDir),
    unfinished: 0,
    bytes: 0,
    interrupted: false,
  };
  for (const root of roots) {
    for (const namespace of await namespaceDirectories(root)) {
      for (const child of await children(namespace)) {
        const isEntry = child.isDirectory() && isDigest(child.name);
        if (!isEntry && child.name !== ".latest" && child.name !== ".tmp") continue;
        if (signal?.aborted) return { ...result, interrupted: true };
        const path = join(namespace, child.name);
        result.bytes += await diskUsage(path);
        if (isEntry) result.entries++;
        if (child.name === ".tmp") result.unfinished += (await children(path)).length;
        await rm(path, { recursive: true, force: true });
      }
      await removeIfEmpty(namespace);
    }
    await removeIfEmpty(root);
  }
  return result;
}

function isAlive(pid: unknown): boolean {
  if (typeof pid !== "number" || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

/** Returns true for a run record whose owner process is still running it. */
async function isActiveRun(directory: string): Promise<boolean> {
  try {
    const record = JSON.parse(await readFile(join(directory, "execution.json"), "utf8"));
    return record?.status === "running" && isAlive(record.pid);
  } catch {
    return false;
  }
}

async function pruneRuns(
  rootDir: string,
  keep: number,
  signal: AbortSignal | undefined,
): Promise<GcResult["runs"] & { interrupted: boolean }> {
  const runsDirectory = join(rootDir, RUNS_DIR);
  const ids = (await children(runsDirectory))
    .filter((child) => child.isDirectory() && isRunId(child.name))
    .map((child) => child.name).sort().reverse();
  const removed: string[] = [];
  let bytes = 0;
  for (const id of ids.slice(keep)) {
    if (signal?.aborted) return { removed: removed.reverse(), bytes, interrupted: true };
    const directory = join(runsDirectory, id);
    if (await isActiveRun(directory)) continue;
    bytes += await diskUsage(directory);
    await rm(directory, { recursive: true, force: true });
    removed.push(id);
  }
  return { removed: removed.reverse(), bytes, interrupted: false };
}

async function pruneNamespace(
  namespace: string,
  cutoff: number,
  now: number,
  signal: AbortSignal | undefined,
) {
  let removed = 0;
  let unfinished = 0;
  let bytes = 0;
  for (const child of await children(namespace)) {
    if (!child.isDirectory() || !isDigest(child.name)) continue;
    if (signal?.aborted) return { removed, unfinished, bytes, interrupted: true };
    const path = join(namespace, child.name);
    const lastUsed = (await stat(path)).mtimeMs;
    if (lastUsed > cutoff) continue;
    bytes += await diskUsage(path);
    await rm(path, { recursive: true, force: true });
    removed++;
  }
  for (const child of await children(join(namespace, ".tmp"))) {
    const path = join(namespace, ".tmp", child.name);
    if (now - (await lstat(path)).mtimeMs < STALE_TEMP_MS) continue;
    bytes += await diskUsage(path);
    await rm(path, { recursive: true, force: true });
    unfinished++;
  }
  for (const child of await children(join(namespace, ".latest"))) {
    const path = join(namespace, ".latest", child.name);
    try {
      const pointer = JSON.parse(await readFile(path, "utf8"));
      await stat(join(namespace, String(pointer.key)));
    } catch {
      await rm(path, { force: true });
    }
  }
  return { removed, unfinished, bytes, interrupted: false };
}

/**
 * Counts the unfinished entries in the `.tmp/` directories of the file
 * stores at `roots`, which killed stores left, and the bytes they use.
 */
export async function unfinishedEntries(
  roots: readonly string[],
): Promise<{ entries: number; bytes: number }> {
  let entries = 0;
  let bytes = 0;
  for (const root of roots) {
    for (const namespace of await namespaceDirectories(root)) {
      for (const child of await children(join(namespace, ".tmp"))) {
        entries++;
        bytes += await diskUsage(join(namespace, ".tmp", child.name));
      }
    }
  }
  return { entries, bytes };
}

/**
 * Prunes run records under `.async/runs/` beyond the newest `keep` (a run
 * still in progress is kept), cache entries unused for `cacheDays` days, and
 * file-state index entries of files that are gone or unseen for 30 days.
 * Once `options.signal` is aborted it stops before the next record or entry.
 *
 * @throws {PipelineError} `ASYNC_PIPELINE_RUN_ACTIVE` while a live run or
 * another such command has the run lock of `rootDir`, which this takes
 * while it works.
 */
export async function gc(rootDir: string, options: GcOptions = {}): Promise<GcResult> {
  await assertNoActiveRun(rootDir, "collect garbage", "call gc again");
  const lock = await acquireRunLock(rootDir, "", { command: "gc" });
  try {
    return await prune(rootDir, options);
  } finally {
    await lock.release();
  }
}

async function prune(rootDir: string, options: GcOptions): Promise<GcResult> {
  const now = (options.now ?? Date.now)();
  const keep = options.keep ?? DEFAULT_KEEP_RUNS;
  const cutoff = now - (options.cacheDays ?? DEFAULT_CACHE_DAYS) * DAY_MS;
  const { interrupted, ...runs } = await pruneRuns(rootDir, keep, options.signal);
  const cache = { removed: 0, unfinished: 0, bytes: 0 };
  const index = { removed: 0, bytes: 0 };
  if (interrupted) return { runs, cache, index, interrupted };
  for (const root of options.roots ?? fileStoreRoots(rootDir)) {
    for (const namespace of await namespaceDirectories(root)) {
      const pruned = await pruneNamespace(namespace, cutoff, now, options.signal);
      cache.removed += pruned.removed;
      cache.unfinished += pruned.unfinished;
      cache.bytes += pruned.bytes;
      if (pruned.interrupted) return { runs, cache, index, interrupted: true };
    }
  }
  if (options.signal?.aborted) return { runs, cache, index, interrupted: true };
  return { runs, cache, index: await prunedIndex(rootDir, now), interrupted: false };
}

/**
 * Prunes the file-state index. The index is only a shortcut, so a failure
 * is reported in the result and does not undo or hide what `gc` removed.
 */
async function prunedIndex(rootDir: string, now: number): Promise<IndexPruneResult> {
  try {
    return await pruneIndex(join(rootDir, FILE_INDEX_PATH), now);
  } catch (error) {
    return { removed: 0, bytes: 0, error: printableErrorMessage(error) };
  }
}
