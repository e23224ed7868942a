/** Large texts handed on in pieces, so no copy of the whole text is built. @module */

import { Buffer } from "node:buffer";
import { closeSync, openSync, writeSync } from "node:fs";

/** Number of UTF-16 code units collected before a piece is handed on. */
const PIECE_LENGTH = 64 * 1024;

/**
 * Collects text added in small parts and hands it to `consume` in pieces of
 * about 64 Ki code units. A piece always ends between two parts, so a part
 * that is well-formed UTF-16 stays whole and encodes as it would in the
 * complete text.
 */
export class TextSink {
  #text = "";
  #consume: (piece: string) => void;

  constructor(consume: (piece: string) => void) {
    this.#consume = consume;
  }

  /** Appends `part`, handing on the collected text once it is long enough. */
  add(part: string): void {
    this.#text += part;
    if (this.#text.length >= PIECE_LENGTH) this.flush();
  }

  /** Hands on whatever text is still collected. */
  flush(): void {
    if (this.#text === "") return;
    const piece = this.#text;
    this.#text = "";
    this.#consume(piece);
  }
}

/**
 * Creates the file at `path` (or truncates it) and calls `write` with a sink
 * whose text goes into the file as UTF-8, in pieces. `observe` also gets
 * every piece, in order.
 */
export function writeTextFile(
  path: string,
  write: (sink: TextSink) => void,
  observe?: (piece: string) => void,
): void {
  const fd = openSync(path, "w");
  try {
    const sink = new TextSink((piece) => {
      writeAll(fd, piece);
      observe?.(piece);
    });
    write(sink);
    sink.flush();
  } finally {
    closeSync(fd);
  }
}

/** Size of the reused encoding buffer: the UTF-8 of a piece plus a part of up to 20 Ki code units. */
const ENCODED_SIZE = (PIECE_LENGTH + 20 * 1024) * 3;

/** Encoding buffer of {@link writeAll}, made on first use. */
let encoded: Buffer | undefined;

/** Writes `text` to `fd` as UTF-8, repeating the call until every byte is written. */
function writeAll(fd: number, text: string): void {
  const needed = text.length * 3;
  const buffer = needed <= ENCODED_SIZE
    ? (encoded ??= Buffer.allocUnsafe(ENCODED_SIZE))
    : Buffer.allocUnsafe(needed);
  const length = buffer.write(text, 0, "utf8");
  let offset = 0;
  while (offset < length) offset += writeSync(fd, buffer, offset, length - offset);
}
