/**
 * The persistent file-state index: for each file it remembers the stat facts
 * (size, mtime, ctime, inode, mode) seen when its content was hashed, so a
 * file whose facts are unchanged is not read again.
 *
 * An entry is trusted only when the file's mtime and ctime are older than
 * the moment it was hashed by at least {@link RACY_WINDOW_MS}. A file written
 * within that window of being hashed could change again without a visible
 * timestamp change, so it is hashed again on the next look.
 *
 * @module
 */

import { randomUUID } from "node:crypto";
import type { Stats } from "node:fs";
import { lstat, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { sha256File } from "./digest.ts";

/** Timestamp granularity margin in milliseconds (2 s covers coarse filesystems such as FAT). */
export const RACY_WINDOW_MS = 2000;

/** Entries not looked at for this long are dropped when the index is saved. */
const FORGET_AFTER_MS = 30 * 24 * 60 * 60 * 1000;

/** Last-seen times are refreshed at this granularity, so a warm run does not rewrite the index. */
const SEEN_GRANULARITY_MS = 24 * 60 * 60 * 1000;

const INDEX_VERSION = 1;

/** `[size, mtimeMs, ctimeMs, ino, mode, hashedAtMs, digest, seenAtMs]` */
type IndexEntry = [number, number, number, number, number, number, string, number];

function sameFacts(entry: IndexEntry, stats: Stats): boolean {
  return entry[0] === stats.size && entry[1] === stats.mtimeMs && entry[2] === stats.ctimeMs &&
    entry[3] === stats.ino && entry[4] === stats.mode;
}

function trusted(entry: IndexEntry): boolean {
  const hashedAt = entry[5];
  return entry[1] < hashedAt - RACY_WINDOW_MS && entry[2] < hashedAt - RACY_WINDOW_MS;
}

/** Digests of regular files, remembered across runs in one JSON file. */
export class FileStateIndex {
  readonly path: string;
  #entries = new Map<string, IndexEntry>();
  #pending = new Map<string, Promise<string>>();
  #dirty = false;
  #now: () => number;
  /** Number of files whose content was read since the index was loaded. */
  hashedFiles = 0;

  private constructor(path: string, now: () => number) {
    this.path = path;
    this.#now = now;
  }

  /** Loads the index at `path`; a missing or unreadable file gives an empty index. */
  static async load(path: string, now: () => number = Date.now): Promise<FileStateIndex> {
    const index = new FileStateIndex(path, now);
    try {
      const data = JSON.parse(await readFile(path, "utf8"));
      if (data?.version === INDEX_VERSION && typeof data.entries === "object") {
        for (const [file, entry] of Object.entries(data.entries)) {
          if (Array.isArray(entry) && entry.length === 8) {
            index.#entries.set(file, entry as IndexEntry);
          }
        }
      }
    } catch {
      // A missing or damaged index only costs re-reading files.
    }
    return index;
  }

  /**
   * Returns the SHA-256 digest of the regular file at the absolute `path`.
   * `stats` are its current lstat facts when the caller already has them.
   */
  digest(path: string, stats?: Stats): Promise<string> {
    const pending = this.#pending.get(path);
    if (pending) return pending;
    const work = this.#digest(path, stats).finally(() => this.#pending.delete(path));
    this.#pending.set(path, work);
    return work;
  }

  async #digest(path: string, known?: Stats): Promise<string> {
    const stats = known ?? await lstat(path);
    const entry = this.#entries.get(path);
    const now = this.#now();
    if (entry && sameFacts(entry, stats) && trusted(entry)) {
      if (now - entry[7] > SEEN_GRANULARITY_MS) {
        entry[7] = now;
        this.#dirty = true;
      }
      return entry[6];
    }
    const hashedAt = now;
    const digest = await sha256File(path, stats.size);
    this.hashedFiles++;
    const after = await lstat(path);
    if (after.size === stats.size && after.mtimeMs === stats.mtimeMs && after.ino === stats.ino) {
      this.#entries.set(path, [
        after.size,
        after.mtimeMs,
        after.ctimeMs,
        after.ino,
        after.mode,
        hashedAt,
        digest,
        now,
      ]);
    } else {
      this.#entries.delete(path);
    }
    this.#dirty = true;
    return digest;
  }

  /**
   * Records the digest of a file whose content the caller hashed itself, such
   * as a copy it just wrote. `before` are the lstat facts taken before reading.
   */
  async remember(path: string, before: Stats, digest: string, hashedAt: number): Promise<void> {
    const after = await lstat(path);
    if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) return;
    this.#entries.set(path, [
      after.size,
      after.mtimeMs,
      after.ctimeMs,
      after.ino,
      after.mode,
      hashedAt,
      digest,
      this.#now(),
    ]);
    this.#dirty = true;
  }

  /** Drops the entry of `path`, such as a file that is about to be replaced. */
  forget(path: string): void {
    if (this.#entries.delete(path)) this.#dirty = true;
  }

  /** Writes the index atomically when anything changed. */
  async save(): Promise<void> {
    if (!this.#dirty) return;
    const cutoff = this.#now() - FORGET_AFTER_MS;
    const entries: Record<string, IndexEntry> = {};
    for (const [file, entry] of this.#entries) {
      if (entry[7] >= cutoff) entries[file] = entry;
    }
    await mkdir(dirname(this.path), { recursive: true });
    const temp = `${this.path}.${process.pid}.${randomUUID()}.tmp`;
    try {
      await writeFile(temp, JSON.stringify({ version: INDEX_VERSION, entries }));
      await rename(temp, this.path);
      this.#dirty = false;
    } finally {
      await rm(temp, { force: true });
    }
  }
}
