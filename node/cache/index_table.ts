/**
 * The entries of the file-state index in memory, kept in the bytes of the
 * index file they were read from.
 *
 * A map from each absolute path to its entry costs two strings and a map
 * slot per file. With tens of thousands of files that is megabytes of small
 * objects. They live through the whole lookup, so the garbage collector's
 * young generation grows. So does the file's text as one string,
 * megabytes that the collector copies out of the young generation. Here the
 * entries read from the file stay in its bytes, outside the collected heap.
 * Typed arrays hold where each path and entry starts and ends, and a hash
 * table of entry numbers finds a path by comparing it with the bytes in
 * place. Only entries written or changed in this run live in a map.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { AddedEntries } from "./index_added.ts";
import { FNV_OFFSET, FNV_PRIME } from "./fnv.ts";
import { parseIndexText } from "./index_text.ts";
import { BACKSLASH, CLOSING_BRACE, COLON, COMMA, OPENING_BRACE, QUOTE } from "./json_scan.ts";

/** Offsets stored per entry of the text: path start and end, entry start and end. */
const SPAN = 4;

/** FNV-1a over `bytes` from `start` to `end`. */
function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let position = start; position < end; position++) {
    hash = Math.imul(hash ^ bytes[position], FNV_PRIME);
  }
  return hash >>> 0;
}

/**
 * FNV-1a over the code units of `base` followed by those of `rest` when all
 * are ASCII, which then are their UTF-8 bytes, or -1 when they have other
 * characters.
 */
function hashAscii(base: string, rest: string): number {
  let hash = FNV_OFFSET;
  for (let position = 0; position < base.length; position++) {
    const code = base.charCodeAt(position);
    if (code >= 0x80) return -1;
    hash = Math.imul(hash ^ code, FNV_PRIME);
  }
  for (let position = 0; position < rest.length; position++) {
    const code = rest.charCodeAt(position);
    if (code >= 0x80) return -1;
    hash = Math.imul(hash ^ code, FNV_PRIME);
  }
  return hash >>> 0;
}

/** An entry value: the stored text of an entry, or any parsed form of it. */
export type TableValue<T> = T | string;

/**
 * Entries by path: those of the loaded text, found in place, and an overlay
 * of entries set in this run. Setting or deleting a path hides its entry in
 * the text. Each method that takes a path also takes an optional base, and
 * then means the path `base + path` (see {@link AddedEntries}).
 */
export class IndexTable<T> {
  readonly #bytes: Buffer;
  /** {@link SPAN} offsets per entry of the text. */
  readonly #spans: Int32Array;
  /** Open-addressing hash table of entry numbers plus one, where 0 marks an empty slot. */
  readonly #slots: Int32Array;
  /** 1 for an entry of the text that a later entry, a set or a delete replaced. */
  readonly #hidden: Uint8Array;
  readonly #overlay = new AddedEntries<TableValue<T>>();
  #visible: number;

  private constructor(bytes: Buffer, spans: Int32Array, count: number) {
    this.#bytes = bytes;
    this.#spans = spans;
    this.#hidden = new Uint8Array(count);
    let capacity = 16;
    while (capacity < count * 2) capacity *= 2;
    this.#slots = new Int32Array(capacity);
    this.#visible = count;
    for (let entry = 0; entry < count; entry++) this.#insert(entry);
  }

  /** An empty table. */
  static empty<T>(): IndexTable<T> {
    return new IndexTable<T>(Buffer.alloc(0), new Int32Array(0), 0);
  }

  /**
   * Reads the bytes of an index file of `version`. Returns undefined when it
   * is not one. Throws when it is not valid JSON.
   */
  static parse<T>(bytes: Buffer, version: number): IndexTable<T> | undefined {
    const prefix = `{"version":${version},"entries":{`;
    if (bytes.length > prefix.length && bytes.toString("latin1", 0, prefix.length) === prefix) {
      const scanned = IndexTable.scan<T>(bytes, prefix.length - 1);
      if (
        scanned !== undefined && scanned.end === bytes.length - 1 &&
        bytes[scanned.end] === CLOSING_BRACE
      ) {
        return scanned.table;
      }
    }
    const parsed = parseIndexText(bytes.toString("utf8"), version);
    if (parsed === undefined) return undefined;
    const table = IndexTable.empty<T>();
    for (const [path, entry] of parsed) table.set(path, entry);
    return table;
  }

