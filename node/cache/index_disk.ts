/**
 * The files of the file-state index on disk: where its memo file lives,
 * reading its entries, and writing them atomically. A write that fails
 * throws an {@link IndexSaveError} that names the file.
 *
 * @module
 */

import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { writeIndexText } from "./index_text.ts";
import { IndexTable } from "./index_table.ts";

/**
 * Version 3 stores normalized facts (see {@link ./facts.ts}), one
 * comma-separated string per file.
 */
const INDEX_VERSION = 3;

/** An index or memo file that could not be written. */
export class IndexSaveError extends Error {
  /** The file that could not be written. */
  readonly path: string;

  constructor(path: string, cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = "IndexSaveError";
    this.path = path;
  }
}

/** Runs `write`, turning its error into an {@link IndexSaveError} for `path`. */
export async function savingTo(path: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    throw new IndexSaveError(path, error);
  }
}

/** Returns the path of the memo file that belongs to the index at `path`. */
export function memoPath(path: string): string {
  return `${path.endsWith(".json") ? path.slice(0, -".json".length) : path}.memos.json`;
}

/** Reads the entries of the index at `path`; a missing or damaged file gives none. */
export function readEntries(path: string): IndexTable<number> {
  try {
    return IndexTable.parse(readFileSync(path), INDEX_VERSION) ?? IndexTable.empty();
  } catch {
    // A missing or damaged index only costs re-reading files.
    return IndexTable.empty();
  }
}

/**
 * Writes the entries that `eachEntry` emits to a temporary file, in pieces
 * (see {@link writeIndexText}), and renames it to `path`.
 */
export async function writeEntriesAtomically(
  path: string,
  eachEntry: (emit: (file: string, entry: string) => void) => void,
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    writeIndexText(temp, INDEX_VERSION, eachEntry);
    await rename(temp, path);
  } finally {
    await rm(temp, { force: true });
  }
}
