/**
 * Synchronous `lstat` behind a runtime seam, reduced to the facts the cache
 * compares: kind, size, mtime, ctime, inode and mode.
 *
 * A warm run stats thousands of files it does not read. One promise per file
 * costs far more than the system call, and Deno's `node:fs` builds a full
 * `Stats` object for each one. So this module calls `Deno.lstatSync` under
 * Deno and `lstatSync` elsewhere, in a plain loop on the main thread.
 *
 * The two runtimes report timestamps with different precision: Deno's
 * `ctime` has whole seconds. Facts are therefore normalized: mtime to whole
 * milliseconds and ctime to whole seconds, so facts taken by either runtime,
 * or from a `node:fs` `Stats`, compare equal for an unchanged file. The
 * file-state index's racy window keeps the coarser timestamps safe.
 *
 * @module
 */

import type { Stats } from "node:fs";
import { type Dir, lstatSync, opendirSync } from "node:fs";
import type { WalkKind } from "./walk.ts";

/** Kind of a path. `other` is a device, FIFO or socket. */
export type FactKind = WalkKind | "other";

/** Normalized lstat facts of one path. */
export interface FileFacts {
  readonly kind: FactKind;
  readonly size: number;
  /** Modification time in whole milliseconds. */
  readonly mtimeMs: number;
  /** Status change time in whole seconds, as milliseconds. */
  readonly ctimeMs: number;
  readonly ino: number;
  readonly mode: number;
}

interface DenoFileInfo {
  isFile: boolean;
  isDirectory: boolean;
  isSymlink: boolean;
  size: number;
  mtime: Date | null;
  ctime?: Date | null;
  ino: number | null;
  mode: number | null;
}

interface DenoDirEntry {
  name: string;
  isFile: boolean;
  isDirectory: boolean;
  isSymlink: boolean;
}

interface DenoFs {
  lstatSync(path: string): DenoFileInfo;
  readDirSync(path: string): Iterable<DenoDirEntry>;
  errors: { NotFound: new () => Error; NotADirectory?: new () => Error };
}

const deno = (globalThis as { Deno?: DenoFs }).Deno;

/** Entries read from the system at once when listing a directory under Node. */
const LISTING_BATCH = 256;

/** Rounds a timestamp down to whole seconds, in milliseconds. */
function wholeSeconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/** Returns the normalized facts of a `node:fs` `Stats`. */
export function factsOf(stats: Stats): FileFacts {
  return {
    kind: stats.isSymbolicLink()
      ? "symlink"
      : stats.isDirectory()
      ? "directory"
      : stats.isFile()
      ? "file"
      : "other",
    size: stats.size,
    mtimeMs: Math.floor(stats.mtimeMs),
    ctimeMs: wholeSeconds(stats.ctimeMs),
    ino: stats.ino,
    mode: stats.mode,
  };
}

function denoFacts(info: DenoFileInfo): FileFacts {
  return {
    kind: info.isSymlink
      ? "symlink"
      : info.isDirectory
      ? "directory"
      : info.isFile
      ? "file"
      : "other",
    size: info.size,
    mtimeMs: info.mtime?.getTime() ?? 0,
    ctimeMs: wholeSeconds(info.ctime?.getTime() ?? 0),
    ino: info.ino ?? 0,
    mode: info.mode ?? 0,
  };
}

function missingUnderDeno(error: unknown): boolean {
  if (deno === undefined) return false;
  const code = (error as { code?: string } | null)?.code;
  return error instanceof deno.errors.NotFound || code === "ENOENT" || code === "ENOTDIR" ||
    (deno.errors.NotADirectory !== undefined && error instanceof deno.errors.NotADirectory);
}

/**
 * Returns the facts of the path itself (a link is not followed), or
 * undefined when nothing exists there. Other errors, such as a permission
 * error, are thrown.
 */
export function lstatFacts(path: string): FileFacts | undefined {
  if (deno !== undefined) {
    try {
      return denoFacts(deno.lstatSync(path));
    } catch (error) {
      if (missingUnderDeno(error)) return undefined;
      throw error;
    }
  }
  try {
    const stats = lstatSync(path, { throwIfNoEntry: false });
    return stats === undefined ? undefined : factsOf(stats);
  } catch (error) {
    // `throwIfNoEntry` covers ENOENT only. A file in place of a directory of
    // the path gives ENOTDIR.
    if ((error as { code?: string } | null)?.code === "ENOTDIR") return undefined;
    throw error;
  }
}

/** The names and kinds of a directory's entries, by position. */
interface Listing {
  readonly names: string[];
  readonly kinds: (WalkKind | undefined)[];
}

/**
 * Lists the directory at `path` with `Deno.readDirSync`, or returns undefined
 * when it does not exist. Deno's entry objects take a few hundred bytes each,
 * and its call makes them all at once. Only their names and kinds are kept.
 * The entries are read in this function of their own, so that nothing refers
 * to them once it returns. Read in the loop that then visits every path,
 * they were still alive during the visits under Deno 2.9: with 20,000
 * entries, about 8 MB that the collector copied out of its young generation.
 */
function denoListing(deno: DenoFs, path: string): Listing | undefined {
  let entries: Iterable<DenoDirEntry>;
  try {
    entries = deno.readDirSync(path);
  } catch (error) {
    if (missingUnderDeno(error)) return undefined;
    throw error;
  }
  const names: string[] = [];
  const kinds: (WalkKind | undefined)[] = [];
  for (const entry of entries) {
    names.push(entry.name);
    kinds.push(
      entry.isSymlink
        ? "symlink"
        : entry.isDirectory
        ? "directory"
        : entry.isFile
        ? "file"
        : undefined,
    );
  }
  return { names, kinds };
}

/**
 * Calls `visit` with the name and kind of each entry of the directory at
 * `path`, in no particular order. Entries that are not files, directories or
 * symbolic links come with kind undefined. Returns false when the directory
 * does not exist; other errors are thrown.
 *
 * Under Deno this uses `Deno.readDirSync`: `node:fs` there builds and sorts
 * a `Dirent` object per entry, which for a directory of tens of thousands of
 * files costs several times the listing. Under Node the directory is read in
 * batches, so a large one is never held whole as `Dirent` objects.
 */
export function eachDirectoryEntry(
  path: string,
  visit: (name: string, kind: WalkKind | undefined) => void,
): boolean {
  if (deno !== undefined) {
    const listing = denoListing(deno, path);
    if (listing === undefined) return false;
    const { names, kinds } = listing;
    for (let position = 0; position < names.length; position++) {
      visit(names[position], kinds[position]);
    }
    return true;
  }
  let directory: Dir;
  try {
    directory = opendirSync(path, { bufferSize: LISTING_BATCH });
  } catch (error) {
    const code = (error as { code?: string } | null)?.code;
    if (code === "ENOENT" || code === "ENOTDIR") return false;
    throw error;
  }
  try {
    for (let child = directory.readSync(); child !== null; child = directory.readSync()) {
      visit(
        child.name,
        child.isSymbolicLink()
          ? "symlink"
          : child.isDirectory()
          ? "directory"
          : child.isFile()
          ? "file"
          : undefined,
      );
    }
  } finally {
    directory.closeSync();
  }
  return true;
}
