/**
 * Entries of the file-state index set in a run, by absolute path.
 *
 * A cold run of 20,000 inputs sets as many entries. In a `Map` each costs a
 * slot, and the map's table is copied every time it grows; both live until
 * the index is saved. Here the paths and values are two arrays, and an
 * open-addressing table of positions in a typed array finds a path.
 *
 * @module
 */

import { FNV_OFFSET, FNV_PRIME } from "./fnv.ts";

/** FNV-1a over the UTF-16 code units of `text`. */
function hashText(text: string): number {
  let hash = FNV_OFFSET;
  for (let position = 0; position < text.length; position++) {
    hash = Math.imul(hash ^ text.charCodeAt(position), FNV_PRIME);
  }
  return hash >>> 0;
}

/** Values by path, in the order each path was first set. */
export class AddedEntries<V> {
  readonly #paths: string[] = [];
  /** Undefined for a path whose value was deleted. */
  readonly #values: (V | undefined)[] = [];
  /** Positions plus one, where 0 marks an empty slot. */
  #slots = new Int32Array(64);
  #size = 0;

  /** Number of paths with a value. */
  get size(): number {
    return this.#size;
  }

  get(path: string): V | undefined {
    if (this.#size === 0) return undefined;
    const position = this.#position(path);
    return position < 0 ? undefined : this.#values[position];
  }

  set(path: string, value: V): void {
    const position = this.#position(path);
    if (position >= 0) {
      if (this.#values[position] === undefined) this.#size++;
      this.#values[position] = value;
      return;
    }
    if ((this.#paths.length + 1) * 2 > this.#slots.length) this.#grow();
    this.#paths.push(path);
    this.#values.push(value);
    this.#size++;
    this.#place(this.#paths.length - 1);
  }

  /** Removes the value of `path`, and returns true when there was one. */
  delete(path: string): boolean {
    if (this.#size === 0) return false;
    const position = this.#position(path);
    if (position < 0 || this.#values[position] === undefined) return false;
    this.#values[position] = undefined;
    this.#size--;
    return true;
  }

  /** Calls `visit` with each path that has a value, in the order it was first set. */
  forEach(visit: (path: string, value: V) => void): void {
    for (let position = 0; position < this.#paths.length; position++) {
      const value = this.#values[position];
      if (value !== undefined) visit(this.#paths[position], value);
    }
  }

  /** Returns the position of `path` in the arrays, or -1. */
  #position(path: string): number {
    const mask = this.#slots.length - 1;
    let slot = hashText(path) & mask;
    for (;;) {
      const position = this.#slots[slot] - 1;
      if (position < 0) return -1;
      if (this.#paths[position] === path) return position;
      slot = (slot + 1) & mask;
    }
  }

  #place(position: number): void {
    const mask = this.#slots.length - 1;
    let slot = hashText(this.#paths[position]) & mask;
    while (this.#slots[slot] !== 0) slot = (slot + 1) & mask;
    this.#slots[slot] = position + 1;
  }

  #grow(): void {
    this.#slots = new Int32Array(this.#slots.length * 2);
    for (let position = 0; position < this.#paths.length; position++) this.#place(position);
  }
}
