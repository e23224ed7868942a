/** Content digests and the canonical JSON that cache keys are computed from. @module */

import { createHash, createHmac } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import { open } from "node:fs/promises";

/** Returns the SHA-256 hex digest of a string or bytes. */
export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * Returns the keyed digest of a secret value. The key is a random value kept
 * in the cache directory, so a stored digest cannot be checked against a
 * list of guessed secrets without also reading that key.
 */
export function secretDigest(value: string, key: Uint8Array): string {
  return `hmac-${createHmac("sha256", key).update(value).digest("hex")}`;
}

/** Files up to this size are hashed with synchronous reads; larger ones without blocking. */
export const SYNC_READ_LIMIT = 64 * 1024;

/** Size of the buffers that file content is read into for hashing. */
const CHUNK_SIZE = 64 * 1024;

/**
 * Read buffers not in use. Each hash borrows one and gives it back, so many
 * files are read through the same few buffers. A new buffer per file, or per
 * chunk of a large file, is external memory that is only freed by the next
 * garbage collection.
 */
const spareBuffers: Uint8Array[] = [];

/** Maximum length of {@link spareBuffers}. More buffers exist only while many large files are hashed at once. */
const SPARE_BUFFER_LIMIT = 4;

function borrowBuffer(): Uint8Array {
  return spareBuffers.pop() ?? new Uint8Array(CHUNK_SIZE);
}

function returnBuffer(buffer: Uint8Array): void {
  if (spareBuffers.length < SPARE_BUFFER_LIMIT) spareBuffers.push(buffer);
}

/**
 * Returns the SHA-256 hex digest of a file's content, reading it with
 * synchronous calls through a reused buffer. Meant for small files, where a
 * promise-based read costs more than the read itself.
 */
export function sha256FileSync(path: string): string {
  const hash = createHash("sha256");
  const buffer = borrowBuffer();
  const fd = openSync(path, "r");
  try {
    for (;;) {
      const count = readSync(fd, buffer, 0, buffer.length, null);
      if (count === 0) break;
      hash.update(buffer.subarray(0, count));
    }
  } finally {
    closeSync(fd);
    returnBuffer(buffer);
  }
  return hash.digest("hex");
}

/**
 * Returns the SHA-256 hex digest of a file's content. A file of at most
 * 64 KiB (by `sizeHint`, its size from an earlier `lstat`) is read with
 * synchronous calls (see {@link sha256FileSync}). A larger file is read in
 * chunks without blocking, so memory stays flat whatever its size.
 */
export function sha256File(path: string, sizeHint?: number): Promise<string> {
  if (sizeHint !== undefined && sizeHint <= SYNC_READ_LIMIT) {
    try {
      return Promise.resolve(sha256FileSync(path));
    } catch (error) {
      return Promise.reject(error);
    }
  }
  return sha256Chunks(path);
}

async function sha256Chunks(path: string): Promise<string> {
  const hash = createHash("sha256");
  const file = await open(path, "r");
  const buffer = borrowBuffer();
  try {
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    returnBuffer(buffer);
    await file.close();
  }
  return hash.digest("hex");
}

/** Serializes JSON with object keys sorted, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/**
 * Returns `value` with the keys of every object in code-unit order. Objects
 * and arrays that are already in order come back as they are, so a large
 * record built in order (such as a task's input digests) is not copied.
 */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    let changed = false;
    const items = value.map((item) => {
      const sorted = sortKeys(item);
      if (sorted !== item) changed = true;
      return sorted;
    });
    return changed ? items : value;
  }
  if (typeof value !== "object" || value === null) return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let changed = false;
  for (let position = 0; position < keys.length && !changed; position++) {
    const entry = record[keys[position]];
    changed = (position > 0 && keys[position - 1] > keys[position]) ||
      (typeof entry === "object" && entry !== null && sortKeys(entry) !== entry);
  }
  if (!changed) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of keys.sort()) sorted[key] = sortKeys(record[key]);
  return sorted;
}

/** Files hashed or copied at once; keeps open descriptors well under common limits. */
const PARALLEL_FILES = 32;

/** Maps `items` through `work` with at most {@link PARALLEL_FILES} calls running, keeping order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const position = next++;
      results[position] = await work(items[position]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_FILES, items.length) }, worker));
  return results;
}
