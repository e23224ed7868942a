/** Content digests and the canonical JSON that cache keys are computed from. @module */

import { createHash, createHmac } from "node:crypto";
import { createReadStream, readFileSync } from "node:fs";

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

/** Files up to this size are read whole; larger ones are streamed. */
const WHOLE_READ_LIMIT = 64 * 1024;

/**
 * Returns the SHA-256 hex digest of a file's content. A file of at most
 * 64 KiB (by `sizeHint`, its size from an earlier `lstat`) is read in one
 * synchronous call: for a small file, the four thread-pool round trips of a
 * promise-based read cost more than the read itself. A larger file is
 * streamed, so memory stays flat.
 */
export function sha256File(path: string, sizeHint?: number): Promise<string> {
  if (sizeHint !== undefined && sizeHint <= WHOLE_READ_LIMIT) {
    try {
      return Promise.resolve(sha256(readFileSync(path)));
    } catch (error) {
      return Promise.reject(error);
    }
  }
  return sha256Stream(path);
}

function sha256Stream(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    const stream = createReadStream(path);
    stream.on("data", (chunk) => hash.update(chunk));
    stream.on("error", reject);
    stream.on("end", () => resolve(hash.digest("hex")));
  });
}

/** Records their builder already put in key order, with string values only. */
const sortedRecords = new WeakSet<object>();

/**
 * Marks `record`, whose keys are in code-unit order and whose values are
 * strings, so that {@link canonicalJson} does not check its order again.
 * The caller must not add keys to it afterwards.
 */
export function markSorted<T extends Readonly<Record<string, string>>>(record: T): T {
  sortedRecords.add(record);
  return record;
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
  if (sortedRecords.has(value as object)) return value;
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
