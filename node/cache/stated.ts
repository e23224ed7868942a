/**
 * A task's input paths with the stat facts taken of them, before any content
 * is read, kept by column.
 *
 * A task's stated inputs stay in memory while its lookup runs, and until
 * the check after its run. With tens of thousands of files, an object per
 * file (its facts, its absolute path, or a wrapper) adds megabytes that each
 * young-generation collection copies. So the facts are rows of typed arrays
 * outside the garbage-collected heap, the paths are the walk's own strings,
 * and facts objects and absolute paths are made when asked for.
 *
 * @module
 */

import { join, sep } from "node:path";
import type { FactKind, FileFacts } from "./facts.ts";

/** A walked input path with the stat facts taken of it. */
export interface StatedInput {
  /** Path relative to the task directory, with `/` separators. */
  readonly path: string;
  readonly absolute: string;
  /** Undefined when the path vanished after the walk. */
  readonly facts: FileFacts | undefined;
}

/** Kinds of stated paths by their code in a table; code 0 is a vanished path. */
const KINDS: readonly (FactKind | undefined)[] = [
  undefined,
  "file",
  "directory",
  "symlink",
  "other",
];

/** Numbers kept per path: size, mtime, ctime, inode and mode. */
const NUMBERS_PER_PATH = 5;

/** Input paths of a task and their facts, by row. */
export class StatedFiles {
  /**
   * The paths, in an array made at its full size: grown one path at a time,
   * each larger copy of a large array is more for the collector to copy.
   */
  readonly #paths: string[];
  #length = 0;
  readonly #kinds: Uint8Array;
  readonly #numbers: Float64Array;
  readonly #under: (path: string) => string;
  /**
   * The directory with a trailing separator: each path appended to it is its
   * absolute path. Undefined on Windows, where joining needs more than that.
   */
  readonly base: string | undefined;

  /** Makes room for up to `capacity` paths under the directory `cwd`. */
  constructor(cwd: string, capacity: number) {
    this.#paths = new Array<string>(capacity);
    this.#kinds = new Uint8Array(capacity);
    this.#numbers = new Float64Array(capacity * NUMBERS_PER_PATH);
    this.base = sep === "/" ? join(cwd, "/") : undefined;
    this.#under = pathJoiner(cwd, this.base);
  }

  /** Number of paths. */
  get length(): number {
    return this.#length;
  }

  /** Adds `path` with its facts, undefined for a path that vanished. */
  add(path: string, facts: FileFacts | undefined): void {
    const row = this.#length++;
    this.#paths[row] = path;
    if (facts === undefined) return;
    this.#kinds[row] = KINDS.indexOf(facts.kind);
    const at = row * NUMBERS_PER_PATH;
    this.#numbers[at] = facts.size;
    this.#numbers[at + 1] = facts.mtimeMs;
    this.#numbers[at + 2] = facts.ctimeMs;
    this.#numbers[at + 3] = facts.ino;
    this.#numbers[at + 4] = facts.mode;
  }

  /** Returns the path of row `row`, relative to the task directory. */
  path(row: number): string {
    return this.#paths[row];
  }

  /** Returns the absolute path of row `row`. */
  absolute(row: number): string {
    return this.#under(this.#paths[row]);
  }

  /** Returns the absolute path of `path`, relative to the task directory. */
  under(path: string): string {
    return this.#under(path);
  }

  /** Returns the facts of row `row`, or undefined when the path vanished. */
  facts(row: number): FileFacts | undefined {
    const kind = KINDS[this.#kinds[row]];
    if (kind === undefined) return undefined;
    const numbers = this.#numbers;
    const at = row * NUMBERS_PER_PATH;
    return {
      kind,
      size: numbers[at],
      mtimeMs: numbers[at + 1],
      ctimeMs: numbers[at + 2],
      ino: numbers[at + 3],
      mode: numbers[at + 4],
    };
  }

  /** Returns the row of `path` when the paths are in code-unit order, or -1. */
  find(path: string): number {
    const paths = this.#paths;
    let low = 0;
    let high = this.#length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const found = paths[middle];
      if (found === path) return middle;
      if (found < path) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  /** Returns the rows as objects, for callers that need few of them or all at once. */
  toArray(): StatedInput[] {
    return this.#paths.slice(0, this.#length).map((path, row) => ({
      path,
      absolute: this.absolute(row),
      facts: this.facts(row),
    }));
  }
}

/**
 * Returns a function that joins `dir` with a walked path. Walked paths are
 * relative, use `/` and hold no `.` or `..` segments, so on POSIX systems
 * plain concatenation with `base` (`dir` and a separator) gives what `join`
 * would, at a fraction of the cost for tens of thousands of files.
 */
function pathJoiner(dir: string, base: string | undefined): (path: string) => string {
  if (base === undefined) return (path) => join(dir, path);
  return (path) => base + path;
}
