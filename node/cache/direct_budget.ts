/**
 * When to hash files without the file-state index's stored entries.
 *
 * Parsing the stored entries costs time in proportion to the index, which
 * covers every input file of the project. A run that digests only the files
 * of one edited package reads them faster than it parses that index, so
 * such files are hashed directly until their estimated cost reaches the
 * cost of loading the index. A file hashed directly is not remembered, which
 * is safe: an entry only ever saves reading a file again.
 *
 * @module
 */

import { statSync } from "node:fs";

/**
 * Estimated cost of hashing one small file directly (open, read, close and
 * the digest), in bytes of stored index that take as long to parse. Reading a
 * file's content costs about a quarter of parsing as many index bytes. Both
 * figures are estimates from profiles of runs under Node.
 */
const FILE_COST = 2048;
const BYTE_COST = 0.25;

/** Returns the size in bytes of the file at `path`, or 0 when it cannot be read. */
function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The cost of direct hashing that a run may still spend before the index is worth loading. */
export class DirectBudget {
  readonly #indexPath: string;
  /** Unspent budget in bytes of stored index, or undefined until the first request. */
  #left?: number;

  /** @param indexPath the stored index whose parsing cost sets the budget */
  constructor(indexPath: string) {
    this.#indexPath = indexPath;
  }

  /**
   * Returns true when `count` files of `bytes` in total cost less to hash
   * directly than what is left of the budget, and then takes their cost from
   * it. With `spend: false` only checks.
   */
  allows(count: number, bytes: number, spend = true): boolean {
    this.#left ??= sizeOf(this.#indexPath);
    const cost = count * FILE_COST + bytes * BYTE_COST;
    if (cost > this.#left) return false;
    if (spend) this.#left -= cost;
    return true;
  }
}
