/**
 * The persistent file-state index: for each file it remembers the stat facts
 * (size, mtime, ctime, inode, mode) seen when its content was hashed, so a
 * file whose facts are unchanged is not read again. It also keeps the walk
 * memos of {@link ./walk_memo.ts}, so one file contains all the state a
 * warm run reads.
 *
 * An entry is trusted only when the file's mtime and ctime are older than
 * the moment it was hashed by at least {@link RACY_WINDOW_MS}. A file written
 * within that window of being hashed could change again without a visible
 * timestamp change, so it is hashed again on the next look.
 *
 * @module
 */

import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { sha256File, sha256FileSync } from "./digest.ts";
import { type FileFacts, lstatFacts } from "./facts.ts";
import { parseIndexText, writeIndexText } from "./index_text.ts";

/** Timestamp granularity margin in milliseconds (2 s covers coarse filesystems such as FAT). */
export const RACY_WINDOW_MS = 2000;

/** Entries not looked at for this long are dropped when the index is saved. */
const FORGET_AFTER_MS = 30 * 24 * 60 * 60 * 1000;

/** Last-seen times are refreshed at this granularity, so a warm run does not rewrite the index. */
const SEEN_GRANULARITY_MS = 24 * 60 * 60 * 1000;

/**
 * Version 3 stores normalized facts (see {@link ./facts.ts}), one
 * comma-separated string per file, and walk memos.
 */
const INDEX_VERSION = 3;

/** An index is saved when at least one entry in this many changed. */
const SAVE_RATIO = 64;

/** An index is saved when the files hashed since loading add up to this many bytes. */
const SAVE_HASHED_BYTES = 4 * 1024 * 1024;

/**
 * `[size, mtimeMs, ctimeMs, ino, mode, hashedAtMs, digest, seenAtMs]`. On
 * disk each entry is these fields joined by commas: parsing one string per
 * file is several times cheaper than parsing an array, and most entries of a
 * large index are never looked at in a run.
 */
type IndexEntry = [number, number, number, number, number, number, string, number];

/** Reads the last-seen time of an entry, parsed or still in its stored text. */
function seenAt(entry: IndexEntry | string): number {
  return typeof entry === "string" ? Number(entry.slice(entry.lastIndexOf(",") + 1)) : entry[7];
}

/** A stored walk memo: its data, opaque to the index, and when it was last used. */
interface StoredMemo {
  data: unknown;
  seenAt: number;
}

function sameFacts(entry: IndexEntry, facts: FileFacts): boolean {
  return entry[0] === facts.size && entry[1] === facts.mtimeMs && entry[2] === facts.ctimeMs &&
    entry[3] === facts.ino && entry[4] === facts.mode;
}

function trusted(entry: IndexEntry): boolean {
  const hashedAt = entry[5];
  return entry[1] < hashedAt - RACY_WINDOW_MS && entry[2] < hashedAt - RACY_WINDOW_MS;
}

/** Digests of regular files, remembered across runs in one JSON file. */
export class FileStateIndex {
  readonly path: string;
  /** Entries by absolute path: loaded ones in their stored text, ones hashed in this run parsed. */
  #entries = new Map<string, IndexEntry | string>();
  #memos = new Map<string, StoredMemo>();
  #pending = new Map<string, Promise<string>>();
  #dirty = false;
  /** Entries and memos written or dropped since the last load or save. */
  #changes = 0;
  /** Bytes read to hash files since the last load or save. */
  #hashedBytes = 0;
  /** True when a last-seen time moved, which must be saved, or the entry expires. */
  #seenMoved = false;
  #now: () => number;
  /** Number of files whose content was read since the index was loaded. */
  hashedFiles = 0;

  private constructor(path: string, now: () => number) {
    this.path = path;
    this.#now = now;
  }