  /**
   * Reads the JSON object of string values whose `{` is at `start` in
   * `bytes`, in the layout `JSON.stringify` writes. Returns the table and the
   * position after the object's `}`, or undefined when no such object starts
   * there.
   */
  static scan<T>(bytes: Buffer, start: number): { table: IndexTable<T>; end: number } | undefined {
    if (bytes[start] !== OPENING_BRACE) return undefined;
    const spans = scanSpans(bytes, start + 1);
    if (spans === undefined) return undefined;
    const table = new IndexTable<T>(bytes, spans.offsets, spans.count);
    // Paths or entries with escapes are not compared in place.
    for (const [path, entry] of spans.escaped) table.set(path, entry);
    return { table, end: spans.end };
  }

  /** Number of entries. */
  get size(): number {
    return this.#visible + this.#overlay.size;
  }

  get(path: string, base = ""): TableValue<T> | undefined {
    const changed = this.#overlay.get(path, base);
    if (changed !== undefined) return changed;
    const entry = this.#find(base, path);
    if (entry < 0) return undefined;
    const at = entry * SPAN;
    return this.#bytes.toString("utf8", this.#spans[at + 2], this.#spans[at + 3]);
  }

  /**
   * Reads the entry of `path` from the file's bytes, without making a string
   * of its text. The comma-separated fields are numbers except the one at
   * `textField`. The others go into `numbers` in order, and the text field
   * comes back as a string of its own. Returns null when the entry was set in
   * this run (read it with {@link get}), and undefined when there is no entry
   * or it has fewer than `numbers.length + 1` fields.
   */
  readStored(
    path: string,
    numbers: Float64Array,
    textField: number,
    base = "",
  ): string | null | undefined {
    if (this.#overlay.get(path, base) !== undefined) return null;
    const entry = this.#find(base, path);
    if (entry < 0) return undefined;
    const bytes = this.#bytes;
    const end = this.#spans[entry * SPAN + 3];
    let start = this.#spans[entry * SPAN + 2];
    let text: string | undefined;
    const fields = numbers.length + 1;
    for (let field = 0, number = 0; field < fields; field++) {
      // The last field runs to the end of the entry, so extra commas make it invalid.
      let stop = field === fields - 1 ? end : bytes.indexOf(COMMA, start);
      if (stop === -1 || stop > end) {
        if (field < fields - 1) return undefined;
        stop = end;
      }
      if (field === textField) text = bytes.toString("utf8", start, stop);
      else numbers[number++] = numberAt(bytes, start, stop);
      start = stop + 1;
    }
    return text;
  }

  set(path: string, value: TableValue<T>, base = ""): void {
    this.#hide(base, path);
    this.#overlay.set(path, value, base);
  }

  /** Removes the entry of `path`, and returns true when there was one. */
  delete(path: string, base = ""): boolean {
    return this.#overlay.delete(path, base) || this.#hide(base, path);
  }

  /** Calls `visit` with every entry: the text's in file order, then the ones set in this run. */
  forEach(visit: (path: string, value: TableValue<T>) => void): void {
    const spans = this.#spans;
    for (let entry = 0; entry < this.#hidden.length; entry++) {
      if (this.#hidden[entry] === 1) continue;
      const at = entry * SPAN;
      visit(
        this.#bytes.toString("utf8", spans[at], spans[at + 1]),
        this.#bytes.toString("utf8", spans[at + 2], spans[at + 3]),
      );
    }
    this.#overlay.forEach(visit);
  }

  /** Hides the text's entry of `base + path`, and returns true when there was one. */
  #hide(base: string, path: string): boolean {
    const entry = this.#find(base, path);
    if (entry < 0) return false;
    this.#hidden[entry] = 1;
    this.#visible--;
    return true;
  }

  /** Adds entry `entry` of the text to the hash table, hiding an earlier one of the same path. */
  #insert(entry: number): void {
    const spans = this.#spans;
    const start = spans[entry * SPAN];
    const end = spans[entry * SPAN + 1];
    const mask = this.#slots.length - 1;
    let slot = hashBytes(this.#bytes, start, end) & mask;
    for (;;) {
      const present = this.#slots[slot] - 1;
      if (present < 0) {
        this.#slots[slot] = entry + 1;
        return;
      }
      if (this.#sameBytes(present, this.#bytes, start, end)) {
        // As with JSON.parse, the last member of a duplicated name wins.
        this.#hidden[present] = 1;
        this.#visible--;
        this.#slots[slot] = entry + 1;
        return;
      }
      slot = (slot + 1) & mask;
    }
  }

  /** Returns the number of the visible entry of the text for `base + path`, or -1. */
  #find(base: string, path: string): number {
    if (this.#hidden.length === 0) return -1;
    const mask = this.#slots.length - 1;
    const ascii = hashAscii(base, path);
    const encoded = ascii === -1 ? Buffer.from(base + path, "utf8") : undefined;
    let slot = (encoded === undefined ? ascii : hashBytes(encoded, 0, encoded.length)) & mask;
    for (;;) {
      const entry = this.#slots[slot] - 1;
      if (entry < 0) return -1;
      const same = encoded === undefined
        ? this.#sameAscii(entry, base, path)
        : this.#sameBytes(entry, encoded, 0, encoded.length);
      if (same) return this.#hidden[entry] === 1 ? -1 : entry;
      slot = (slot + 1) & mask;
    }
  }

  /** True when the path of entry `entry` is the ASCII text `base + path`. */
  #sameAscii(entry: number, base: string, path: string): boolean {
    const from = this.#spans[entry * SPAN];
    if (this.#spans[entry * SPAN + 1] - from !== base.length + path.length) return false;
    const bytes = this.#bytes;
    for (let offset = 0; offset < base.length; offset++) {
      if (bytes[from + offset] !== base.charCodeAt(offset)) return false;
    }
    const rest = from + base.length;
    for (let offset = 0; offset < path.length; offset++) {
      if (bytes[rest + offset] !== path.charCodeAt(offset)) return false;
    }
    return true;
  }

  /** True when the path of entry `entry` is the bytes of `source` from `start` to `end`. */
  #sameBytes(entry: number, source: Uint8Array, start: number, end: number): boolean {
    const from = this.#spans[entry * SPAN];
    const length = this.#spans[entry * SPAN + 1] - from;
    if (length !== end - start) return false;
    const bytes = this.#bytes;
    for (let offset = 0; offset < length; offset++) {
      if (bytes[from + offset] !== source[start + offset]) return false;
    }
    return true;
  }
}

