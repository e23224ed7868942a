/**
 * Values that no file saved beside the cache may contain in a path: the
 * secrets of a run. Cache entries never store a secret, and the file-state
 * index and its memos are saved (and uploaded by CI) with them.
 *
 * @module
 */

/** The withheld values of a run, and whether a path with one was seen. */
export class WithheldValues {
  #values: string[] = [];
  /** True once a path with a withheld value was seen: files saved earlier may contain it. */
  seen = false;

  /** Adds values to withhold. Empty values are ignored. */
  add(values: readonly string[]): void {
    for (const value of values) {
      if (value !== "" && !this.#values.includes(value)) this.#values.push(value);
    }
  }

  /** Returns true when `text` contains a withheld value. */
  in(text: string): boolean {
    for (const value of this.#values) if (text.includes(value)) return true;
    return false;
  }
}