  /** Loads the index at `path`; a missing or unreadable file gives an empty index. */
  static load(path: string, now: () => number = Date.now): Promise<FileStateIndex> {
    const index = new FileStateIndex(path, now);
    try {
      // A synchronous read: the promise-based one assembles the text from
      // chunks, which leaves several copies of it for the garbage collector.
      const data = parseIndexText(readFileSync(path, "utf8"), INDEX_VERSION);
      if (data !== undefined) {
        index.#entries = data.entries;
        for (const [key, memo] of Object.entries(data.walks ?? {})) {
          const stored = memo as Partial<StoredMemo> | null;
          if (typeof stored?.seenAt === "number" && stored.data !== undefined) {
            index.#memos.set(key, { data: stored.data, seenAt: stored.seenAt });
          }
        }
      }
    } catch {
      // A missing or damaged index only costs re-reading files.
    }
    return Promise.resolve(index);
  }

  /** Reads the index's clock, in milliseconds since the epoch. */
  now(): number {
    return this.#now();
  }

  /**
   * Returns the digest remembered for the file at `path` when `facts` (its
   * current facts) match the entry and the entry is trusted, without any I/O.
   */
  known(path: string, facts: FileFacts): string | undefined {
    const entry = this.#entries.get(path);
    if (entry === undefined) return undefined;
    if (typeof entry === "string") return this.#knownText(path, entry, facts);
    if (!sameFacts(entry, facts) || !trusted(entry)) return undefined;
    const now = this.#now();
    if (now - entry[7] > SEEN_GRANULARITY_MS) {
      entry[7] = now;
      this.#dirty = true;
      this.#seenMoved = true;
    }
    return entry[6];
  }

