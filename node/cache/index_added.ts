/**
 * Entries of the file-state index set in a run, by path.
 *
 * A cold run of 20,000 inputs sets as many entries. In a `Map` each costs a
 * slot, and the map's table is copied every time it grows; both live until
 * the index is saved. Here the paths and values are two arrays, and an
 * open-addressing table of positions in a typed array finds a path.
 *
 * A path is given as a base and a rest, and is their concatenation:
 * a task's directory (with its trailing separator) and an input path
 * relative to it. The table keeps the relative path, which the input listing
 * already holds, and a number for the base, so it makes no absolute path
 * string per file. Those strings would live until the index is saved, and
 * copying them out of the young generation makes it grow. Two pairs that
 * spell the same path are the same entry.
 *
 * @module
 */

import { FNV_OFFSET, FNV_PRIME } from "./fnv.ts";

/** Continues FNV-1a `hash` over the UTF-16 code units of `text`. */
function hashMore(hash: number, text: string): number {
  for (let position = 0; position < text.length; position++) {
    hash = Math.imul(hash ^ text.charCodeAt(position), FNV_PRIME);
  }
  return hash;
}

/** FNV-1a over the code units of `base` followed by those of `rest`. */
function hashPath(base: string, rest: string): number {
  return hashMore(hashMore(FNV_OFFSET, base), rest) >>> 0;
}

/** True when `base + rest` equals `otherBase + otherRest`, compared without joining them. */
function samePath(base: string, rest: string, otherBase: string, otherRest: string): boolean {
  if (base === otherBase) return rest === otherRest;
  const length = base.length + rest.length;
  if (length !== otherBase.length + otherRest.length) return false;
  for (let position = 0; position < length; position++) {
    const code = position < base.length
      ? base.charCodeAt(position)
      : rest.charCodeAt(position - base.length);
    const other = position < otherBase.length
      ? otherBase.charCodeAt(position)
      : otherRest.charCodeAt(position - otherBase.length);
    if (code !== other) return false;
  }
  return true;
}

/** Positions the table has room for before it grows, half its number of slots. */
const INITIAL_CAPACITY = 32;

/**
 * Values by path, in the order each path was first set.
 *
 * Number values, such as the rows of {@link ./index_rows.ts}, are kept in a
 * typed array and the rests in an array made at its full size, so adding an
 * entry allocates nothing in the collected heap until the table grows.
 */
export class AddedEntries<V> {
  /** Number of positions used, deleted ones included. */
  #count = 0;
  /** The rest of each path. */
  #rests: string[] = new Array<string>(INITIAL_CAPACITY);
  /** The value of each position when it is a number, or NaN. */
  #numbers = new Float64Array(INITIAL_CAPACITY).fill(NaN);
  /** The values that are not numbers, by position. */
  readonly #others = new Map<number, V>();
  /** The distinct bases, numbered by {@link #baseNumbers}. */
  readonly #bases: string[] = [""];
  /** The number of the base of each path. */
  #baseNumbers = new Uint32Array(INITIAL_CAPACITY);
  /** The hash of each path, so a table that grows does not hash every path again. */
  #hashes = new Uint32Array(INITIAL_CAPACITY);
  /** Positions plus one, where 0 marks an empty slot. */
  #slots = new Int32Array(INITIAL_CAPACITY * 2);
  #size = 0;

  /** Number of paths with a value. */
  get size(): number {
    return this.#size;
  }

  /** Returns the value of the path `base + rest`. */
  get(rest: string, base = ""): V | undefined {
    if (this.#size === 0) return undefined;
    const position = this.#position(base, rest, hashPath(base, rest));
    return position < 0 ? undefined : this.#value(position);
  }

  /** Sets the value of the path `base + rest`. */
  set(rest: string, value: V, base = ""): void {
    const hash = hashPath(base, rest);
    const position = this.#position(base, rest, hash);
    if (position >= 0) {
      if (this.#value(position) === undefined) this.#size++;
      this.#setValue(position, value);
      return;
    }
    const added = this.#count;
    if ((added + 1) * 2 > this.#slots.length) this.#grow();
    this.#count++;
    this.#rests[added] = rest;
    this.#setValue(added, value);
    this.#baseNumbers[added] = this.#baseNumber(base);
    this.#hashes[added] = hash;
    this.#size++;
    this.#place(added);
  }

  /** Removes the value of the path `base + rest`, and returns true when there was one. */
  delete(rest: string, base = ""): boolean {
    if (this.#size === 0) return false;
    const position = this.#position(base, rest, hashPath(base, rest));
    if (position < 0 || this.#value(position) === undefined) return false;
    this.#setValue(position, undefined);
    this.#size--;
    return true;
  }

  /**
   * Calls `visit` with each path that has a value, in the order it was first
   * set. The path is the base and the rest joined.
   */
  forEach(visit: (path: string, value: V) => void): void {
    for (let position = 0; position < this.#count; position++) {
      const value = this.#value(position);
      if (value !== undefined) visit(this.#path(position), value);
    }
  }

  /** Returns the value at `position`, undefined for a deleted one. */
  #value(position: number): V | undefined {
    const number = this.#numbers[position];
    return Number.isNaN(number) ? this.#others.get(position) : number as V;
  }

  #setValue(position: number, value: V | undefined): void {
    if (typeof value === "number" && !Number.isNaN(value)) {
      this.#numbers[position] = value;
      this.#others.delete(position);
    } else {
      this.#numbers[position] = NaN;
      if (value === undefined) this.#others.delete(position);
      else this.#others.set(position, value);
    }
  }

  #path(position: number): string {
    return this.#bases[this.#baseNumbers[position]] + this.#rests[position];
  }

  /** Returns the number of `base`, adding it when it is new. */
  #baseNumber(base: string): number {
    // A run has few task directories, and the last one is the likely one.
    for (let number = this.#bases.length - 1; number >= 0; number--) {
      if (this.#bases[number] === base) return number;
    }
    this.#bases.push(base);
    return this.#bases.length - 1;
  }

  /** Returns the position of the path `base + rest`, whose hash is `hash`, or -1. */
  #position(base: string, rest: string, hash: number): number {
    const mask = this.#slots.length - 1;
    let slot = hash & mask;
    for (;;) {
      const position = this.#slots[slot] - 1;
      if (position < 0) return -1;
      if (
        this.#hashes[position] === hash &&
        samePath(base, rest, this.#bases[this.#baseNumbers[position]], this.#rests[position])
      ) {
        return position;
      }
      slot = (slot + 1) & mask;
    }
  }

  #place(position: number): void {
    const mask = this.#slots.length - 1;
    let slot = this.#hashes[position] & mask;
    while (this.#slots[slot] !== 0) slot = (slot + 1) & mask;
    this.#slots[slot] = position + 1;
  }

  #grow(): void {
    const capacity = this.#slots.length;
    const rests = new Array<string>(capacity);
    for (let position = 0; position < this.#count; position++) {
      rests[position] = this.#rests[position];
    }
    this.#rests = rests;
    const numbers = new Float64Array(capacity).fill(NaN);
    numbers.set(this.#numbers);
    this.#numbers = numbers;
    const baseNumbers = new Uint32Array(capacity);
    baseNumbers.set(this.#baseNumbers);
    this.#baseNumbers = baseNumbers;
    const hashes = new Uint32Array(capacity);
    hashes.set(this.#hashes);
    this.#hashes = hashes;
    this.#slots = new Int32Array(capacity * 2);
    for (let position = 0; position < this.#count; position++) this.#place(position);
  }
}
