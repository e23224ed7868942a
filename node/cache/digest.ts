/** Content digests and the canonical JSON that cache keys are computed from. @module */

import { createHash, createHmac } from "node:crypto";
import { closeSync, openSync, readFileSync, readSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { TextSink, writeTextFile } from "./text_sink.ts";

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
  const fd = openSync(path, "r");
  const buffer = borrowBuffer();
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
 * Copies the file at `source` to a new file at `target` and returns the
 * SHA-256 hex digest and size of what it copied. It reads until the end of
 * the file, whatever size an earlier `lstat` gave, so a file that shrinks
 * while it is copied ends the copy early. A copy with `fs.copyFile` once
 * hung at full CPU on such a file. A file of at most 64 KiB (by
 * `sizeHint`) is read whole with synchronous calls.
 */
export async function copyAndHash(
  source: string,
  target: string,
  sizeHint: number,
): Promise<{ digest: string; size: number }> {
  if (sizeHint <= SYNC_READ_LIMIT) {
    const data = readFileSync(source);
    writeFileSync(target, data, { flag: "wx" });
    return { digest: sha256(data), size: data.length };
  }
  const hash = createHash("sha256");
  const input = await open(source, "r");
  const buffer = borrowBuffer();
  let size = 0;
  try {
    const output = await open(target, "wx");
    try {
      for (;;) {
        const { bytesRead } = await input.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        hash.update(buffer.subarray(0, bytesRead));
        let written = 0;
        while (written < bytesRead) {
          written += (await output.write(buffer, written, bytesRead - written)).bytesWritten;
        }
        size += bytesRead;
      }
    } finally {
      await output.close();
    }
  } finally {
    returnBuffer(buffer);
    await input.close();
  }
  return { digest: hash.digest("hex"), size };
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

/** Receives text part by part, such as a {@link TextSink}. */
export interface TextParts {
  add(part: string): void;
}

/**
 * Returns the SHA-256 hex digest of {@link canonicalJson} of `value`,
 * hashing the text in pieces instead of building it whole.
 */
export function canonicalDigest(value: unknown): string {
  const hash = createHash("sha256");
  const sink = new TextSink((piece) => hash.update(piece));
  writeCanonicalJson(value, sink);
  sink.flush();
  return hash.digest("hex");
}

/**
 * Writes `JSON.stringify(value)` to the file at `path` in pieces and returns
 * the SHA-256 hex digest of the text.
 */
export function writeJsonFile(path: string, value: unknown): string {
  const hash = createHash("sha256");
  writeTextFile(path, (sink) => writeJson(value, sink, false), (piece) => hash.update(piece));
  return hash.digest("hex");
}

/**
 * Adds the text of {@link canonicalJson} of `value` to `sink`, part by part.
 * Arrays and plain objects are written one item at a time, with the keys in
 * the order `JSON.stringify` would give the sorted copy. Other values are
 * written whole.
 */
export function writeCanonicalJson(value: unknown, sink: TextParts): void {
  writeJson(value, sink, true);
}

/**
 * Adds the JSON text of `value` to `sink`, part by part: the canonical text
 * when `sorted` is true, else the text of `JSON.stringify`.
 */
function writeJson(value: unknown, sink: TextParts, sorted: boolean): void {
  if (Array.isArray(value)) {
    sink.add("[");
    for (let position = 0; position < value.length; position++) {
      if (position > 0) sink.add(",");
      const item = value[position];
      if (skippedByJson(item)) sink.add("null");
      else writeJson(item, sink, sorted);
    }
    sink.add("]");
    return;
  }
  if (!isPlainObject(value)) {
    sink.add(JSON.stringify(sorted ? sortKeys(value) : value) ?? "null");
    return;
  }
  const keys = Object.keys(value);
  const ordered = !sorted || sortedRecords.has(value) || keysInOrder(keys)
    ? value
    : shallowSorted(value, keys);
  sink.add("{");
  let separator = "";
  for (const key of ordered === value ? keys : Object.keys(ordered)) {
    const item = ordered[key];
    if (skippedByJson(item)) continue;
    sink.add(`${separator}${JSON.stringify(key)}:`);
    separator = ",";
    writeJson(item, sink, sorted);
  }
  sink.add("}");
}

/** Returns true for the values that `JSON.stringify` leaves out of objects. */
function skippedByJson(value: unknown): boolean {
  return value === undefined || typeof value === "function" || typeof value === "symbol";
}

/** Returns true for an object that `JSON.stringify` writes as its own enumerable properties. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) &&
    typeof (value as { toJSON?: unknown }).toJSON !== "function";
}

function keysInOrder(keys: readonly string[]): boolean {
  for (let position = 1; position < keys.length; position++) {
    if (keys[position - 1] > keys[position]) return false;
  }
  return true;
}

function shallowSorted(
  record: Record<string, unknown>,
  keys: string[],
): Record<string, unknown> {
  const sorted: Record<string, unknown> = {};
  for (const key of keys.sort()) sorted[key] = record[key];
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
