/**
 * The persistent file-state index: for each file it remembers the stat facts
 * (size, mtime, ctime, inode, mode) seen when its content was hashed, so a
 * file whose facts are unchanged is not read again. It also gives access to
 * the memos of {@link ./memo_file.ts}, kept in a file of their own: the
 * per-file entries are read only when a run first needs one, which a warm
 * run whose memos are all valid never does.
 *
 * An entry is trusted only when the file's mtime and ctime are older than
 * the moment it was hashed by at least {@link RACY_WINDOW_MS}. A file written
 * within that window of being hashed could change again without a visible
 * timestamp change, so it is hashed again on the next look.
 *
 * @module
 */

import { sha256File, sha256FileSync } from "./digest.ts";
import { type FileFacts, lstatFacts } from "./facts.ts";
import { DirectBudget } from "./direct_budget.ts";
import { memoPath, readEntries, savingTo, writeEntriesAtomically } from "./index_disk.ts";
import type { IndexTable } from "./index_table.ts";
import { CTIME, EntryRows, HASHED_AT, INO, MODE, MTIME, SEEN_AT, SIZE } from "./index_rows.ts";
import { FORGET_AFTER_MS, MemoFile, SAVE_RATIO, SEEN_GRANULARITY_MS } from "./memo_file.ts";
import { WithheldValues } from "./withheld.ts";

export { IndexSaveError } from "./index_disk.ts";

/** Timestamp granularity margin in milliseconds (2 s covers coarse filesystems such as FAT). */
export const RACY_WINDOW_MS = 2000;

/** An index is saved when the files hashed since loading add up to this many bytes. */
const SAVE_HASHED_BYTES = 4 * 1024 * 1024;

/**
 * An entry is `size,mtimeMs,ctimeMs,ino,mode,hashedAtMs,digest,seenAtMs`,
 * the fields joined by commas: parsing one string per file is several times
 * cheaper than parsing an array, and most entries of a large index are
 * never looked at in a run. In memory an entry is still in the text of the
 * file, or a row of {@link EntryRows} when it was set in this run.
 */
type IndexValue = number | string;

/** Position of the digest among the fields of an entry. */
const DIGEST_FIELD = 6;

/** Parses the numeric fields of an entry's text, or returns undefined when it is malformed. */
function parseNumbers(text: string): number[] | undefined {
  const fields = text.split(",");
  if (fields.length !== 8) return undefined;
  const numbers = fields.filter((_, position) => position !== DIGEST_FIELD).map(Number);
  return numbers.every(Number.isFinite) ? numbers : undefined;
}

/** Digests of regular files, remembered across runs in one JSON file. */
export class FileStateIndex {
  readonly path: string;
  /**
   * Entries by absolute path, read from disk on first use. An entry stays in
   * its stored text until it is used.
   */
  #stored?: IndexTable<number>;
  /** Entries set in this run, which {@link #stored} names by their row. */
  #rows = new EntryRows();
  #memos: MemoFile;
  /** The numeric fields of the last stored entry read, reused for every file. */
  #fields = new Float64Array(7);
  #pending = new Map<string, Promise<string>>();
  #dirty = false;
  /** Entries written or dropped since the last load or save. */
  #changes = 0;
  /** Bytes read to hash files since the last load or save. */
  #hashedBytes = 0;
  /** True when a last-seen time moved, which must be saved, or the entry expires. */
  #seenMoved = false;
  #now: () => number;
  /**
   * Values that no saved entry or memo may contain in a path: the run's
   * secrets. The index files are saved with the cache, which never stores a
   * secret. Once a path with one was seen, the next save rewrites the index.
   */
  readonly withheld = new WithheldValues();
  /** Number of files whose content was read since the index was loaded. */
  hashedFiles = 0;
  /** Direct hashing left before the stored entries are worth loading; none when disabled. */
  readonly #direct?: DirectBudget;

  private constructor(path: string, now: () => number, memos: MemoFile, direct: boolean) {
    this.path = path;
    this.#now = now;
    this.#memos = memos;
    if (direct) this.#direct = new DirectBudget(path);
  }

  /**
   * Opens the index at `path` and loads its memo file (`path` with
   * `.memos.json` in place of `.json`). Missing or damaged files give an
   * empty index. With `options.direct` false, every digest goes through the
   * stored entries (see {@link DirectBudget}).
   */
  static async load(
    path: string,
    now: () => number = Date.now,
    options: { readonly direct?: boolean } = {},
  ): Promise<FileStateIndex> {
    const memos = await MemoFile.load(memoPath(path), now);
    return new FileStateIndex(path, now, memos, options.direct ?? true);
  }

