/**
 * Key memos: the cache key a task's last lookup computed, kept with a digest
 * of the stat facts of its input files and a digest of the rest of its key
 * manifest. A later lookup whose input listing comes from a valid walk memo
 * and whose facts and other key parts are unchanged has the same key. It
 * then skips looking up each file in the file-state index, building the
 * manifest of every input digest and hashing it, which for a task with
 * thousands of inputs is most of a warm lookup.
 *
 * The argument is the file-state index's: a file whose size, mtime, ctime,
 * inode and mode are unchanged is taken to have unchanged content. A memo is
 * only stored when every input is a regular file whose mtime and ctime are
 * at least {@link RACY_WINDOW_MS} older than the moment its facts were taken,
 * so a later change moves at least one of them. Inputs that are links, or
 * listings that no walk memo covers (the implicit `**` inputs and walks
 * through linked directories), are never memoized.
 *
 * @module
 */

import { createHash } from "node:crypto";
import type { CacheLookupInput } from "../cache_seam.ts";
import { sha256 } from "./digest.ts";
import { type FileStateIndex, RACY_WINDOW_MS } from "./file_index.ts";
import type { StatedInputs } from "./inputs.ts";
import { type KeyManifest, manifestKey } from "./manifest.ts";
import { uncachedFingerprint } from "./uncached.ts";

/** Version 2 digests counted lists of paths separated by NUL. Version 1 joined them with newlines. */
const MEMO_VERSION = 2;

/** Numbers per file in the facts digest: size, mtime, ctime, inode and mode. */
const FACT_COUNT = 5;

interface KeyMemoData {
  version: number;
  /** Digest of the input paths and their facts, from {@link inputFactsDigest}. */
  facts: string;
  /** Digest of every other part of the key manifest. */
  context: string;
  key: string;
}

function isKeyMemoData(value: unknown): value is KeyMemoData {
  const data = value as Partial<KeyMemoData> | null;
  return data?.version === MEMO_VERSION && typeof data.facts === "string" &&
    typeof data.context === "string" && typeof data.key === "string";
}

/**
 * Returns a digest of the input paths and the stat facts of every input
 * file, or undefined when the inputs cannot be memoized: the listing has no
 * walk memo, or an input is not a settled regular file.
 */
export function inputFactsDigest(stated: StatedInputs): string | undefined {
  if (!stated.walked.memoized) return undefined;
  const limit = stated.at - RACY_WINDOW_MS;
  const { files } = stated;
  const numbers = new Float64Array(files.length * FACT_COUNT);
  const paths: string[] = [];
  let position = 0;
  for (let row = 0; row < files.length; row++) {
    const facts = files.facts(row);
    if (facts?.kind !== "file" || facts.mtimeMs >= limit || facts.ctimeMs >= limit) {
      return undefined;
    }
    numbers[position++] = facts.size;
    numbers[position++] = facts.mtimeMs;
    numbers[position++] = facts.ctimeMs;
    numbers[position++] = facts.ino;
    numbers[position++] = facts.mode;
    paths.push(files.path(row));
  }
  // File names cannot contain NUL, and each list starts with its length, so two
  // different listings never give the same text.
  const { absent } = stated.walked;
  return createHash("sha256")
    .update(`${paths.length}\0${paths.join("\0")}\0`)
    .update(`${absent.length}\0${absent.join("\0")}\0`)
    .update(new Uint8Array(numbers.buffer))
    .digest("hex");
}

/** Returns the slot of a task's key memo: one per task directory and task id. */
export function keyMemoSlot(cwd: string, taskId: string): string {
  return sha256(JSON.stringify(["key", cwd, taskId]));
}

/**
 * Returns the key stored under `slot` when it was computed from inputs with
 * the facts digest `facts` and other key parts with the digest `context`.
 */
export function memoizedKey(
  index: FileStateIndex,
  slot: string,
  facts: string,
  context: string,
): string | undefined {
  const stored = index.memo(slot);
  if (!isKeyMemoData(stored) || stored.facts !== facts || stored.context !== context) {
    return undefined;
  }
  return stored.key;
}

/**
 * Stores `key` under `slot` for the given digests, unless the memo there
 * already contains that key. `files` is the number of input files the memo covers.
 */
export function recordKey(
  index: FileStateIndex,
  slot: string,
  memo: { readonly facts: string; readonly context: string; readonly files: number },
  key: string,
): void {
  const { facts, context, files } = memo;
  if (memoizedKey(index, slot, facts, context) === key) return;
  const data: KeyMemoData = { version: MEMO_VERSION, facts, context, key };
  index.setMemo(slot, data, Math.max(1, files));
}

/** The slot of a lookup's key memo and the digests the memo must match. */
export interface KeyMemo {
  readonly slot: string;
  readonly facts: string;
  readonly context: string;
  /** Number of input files the memo covers. */
  readonly files: number;
}

/**
 * Returns the key memo of a lookup: where it is kept and the digests it is
 * checked against, or undefined when the lookup's inputs cannot be memoized.
 * `prepared` contains the lookup's stated inputs and its manifest without input
 * digests.
 */
export function lookupKeyMemo(
  input: CacheLookupInput,
  prepared: { readonly stated: StatedInputs; readonly context: KeyManifest },
  runId: string,
): KeyMemo | undefined {
  const facts = inputFactsDigest(prepared.stated);
  if (facts === undefined) return undefined;
  // A dependency that is not cached gets a new fingerprint every run, so
  // its dependents' memos could never match.
  const volatile = Object.entries(input.dependencyFingerprints)
    .some(([id, fingerprint]) => fingerprint === uncachedFingerprint(runId, id));
  if (volatile) return undefined;
  const slot = keyMemoSlot(input.cwd, input.task.id);
  const files = prepared.stated.files.length;
  return { slot, facts, context: manifestKey(prepared.context), files };
}