  /**
   * Does the work of {@link known} for an entry still in its stored text.
   * The text is compared as it is instead of being parsed into an entry:
   * a run looks up most entries of a large index, and parsed entries would
   * stay in memory until it ends. Facts and stored text both write numbers
   * in JavaScript's shortest form, so equal facts give equal text.
   */
  #knownText(path: string, text: string, facts: FileFacts): string | undefined {
    const prefix = `${facts.size},${facts.mtimeMs},${facts.ctimeMs},${facts.ino},${facts.mode},`;
    if (!text.startsWith(prefix)) return undefined;
    const digestStart = text.indexOf(",", prefix.length) + 1;
    const digestEnd = digestStart === 0 ? -1 : text.indexOf(",", digestStart);
    if (digestEnd === -1) return undefined;
    const hashedAt = Number(text.slice(prefix.length, digestStart - 1));
    const seen = Number(text.slice(digestEnd + 1));
    const limit = hashedAt - RACY_WINDOW_MS;
    if (!(facts.mtimeMs < limit && facts.ctimeMs < limit) || !Number.isFinite(seen)) {
      return undefined;
    }
    const now = this.#now();
    if (now - seen > SEEN_GRANULARITY_MS) {
      this.#entries.set(path, `${text.slice(0, digestEnd)},${now}`);
      this.#dirty = true;
      this.#seenMoved = true;
    }
    return text.slice(digestStart, digestEnd);
  }

  /**
   * Returns the SHA-256 digest of the regular file at the absolute `path`.
   * `facts` are its current facts when the caller already has them.
   */
  digest(path: string, facts?: FileFacts): Promise<string> {
    const pending = this.#pending.get(path);
    if (pending) return pending;
    const work = this.#digest(path, facts).finally(() => this.#pending.delete(path));
    this.#pending.set(path, work);
    return work;
  }

  async #digest(path: string, known?: FileFacts): Promise<string> {
    const facts = known ?? lstatFacts(path);
    if (facts === undefined) {
      throw Object.assign(new Error(`ENOENT: no such file, lstat '${path}'`), { code: "ENOENT" });
    }
    const remembered = this.known(path, facts);
    if (remembered !== undefined) return remembered;
    const hashedAt = this.#now();
    const digest = await sha256File(path, facts.size);
    this.#hashed(path, facts, digest, hashedAt);
    return digest;
  }

  /**
   * Returns the SHA-256 digest of the regular file at the absolute `path`,
   * whose current facts are `facts`, reading it with synchronous calls when
   * the index does not know it. Meant for small files.
   */
  digestSync(path: string, facts: FileFacts): string {
    const remembered = this.known(path, facts);
    if (remembered !== undefined) return remembered;
    const hashedAt = this.#now();
    const digest = sha256FileSync(path);
    this.#hashed(path, facts, digest, hashedAt);
    return digest;
  }

  #hashed(path: string, facts: FileFacts, digest: string, hashedAt: number): void {
    this.hashedFiles++;
    this.#hashedBytes += facts.size;
    this.#store(path, facts, digest, hashedAt);
  }

  /** Stores `digest` when the file still has the facts taken before it was read. */
  #store(path: string, before: FileFacts, digest: string, hashedAt: number): void {
    const after = lstatFacts(path);
    if (
      after !== undefined && after.size === before.size && after.mtimeMs === before.mtimeMs &&
      after.ino === before.ino
    ) {
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
    } else {
      this.#entries.delete(path);
    }
    this.#dirty = true;
    this.#changes++;
  }

  /**
   * Records the digest of a file whose content the caller hashed itself, such
   * as a copy it just wrote. `before` are the facts taken before reading.
   */
  remember(path: string, before: FileFacts, digest: string, hashedAt: number): void {
    this.#store(path, before, digest, hashedAt);
  }

  /** Returns the walk memo stored under `key`, marking it as used. */
  memo(key: string): unknown {
    const stored = this.#memos.get(key);
    if (stored === undefined) return undefined;
    const now = this.#now();
    if (now - stored.seenAt > SEEN_GRANULARITY_MS) {
      stored.seenAt = now;
      this.#dirty = true;
      this.#seenMoved = true;
    }
    return stored.data;
  }

  /** Stores a walk memo under `key`, or drops it when `data` is undefined. */
  setMemo(key: string, data: unknown): void {
    if (data === undefined) {
      if (this.#memos.delete(key)) this.#noteChange();
      return;
    }
    this.#memos.set(key, { data, seenAt: this.#now() });
    this.#noteChange();
  }

  /** Drops the entry of `path`, such as a file that is about to be replaced. */
  forget(path: string): void {
    if (this.#entries.delete(path)) this.#noteChange();
  }

  #noteChange(): void {
    this.#dirty = true;
    this.#changes++;
  }

  /**
   * True when writing the whole index would cost more than the next run
   * redoing what changed: a few changed entries in a large index, with
   * little content hashed. Such changes stay in memory only, and the index
   * stays correct without them, because an entry is only ever used after its
   * facts are checked.
   */
  #notWorthSaving(): boolean {
    const size = this.#entries.size + this.#memos.size;
    return !this.#seenMoved && this.#changes * SAVE_RATIO < size &&
      this.#hashedBytes < SAVE_HASHED_BYTES;
  }

  /**
   * Writes the index atomically when anything changed, unless only a few
   * entries of a large index changed (see `force`).
   *
   * @param force write every change, however small
   */
  async save(force = false): Promise<void> {
    if (!this.#dirty || (!force && this.#notWorthSaving())) return;
    const cutoff = this.#now() - FORGET_AFTER_MS;
    const walks: Record<string, StoredMemo> = {};
    for (const [key, memo] of this.#memos) {
      if (memo.seenAt >= cutoff) walks[key] = memo;
    }
    await mkdir(dirname(this.path), { recursive: true });
    const temp = `${this.path}.${process.pid}.${randomUUID()}.tmp`;
    try {
      writeIndexText(temp, INDEX_VERSION, (emit) => {
        for (const [file, entry] of this.#entries) {
          if (seenAt(entry) >= cutoff) {
            emit(file, typeof entry === "string" ? entry : entry.join(","));
          }
        }
      }, walks);
      await rename(temp, this.path);
      this.#dirty = false;
      this.#changes = 0;
      this.#hashedBytes = 0;
      this.#seenMoved = false;
    } finally {
      await rm(temp, { force: true });
    }
  }
}