  /** The per-file entries, read from disk on first use. */
  get #entries(): IndexTable<number> {
    this.#stored ??= readEntries(this.path);
    return this.#stored;
  }

  /**
   * Returns true when `count` files of `bytes` in total are to be hashed
   * without the stored entries, and takes their cost from the budget.
   * Otherwise loads the entries, so that every later digest goes through them.
   */
  hashesDirectly(count: number, bytes: number): boolean {
    if (this.#stored === undefined && this.#direct?.allows(count, bytes)) return true;
    void this.#entries;
    return false;
  }

  /** Returns the SHA-256 digest of the small file at the absolute `path`, not remembered. */
  digestDirectlySync(path: string): string {
    this.hashedFiles++;
    return sha256FileSync(path);
  }

  /** {@link digestDirectlySync} for a file of any `size`, read asynchronously. */
  async digestDirectly(path: string, size: number): Promise<string> {
    this.hashedFiles++;
    return await sha256File(path, size);
  }

  /** Returns true when one file of `size` bytes is to be hashed without the stored entries. */
  #oneDirectly(size: number, spend: boolean): boolean {
    return this.#stored === undefined && this.#direct?.allows(1, size, spend) === true;
  }

  /** Reads the index's clock, in milliseconds since the epoch. */
  now(): number {
    return this.#now();
  }

  /**
   * Returns the digest remembered for the file at `path` when `facts` (its
   * current facts) match the entry and the entry is trusted, without any I/O.
   * With a `base`, the file is at `base + path`: a run that sets entries for
   * thousands of files under one directory then keeps their relative paths,
   * not an absolute path string per file.
   */
  known(path: string, facts: FileFacts, base = ""): string | undefined {
    if (this.#oneDirectly(facts.size, false)) return undefined;
    const fields = this.#fields;
    const digest = this.#entries.readStored(path, fields, DIGEST_FIELD, base);
    if (digest === undefined) return undefined;
    if (digest !== null) {
      // An entry still in the file's bytes: compared without parsing it into an array.
      if (
        fields[0] !== facts.size || fields[1] !== facts.mtimeMs || fields[2] !== facts.ctimeMs ||
        fields[3] !== facts.ino || fields[4] !== facts.mode || !Number.isFinite(fields[6])
      ) {
        return undefined;
      }
      const limit = fields[5] - RACY_WINDOW_MS;
      if (!(facts.mtimeMs < limit && facts.ctimeMs < limit)) return undefined;
      if (this.#now() - fields[6] > SEEN_GRANULARITY_MS) {
        this.#markSeen(this.#setRow(base, path, fields, digest, fields[6]));
      }
      return digest;
    }
    const stored = this.#entries.get(path, base);
    if (typeof stored === "string") return this.#knownText(base, path, stored, facts);
    if (stored === undefined) return undefined;
    const rows = this.#rows;
    const limit = rows.get(stored, HASHED_AT) - RACY_WINDOW_MS;
    if (
      rows.get(stored, SIZE) !== facts.size || rows.get(stored, MTIME) !== facts.mtimeMs ||
      rows.get(stored, CTIME) !== facts.ctimeMs || rows.get(stored, INO) !== facts.ino ||
      rows.get(stored, MODE) !== facts.mode ||
      !(rows.get(stored, MTIME) < limit && rows.get(stored, CTIME) < limit)
    ) {
      return undefined;
    }
    this.#markSeen(stored);
    return rows.digest(stored);
  }

  /** Sets the entry of `base + path` to a new row and returns the row. */
  #setRow(
    base: string,
    path: string,
    numbers: ArrayLike<number>,
    digest: string,
    seenAt: number,
  ): number {
    const row = this.#rows.add(numbers, digest, seenAt);
    this.#entries.set(path, row, base);
    return row;
  }

  /**
   * {@link known} for an entry still in its stored text. The fields are read
   * one at a time and compared as they are read, without splitting the text:
   * on a warm run this is done for every input file.
   */
  #knownText(base: string, path: string, text: string, facts: FileFacts): string | undefined {
    let start = 0;
    const next = (): string | undefined => {
      const end = text.indexOf(",", start);
      if (end < 0) return undefined;
      const field = text.slice(start, end);
      start = end + 1;
      return field;
    };
    if (
      Number(next()) !== facts.size || Number(next()) !== facts.mtimeMs ||
      Number(next()) !== facts.ctimeMs || Number(next()) !== facts.ino ||
      Number(next()) !== facts.mode
    ) {
      return undefined;
    }
    const limit = Number(next()) - RACY_WINDOW_MS;
    const digest = next();
    const seen = Number(text.slice(start));
    if (digest === undefined || !Number.isFinite(seen)) return undefined;
    if (!(facts.mtimeMs < limit && facts.ctimeMs < limit)) return undefined;
    if (this.#now() - seen > SEEN_GRANULARITY_MS) {
      const numbers = parseNumbers(text);
      if (numbers === undefined) return undefined;
      this.#markSeen(this.#setRow(base, path, numbers, digest, seen));
    }
    return digest;
  }

  /** Moves the last-seen time of row `row` to now when it is older than the granularity. */
  #markSeen(row: number): void {
    const now = this.#now();
    if (now - this.#rows.get(row, SEEN_AT) > SEEN_GRANULARITY_MS) {
      this.#rows.setSeenAt(row, now);
      this.#dirty = true;
      this.#seenMoved = true;
    }
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
      const message = `ENOENT: no such file, lstat '${path}'`;
      throw Object.assign(new Error(message), { code: "ENOENT", path });
    }
    if (this.#oneDirectly(facts.size, true)) return await this.digestDirectly(path, facts.size);
    const remembered = this.known(path, facts);
    if (remembered !== undefined) return remembered;
    const hashedAt = this.#now();
    const digest = await sha256File(path, facts.size);
    this.#hashed("", path, facts, digest, hashedAt);
    return digest;
  }

  /**
   * Returns the SHA-256 digest of the regular file at the absolute path
   * `base + path`, whose current facts are `facts`, reading it with
   * synchronous calls when the index does not know it. Meant for small files.
   * See {@link known} for `base`.
   */
  digestSync(path: string, facts: FileFacts, base = ""): string {
    if (this.#oneDirectly(facts.size, true)) return this.digestDirectlySync(base + path);
    const remembered = this.known(path, facts, base);
    if (remembered !== undefined) return remembered;
    const hashedAt = this.#now();
    const digest = sha256FileSync(base + path);
    this.#hashed(base, path, facts, digest, hashedAt);
    return digest;
  }

  #hashed(base: string, path: string, facts: FileFacts, digest: string, hashedAt: number): void {
    this.hashedFiles++;
    this.#hashedBytes += facts.size;
    this.#store(base, path, facts, digest, hashedAt);
  }

  /** Stores `digest` when the file still has the facts taken before it was read. */
  #store(base: string, path: string, before: FileFacts, digest: string, hashedAt: number): void {
    const after = lstatFacts(base + path);
    if (
      after !== undefined && after.size === before.size && after.mtimeMs === before.mtimeMs &&
      after.ino === before.ino
    ) {
      const numbers = [after.size, after.mtimeMs, after.ctimeMs, after.ino, after.mode, hashedAt];
      this.#setRow(base, path, numbers, digest, this.#now());
    } else {
      this.#entries.delete(path, base);
    }
    this.#dirty = true;
    this.#changes++;
  }

  /**
   * Records the digest of a file whose content the caller hashed itself, such
   * as a copy it just wrote. `before` are the facts taken before reading.
   */
  remember(path: string, before: FileFacts, digest: string, hashedAt: number): void {
    // While files are hashed directly, reading this one again later costs less than loading entries.
    if (this.#oneDirectly(before.size, false)) return;
    this.#store("", path, before, digest, hashedAt);
  }

  /** Returns the memo stored under `key`, marking it as used. */
  memo(key: string): unknown {
    return this.#memos.get(key);
  }

  /**
   * Stores a memo under `key`, or drops it when `data` is undefined.
   * `weight` is how many entries' worth of work the memo saves a later run:
   * a memo that covers thousands of files makes the memo file worth saving
   * on its own.
   */
  setMemo(key: string, data: unknown, weight = 1): void {
    this.#memos.set(key, data, weight);
  }

  /** Drops the memo under `key`, which names a withheld value: the memo file is saved without it. */
  dropMemo(key: string): void {
    this.#memos.drop(key);
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
    return !this.#seenMoved && this.#changes * SAVE_RATIO < this.#entries.size &&
      this.#hashedBytes < SAVE_HASHED_BYTES;
  }

  /**
   * Writes the memo file and the entries, each atomically, when anything in
   * it changed, unless only a few items of a large file changed (see
   * `force`). Entries never read in this run are left as they are on disk.
   * Throws an error that names the file that could not be written.
   *
   * @param force write every change, however small
   */
  async save(force = false): Promise<void> {
    await savingTo(this.#memos.path, () => this.#memos.save(force));
    const purge = this.withheld.seen;
    if (purge) this.#dirty = true;
    const stored = purge ? this.#entries : this.#stored;
    if (stored === undefined || !this.#dirty || (!force && !purge && this.#notWorthSaving())) {
      return;
    }
    const cutoff = this.#now() - FORGET_AFTER_MS;
    const rows = this.#rows;
    const { withheld } = this;
    await savingTo(this.path, () =>
      writeEntriesAtomically(this.path, (emit) => {
        stored.forEach((file, entry) => {
          if (withheld.in(file)) return;
          const text = typeof entry === "string" ? entry : rows.text(entry);
          const seenAt = typeof entry === "string"
            ? Number(entry.slice(entry.lastIndexOf(",") + 1))
            : rows.get(entry, SEEN_AT);
          if (seenAt >= cutoff) emit(file, text);
        });
      }));
    withheld.seen = false;
    this.#dirty = false;
    this.#changes = 0;
    this.#hashedBytes = 0;
    this.#seenMoved = false;
  }
}