/** Maximum number of decimal digits that are read without rounding. */
const EXACT_DIGITS = 15;

/**
 * Returns what `Number` gives for the text of `bytes` from `start` to `end`:
 * plain decimal digits are read in place, anything else through a string.
 */
function numberAt(bytes: Uint8Array, start: number, end: number): number {
  if (end > start && end - start <= EXACT_DIGITS) {
    let value = 0;
    let position = start;
    for (; position < end; position++) {
      const digit = bytes[position] - 0x30;
      if (digit < 0 || digit > 9) break;
      value = value * 10 + digit;
    }
    if (position === end) return value;
  }
  return Number(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("utf8"));
}

/** Entry spans of an index text, and the members that have escapes, parsed. */
interface Spans {
  readonly offsets: Int32Array;
  readonly count: number;
  readonly escaped: [string, string][];
  /** Position after the object's closing brace. */
  readonly end: number;
}

/**
 * Finds the members of the object whose contents start at `start` (just
 * after its `{`), with the layout `JSON.stringify` writes. Returns undefined
 * when the text has another layout or is cut short.
 */
function scanSpans(text: Buffer, start: number): Spans | undefined {
  let offsets = new Int32Array(1024 * SPAN);
  let count = 0;
  const escaped: [string, string][] = [];
  let at = start;
  if (text[at] === CLOSING_BRACE) return { offsets, count, escaped, end: at + 1 };
  let backslash = text.indexOf(BACKSLASH, at);
  // Returns the end (closing quote) of the string whose opening quote is at `open`, or -1.
  const stringEnd = (open: number): number => {
    if (text[open] !== QUOTE) return -1;
    let end = text.indexOf(QUOTE, open + 1);
    if (end === -1 || backslash === -1 || backslash > end) return end;
    end = open + 1;
    while (end < text.length && text[end] !== QUOTE) {
      end += text[end] === BACKSLASH ? 2 : 1;
    }
    return end < text.length ? end : -1;
  };
  for (;;) {
    const keyEnd = stringEnd(at);
    if (keyEnd === -1 || text[keyEnd + 1] !== COLON) return undefined;
    const valueStart = keyEnd + 2;
    const valueEnd = stringEnd(valueStart);
    if (valueEnd === -1) return undefined;
    if (backslash !== -1 && backslash < valueEnd) {
      let member: [string, string];
      try {
        member = [
          JSON.parse(text.toString("utf8", at, keyEnd + 1)),
          JSON.parse(text.toString("utf8", valueStart, valueEnd + 1)),
        ];
      } catch {
        return undefined;
      }
      escaped.push(member);
      backslash = text.indexOf(BACKSLASH, valueEnd + 1);
    } else {
      if ((count + 1) * SPAN > offsets.length) {
        const grown = new Int32Array(offsets.length * 2);
        grown.set(offsets);
        offsets = grown;
      }
      const base = count * SPAN;
      offsets[base] = at + 1;
      offsets[base + 1] = keyEnd;
      offsets[base + 2] = valueStart + 1;
      offsets[base + 3] = valueEnd;
      count++;
    }
    const next = text[valueEnd + 1];
    at = valueEnd + 2;
    if (next === CLOSING_BRACE) return { offsets, count, escaped, end: at };
    if (next !== COMMA) return undefined;
  }
}
