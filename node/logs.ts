/**
 * Task output buffers. Each stream of each task is kept in memory up to
 * `ASYNC_PIPELINE_MAX_LOG_BYTES`. Past that, the oldest output is dropped and
 * the stored log starts with a truncation marker followed by the tail.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { ErrorCode, PipelineError } from "../core/errors.ts";
import type { ProcessEnv } from "./types.ts";

/** Default per-stream cap: 8 MiB. */
export const DEFAULT_MAX_LOG_BYTES = 8 * 1024 * 1024;

/** Smallest accepted cap. Smaller values are raised to it. */
export const MIN_MAX_LOG_BYTES = 4096;

/**
 * Reads `ASYNC_PIPELINE_MAX_LOG_BYTES` from `env`: bytes per stream, 0 for
 * no cap, default 8 MiB. Values from 1 to 4095 are raised to 4096.
 */
export function readMaxLogBytes(env: ProcessEnv): number {
  const raw = env.ASYNC_PIPELINE_MAX_LOG_BYTES;
  if (raw === undefined || raw.trim() === "") return DEFAULT_MAX_LOG_BYTES;
  // Only decimal digits: `Number` would also take `1e4`, `0x10` and surrounding spaces.
  const value = /^[0-9]+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(value)) {
    throw new PipelineError(
      ErrorCode.INVALID_FIELD,
      `ASYNC_PIPELINE_MAX_LOG_BYTES must be a non-negative integer, got ${JSON.stringify(raw)}.`,
      { hint: "Set it to a byte count such as 1048576, or 0 for no cap." },
    );
  }
  if (value === 0) return 0;
  return Math.max(value, MIN_MAX_LOG_BYTES);
}

/** Returns the marker line that starts a truncated log. */
export function truncationMarker(droppedBytes: number, maxBytes: number): string {
  return `[async-pipeline] output truncated: ${droppedBytes} earlier bytes dropped ` +
    `(ASYNC_PIPELINE_MAX_LOG_BYTES=${maxBytes})\n`;
}

/** One stream's output, capped at a byte size that keeps the most recent output. */
export class LogBuffer {
  readonly #maxBytes: number;
  #chunks: Buffer[] = [];
  #bytes = 0;
  #dropped = 0;

  /** `maxBytes` 0 keeps everything. */
  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Bytes dropped from the start so far. */
  get droppedBytes(): number {
    return this.#dropped;
  }

  /** Total bytes appended, kept or not. */
  get totalBytes(): number {
    return this.#bytes + this.#dropped;
  }

  append(text: string): void {
    if (text === "") return;
    const chunk = Buffer.from(text, "utf8");
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    if (this.#maxBytes > 0 && this.#bytes > this.#maxBytes) this.#dropOldest();
  }

  #dropOldest(): void {
    let excess = this.#bytes - this.#maxBytes;
    while (excess > 0 && this.#chunks.length > 0) {
      const first = this.#chunks[0];
      if (first.length <= excess) {
        this.#chunks.shift();
        this.#bytes -= first.length;
        this.#dropped += first.length;
        excess -= first.length;
        continue;
      }
      // Cut inside the chunk, then skip UTF-8 continuation bytes so no character is split.
      let cut = excess;
      while (cut < first.length && (first[cut] & 0xc0) === 0x80) cut++;
      this.#chunks[0] = first.subarray(cut);
      this.#bytes -= cut;
      this.#dropped += cut;
      excess = 0;
    }
  }

  /** Returns the kept output as text, without a marker. */
  content(): string {
    return Buffer.concat(this.#chunks).toString("utf8");
  }

  /** Returns the text to store: the kept output, after a truncation marker when output was dropped. */
  stored(): string {
    const content = this.content();
    return this.#dropped > 0 ? truncationMarker(this.#dropped, this.#maxBytes) + content : content;
  }
}

/** Returns the last `count` non-empty lines of `text`. */
export function lastLines(text: string, count: number): string[] {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === "") lines.pop();
  return lines.slice(-count);
}
