/**
 * Complete synchronous writes to a file descriptor, for the process's `exit`
 * event, where a stream's asynchronous writes never finish.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { writeSync } from "node:fs";

/** How long a write may make no progress before it gives up, by default. */
export const STALL_MS = 10_000;

/** Blocks the thread for about `ms` milliseconds. */
function pause(ms: number): void {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  } catch {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      // Busy wait where the runtime does not let this thread block.
    }
  }
}

/**
 * Writes all of `text` to `fd` before it returns. A pipe that the runtime
 * made non-blocking takes a part of a large text, or fails with `EAGAIN`
 * while it is full, so the rest is written once the reader took some. When
 * the reader takes nothing for `stallMs`, the write gives up with the
 * `EAGAIN` error. Other errors, such as `EPIPE`, are thrown at once.
 */
export function writeAllSync(fd: number, text: string, stallMs = STALL_MS): void {
  const bytes = Buffer.from(text, "utf8");
  let offset = 0;
  let progressed = Date.now();
  while (offset < bytes.length) {
    try {
      const written = writeSync(fd, bytes, offset, bytes.length - offset);
      if (written > 0) progressed = Date.now();
      offset += written;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
      if (Date.now() - progressed > stallMs) throw error;
      pause(2);
    }
  }
}
