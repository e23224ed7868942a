/**
 * Entries of the file-state index set in this run, kept as rows of numbers.
 *
 * A run that hashes 20,000 files sets as many entries. As arrays of numbers
 * and a digest, each costs an array, its elements and several boxed numbers,
 * megabytes that live until the index is saved. Here an entry is a row of a
 * typed array outside the garbage-collected heap, and its digest, a string
 * the key manifest shares.
 *
 * @module
 */

/** Numbers per row: size, mtime, ctime, inode, mode, hashed-at time and last-seen time. */
const WIDTH = 7;

/** Position of each number in a row. */
export const SIZE = 0;
export const MTIME = 1;
export const CTIME = 2;
export const INO = 3;
export const MODE = 4;
export const HASHED_AT = 5;
export const SEEN_AT = 6;

/** Entries as rows, each numbered by when it was added. */
export class EntryRows {
  #numbers = new Float64Array(WIDTH * 64);
  readonly #digests: string[] = [];

  /**
   * Adds an entry and returns its row. `numbers` are the first six numbers
   * of a row, as {@link SIZE} to {@link HASHED_AT} order them.
   */
  add(numbers: ArrayLike<number>, digest: string, seenAt: number): number {
    const row = this.#digests.length;
    if ((row + 1) * WIDTH > this.#numbers.length) {
      const grown = new Float64Array(this.#numbers.length * 2);
      grown.set(this.#numbers);
      this.#numbers = grown;
    }
    const at = row * WIDTH;
    for (let field = 0; field < SEEN_AT; field++) this.#numbers[at + field] = numbers[field];
    this.#numbers[at + SEEN_AT] = seenAt;
    this.#digests.push(digest);
    return row;
  }

  /** Returns number `field` of row `row`. */
  get(row: number, field: number): number {
    return this.#numbers[row * WIDTH + field];
  }

  /** Sets the last-seen time of row `row`. */
  setSeenAt(row: number, time: number): void {
    this.#numbers[row * WIDTH + SEEN_AT] = time;
  }

  digest(row: number): string {
    return this.#digests[row];
  }

  /** Returns the stored text of row `row`: its fields joined by commas, the digest seventh. */
  text(row: number): string {
    const at = row * WIDTH;
    const numbers = this.#numbers;
    return `${numbers[at]},${numbers[at + 1]},${numbers[at + 2]},${numbers[at + 3]},` +
      `${numbers[at + 4]},${numbers[at + 5]},${this.#digests[row]},${numbers[at + 6]}`;
  }
}
