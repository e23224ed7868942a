/**
 * Pruning of the file-state index for `gc`. A run leaves out entries that no
 * run has seen for {@link FORGET_AFTER_MS} only when it rewrites the index,
 * which a run whose memos are all valid never does, and it keeps the
 * entries of deleted files until then. So `gc` drops both.
 *
 * @module
 */

import { lstatSync, statSync } from "node:fs";
import { readEntries, writeEntriesAtomically } from "./index_disk.ts";
import { FORGET_AFTER_MS } from "./memo_file.ts";

/** The entries {@link pruneIndex} dropped from the index, and the bytes it saved. */
export interface IndexPruneResult {
  /** Entries dropped. */
  removed: number;
  /** Bytes the index file shrank by. */
  bytes: number;
  /** Reason the index could not be pruned, such as a read-only file. The index then stays as it was. */
  error?: string;
}

function sizeOf(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.size ?? 0;
}

/** True when `path` exists. A path below a file that replaced a directory is gone too. */
function exists(path: string): boolean {
  try {
    return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOTDIR") return false;
    throw error;
  }
}

/**
 * Rewrites the index at `path` without the entries of files that are gone
 * or that no run has seen since `now - FORGET_AFTER_MS`. Leaves the file as
 * it is when nothing is to be dropped, or when it is missing or damaged,
 * which runs treat as an empty index. The caller holds the run lock, so no
 * run writes the index meanwhile.
 *
 * @throws the file system's error when the pruned index cannot be written;
 * the old one then stays in place.
 */
export async function pruneIndex(path: string, now: number): Promise<IndexPruneResult> {
  const before = sizeOf(path);
  const entries = readEntries(path);
  const cutoff = now - FORGET_AFTER_MS;
  const dropped = new Set<string>();
  entries.forEach((file, entry) => {
    const text = String(entry);
    const seenAt = Number(text.slice(text.lastIndexOf(",") + 1));
    // A malformed entry is never used, so it goes too.
    if (!(seenAt >= cutoff) || !exists(file)) dropped.add(file);
  });
  if (dropped.size === 0) return { removed: 0, bytes: 0 };
  await writeEntriesAtomically(path, (emit) => {
    entries.forEach((file, entry) => {
      if (!dropped.has(file)) emit(file, String(entry));
    });
  });
  return { removed: dropped.size, bytes: Math.max(0, before - sizeOf(path)) };
}
