/**
 * The memo file beside the file-state index: walk memos, restored-output
 * memos and key memos, each opaque to this file. It is kept apart from the
 * index's per-file entries because a warm run whose memos are all valid never
 * needs those entries, and a large index takes longer to parse than
 * everything else such a run does.
 *
 * @module
 */

import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

const MEMO_FILE_VERSION = 1;

/** Memos not used for this long are dropped when the file is saved. */
export const FORGET_AFTER_MS = 30 * 24 * 60 * 60 * 1000;

/** Last-use times are refreshed at this granularity, so a warm run does not rewrite the file. */
export const SEEN_GRANULARITY_MS = 24 * 60 * 60 * 1000;

/** A file is saved when its changes, weighted by the work they save, reach one in this many items. */
export const SAVE_RATIO = 64;

/** A stored memo: its data, and when it was last used. */
interface StoredMemo {
  data: unknown;
  seenAt: number;
}

/** Writes `text` to `path` through a temporary file and a rename, so readers never see half of it. */
export async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await writeFile(temp, text);
    await rename(temp, path);
  } finally {
    await rm(temp, { force: true });
  }
}

/** The memos of one project, loaded whole and saved when worth it. */
export class MemoFile {
  readonly path: string;
  #memos = new Map<string, StoredMemo>();
  #now: () => number;
  #dirty = false;
  /** Weighted changes since the last load or save. */
  #changes = 0;
  /** True when a last-use time moved, which must be saved, or the memo expires. */
  #seenMoved = false;
  /** True when a memo was dropped that must not stay on disk. */
  #mustSave = false;

  private constructor(path: string, now: () => number) {
    this.path = path;
    this.#now = now;
  }

  /** Loads the memo file at `path`; a missing or damaged file gives no memos. */
  static async load(path: string, now: () => number): Promise<MemoFile> {
    const file = new MemoFile(path, now);
    try {
      const data = JSON.parse(await readFile(path, "utf8"));
      if (data?.version === MEMO_FILE_VERSION && typeof data.memos === "object") {
        for (const [key, memo] of Object.entries(data.memos ?? {})) {
          const stored = memo as Partial<StoredMemo> | null;
          if (typeof stored?.seenAt === "number" && stored.data !== undefined) {
            file.#memos.set(key, { data: stored.data, seenAt: stored.seenAt });
          }
        }
      }
    } catch {
      // A missing or damaged memo file only costs doing the memoized work again.
    }
    return file;
  }

  /** Returns the memo stored under `key`, marking it as used. */
  get(key: string): unknown {
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

  /** Stores a memo under `key`, or drops it when `data` is undefined; see `FileStateIndex.setMemo`. */
  set(key: string, data: unknown, weight: number): void {
    if (data === undefined) {
      if (!this.#memos.delete(key)) return;
    } else this.#memos.set(key, { data, seenAt: this.#now() });
    this.#dirty = true;
    this.#changes += data === undefined ? 1 : weight;
  }

  /** Drops the memo under `key`, and makes the next save write the file when there was one. */
  drop(key: string): void {
    if (!this.#memos.delete(key)) return;
    this.#dirty = true;
    this.#mustSave = true;
  }

  /**
   * Writes the file when a memo changed, unless the changes are worth less
   * than rewriting it (see `force`). Throws what the write throws.
   *
   * @param force write every change, however small
   */
  async save(force = false): Promise<void> {
    if (!this.#dirty) return;
    const small = this.#changes * SAVE_RATIO < this.#memos.size;
    if (!force && !this.#seenMoved && !this.#mustSave && small) return;
    const cutoff = this.#now() - FORGET_AFTER_MS;
    const memos: Record<string, StoredMemo> = {};
    for (const [key, memo] of this.#memos) {
      if (memo.seenAt >= cutoff) memos[key] = memo;
    }
    await writeAtomically(this.path, JSON.stringify({ version: MEMO_FILE_VERSION, memos }));
    this.#dirty = false;
    this.#changes = 0;
    this.#seenMoved = false;
    this.#mustSave = false;
  }
}
