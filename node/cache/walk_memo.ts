/**
 * Walk memos: the result of a pattern walk, kept with the facts of every
 * directory it listed and every path it looked up. A later walk of the same
 * patterns then needs one `lstat` per directory instead of listing and
 * matching again.
 *
 * Adding, removing or renaming an entry changes the modification and status
 * change times of the directory that contains it. A tool can set the mtime back
 * (archive extraction with fixed timestamps does), but not the ctime. A memo
 * is therefore valid while each listed directory has the same inode, mtime
 * and ctime, and each looked-up path has the same kind and inode. A memo
 * does not cover file contents: callers still check each file's own facts.
 *
 * The racy window of the file-state index applies here too. A memo is only
 * stored when every listed directory's mtime and ctime are at least
 * {@link RACY_WINDOW_MS} older than the start of the walk (by the index's
 * clock), because a directory changed within the timestamp granularity could
 * change again without its times moving. Walks that follow symbolic links to directories, that skip
 * paths through a callback, or that select a path with a newline in its name are never memoized.
 * Nor are walks that select or look up a path containing a value the index
 * withholds (a secret of the run), and a stored memo that names one is
 * dropped when it is read.
 *
 * @module
 */

import { join } from "node:path";
import { sha256 } from "./digest.ts";
import { type FactKind, lstatFacts } from "./facts.ts";
import { type FileStateIndex, RACY_WINDOW_MS } from "./file_index.ts";
import {
  type WalkEntry,
  type WalkKind,
  type WalkOptions,
  walkPatterns,
  type WalkResult,
} from "./walk.ts";
import { directoryMatcher, splitPatterns } from "./patterns.ts";

/**
 * Version 5 adds the patterns that select no listed path. Version 4 stores
 * no listing with a newline in a path, and version 3 memos may hold such a
 * path, read back as two. Memos of other versions are ignored.
 */
const MEMO_VERSION = 5;

/** One letter per walked kind, for the compact entry list of a memo. */
const KIND_LETTERS: Record<WalkKind, string> = { file: "f", directory: "d", symlink: "l" };
const LETTER_KINDS: Record<string, WalkKind> = { f: "file", d: "directory", l: "symlink" };

/** `[path, ino, mtimeMs, ctimeMs]` of a listed directory. */
type DirectoryFact = [string, number, number, number];

/** `[path, kind or "" when absent, ino]` of a path looked up on its own. */
type ProbeFact = [string, FactKind | "", number];

interface MemoData {
  version: number;
  /** When the walk began, in milliseconds since the epoch. */
  at: number;
  directories: DirectoryFact[];
  probes: ProbeFact[];
  /**
   * The walked paths, each as its kind letter and path, joined by newlines:
   * one string parses far faster than thousands of small arrays. A walk that
   * selects a path with a newline in it is never memoized.
   */
  entries: string;
  absent: string[];
  /** See {@link WalkListing.unmatched}. */
  unmatched: string[];
}

function memoKey(cwd: string, patterns: readonly string[], options: WalkOptions): string {
  return sha256(JSON.stringify([
    "walk",
    cwd,
    patterns,
    options.exclude ?? [],
    options.outputs ?? [],
    options.followDirectoryLinks === true,
  ]));
}

function isMemoData(value: unknown): value is MemoData {
  const data = value as Partial<MemoData> | null;
  return data?.version === MEMO_VERSION && typeof data.at === "number" &&
    Array.isArray(data.directories) && Array.isArray(data.probes) &&
    typeof data.entries === "string" && Array.isArray(data.absent) &&
    Array.isArray(data.unmatched);
}

/** Returns true when the disk still looks as it did when `memo` was recorded. */
function stillValid(cwd: string, memo: MemoData): boolean {
  const limit = memo.at - RACY_WINDOW_MS;
  for (const [path, ino, mtimeMs, ctimeMs] of memo.directories) {
    const facts = lstatFacts(join(cwd, path));
    if (
      facts?.kind !== "directory" || facts.ino !== ino || facts.mtimeMs !== mtimeMs ||
      facts.ctimeMs !== ctimeMs || mtimeMs >= limit || ctimeMs >= limit
    ) {
      return false;
    }
  }
  const listed = new Map(memo.directories.map(([path, ino]) => [path, ino]));
  for (const [path, kind, ino] of memo.probes) {
    // A walk root is both listed and looked up: its facts were just checked.
    if (kind === "directory" && listed.get(path) === ino) continue;
    const facts = lstatFacts(join(cwd, path));
    if ((facts?.kind ?? "") !== kind || (facts !== undefined && facts.ino !== ino)) return false;
  }
  return true;
}

/**
 * Calls `visit` with each path a walk of `patterns` selects, in no
 * particular order, without keeping an entry per path: from the memo in
 * `index` when it is still valid, else from a new walk. No memo is stored.
 * Returns the named paths that are absent. Throws what the walk or an
 * `lstat` throws.
 */
export async function visitWalk(
  index: FileStateIndex,
  cwd: string,
  patterns: readonly string[],
  options: WalkOptions,
  visit: (path: string, kind: WalkKind) => void,
): Promise<readonly string[]> {
  const stored = options.skip === undefined
    ? index.memo(memoKey(cwd, patterns, options))
    : undefined;
  if (isMemoData(stored) && stillValid(cwd, stored)) {
    const text = stored.entries;
    for (let start = 0; start < text.length;) {
      let end = text.indexOf("\n", start);
      if (end === -1) end = text.length;
      visit(text.slice(start + 1, end), LETTER_KINDS[text[start]]);
      start = end + 1;
    }
    return stored.absent;
  }
  return (await walkPatterns(cwd, patterns, { ...options, visit })).absent;
}

/** A walk's result, and whether a memo in the index stands for it. */
export interface MemoizedWalkResult extends WalkResult {
  /**
   * True when the result came from a valid memo or was stored as one: the
   * listing is then unchanged for as long as the memo stays valid.
   */
  readonly memoized: boolean;
}

/**
 * Walks like {@link walkPatterns}, but returns the result of the memo in
 * `index` when the directories it depends on are unchanged, and stores a new
 * memo otherwise. A caller's `observer` is called only during real walks.
 * Throws what the walk or an `lstat` throws.
 */
export async function memoizedWalk(
  index: FileStateIndex,
  cwd: string,
  patterns: readonly string[],
  options: WalkOptions = {},
): Promise<MemoizedWalkResult> {
  const { paths, kinds, absent, memoized } = await memoizedListing(index, cwd, patterns, options);
  const entries = paths.map((path, position): WalkEntry => ({ path, kind: kinds[position] }));
  return { entries, absent, memoized };
}

/** The paths a walk selected, by column and sorted, and whether a memo stands for them. */
export interface WalkListing {
  readonly paths: readonly string[];
  /** The kind of each path. */
  readonly kinds: readonly WalkKind[];
  /** Patterns without glob syntax that name a path which does not exist. */
  readonly absent: readonly string[];
  /**
   * The included patterns, without `!`, `./` or a trailing `/` (as
   * `splitPatterns` returns them), that select no listed path other than a
   * directory. A memo stores them, so reading a valid memo costs no matching.
   */
  readonly unmatched: readonly string[];
  /** True when a valid memo stands for the listing, see {@link MemoizedWalkResult}. */
  readonly memoized: boolean;
  /**
   * The first selected or absent path that contains a value the index
   * withholds (see `FileStateIndex.withheld`), when there is one.
   */
  readonly withheld?: string;
}

/**
 * Returns the included patterns of `patterns` that select none of `paths`
 * other than a directory. Stops testing a pattern at its first match, so a
 * pattern that matches early in the sorted listing costs a few tests.
 */
function unmatchedPatterns(
  patterns: readonly string[],
  paths: readonly string[],
  kinds: readonly WalkKind[],
): string[] {
  const remaining = [...new Set(splitPatterns(patterns).include)];
  const matchers = remaining.map((pattern) => directoryMatcher([pattern]));
  for (let position = 0; position < paths.length && remaining.length > 0; position++) {
    if (kinds[position] === "directory") continue;
    const path = paths[position];
    for (let pattern = remaining.length - 1; pattern >= 0; pattern--) {
      if (!matchers[pattern](path)) continue;
      remaining.splice(pattern, 1);
      matchers.splice(pattern, 1);
    }
  }
  return remaining;
}

/** Returns the first of `paths`, then of `absent`, that contains a value `index` withholds. */
function firstWithheld(
  index: FileStateIndex,
  paths: readonly string[],
  absent: readonly string[],
): string | undefined {
  return paths.find((path) => index.withheld.in(path)) ??
    absent.find((path) => index.withheld.in(path));
}

/** Returns true when a stored memo names a path that contains a value `index` withholds. */
function namesWithheld(index: FileStateIndex, memo: MemoData): boolean {
  return index.withheld.in(memo.entries) || memo.absent.some((path) => index.withheld.in(path)) ||
    memo.directories.some(([path]) => index.withheld.in(path)) ||
    memo.probes.some(([path]) => index.withheld.in(path));
}

/**
 * {@link memoizedWalk} without an entry object per path: a large listing
 * that lives through a task's lookup costs only its path strings.
 */
export async function memoizedListing(
  index: FileStateIndex,
  cwd: string,
  patterns: readonly string[],
  options: WalkOptions = {},
): Promise<WalkListing> {
  const paths: string[] = [];
  const kinds: WalkKind[] = [];
  const collect = (path: string, kind: WalkKind) => {
    paths.push(path);
    kinds.push(kind);
  };
  if (options.skip !== undefined) {
    const { absent } = await walkPatterns(cwd, patterns, { ...options, visit: collect });
    const listing = sortedListing(paths, kinds);
    const withheld = firstWithheld(index, listing.paths, absent);
    const unmatched = unmatchedPatterns(patterns, listing.paths, listing.kinds);
    return { ...listing, absent, unmatched, memoized: false, ...(withheld ? { withheld } : {}) };
  }
  const key = memoKey(cwd, patterns, options);
  const stored = index.memo(key);
  if (isMemoData(stored) && stillValid(cwd, stored)) {
    const text = stored.entries;
    for (let start = 0; start < text.length;) {
      let end = text.indexOf("\n", start);
      if (end === -1) end = text.length;
      collect(text.slice(start + 1, end), LETTER_KINDS[text[start]]);
      start = end + 1;
    }
    const { absent, unmatched } = stored;
    if (!namesWithheld(index, stored)) return { paths, kinds, absent, unmatched, memoized: true };
    // The memo was stored before the value was a secret: its listing is valid, but it is dropped.
    index.dropMemo(key);
    const withheld = firstWithheld(index, paths, absent);
    return { paths, kinds, absent, unmatched, memoized: false, ...(withheld ? { withheld } : {}) };
  }

  const at = index.now();
  const directories: DirectoryFact[] = [];
  const probes: ProbeFact[] = [];
  let memoizable = true;
  const result = await walkPatterns(cwd, patterns, {
    ...options,
    visit: collect,
    observer: {
      directory(path) {
        options.observer?.directory(path);
        const facts = lstatFacts(join(cwd, path));
        const limit = at - RACY_WINDOW_MS;
        if (facts?.kind !== "directory" || facts.mtimeMs >= limit || facts.ctimeMs >= limit) {
          memoizable = false;
        } else directories.push([path, facts.ino, facts.mtimeMs, facts.ctimeMs]);
      },
      probe(path) {
        options.observer?.probe(path);
        const facts = lstatFacts(join(cwd, path));
        probes.push([path, facts?.kind ?? "", facts?.ino ?? 0]);
      },
      link(path) {
        options.observer?.link(path);
        memoizable = false;
      },
    },
  });
  const listing = sortedListing(paths, kinds);
  const unmatched = unmatchedPatterns(patterns, listing.paths, listing.kinds);
  // A newline separates the memo's entries, so a name that contains one could not be read back.
  if (memoizable && listing.paths.some((path) => path.includes("\n"))) memoizable = false;
  const withheld = firstWithheld(index, listing.paths, result.absent);
  if (
    withheld !== undefined || directories.some(([path]) => index.withheld.in(path)) ||
    probes.some(([path]) => index.withheld.in(path))
  ) {
    memoizable = false;
    index.dropMemo(key);
  } else {
    index.setMemo(
      key,
      memoizable
        ? {
          version: MEMO_VERSION,
          at,
          directories,
          probes,
          entries: listing.paths.map((path, position) =>
            KIND_LETTERS[listing.kinds[position]] + path
          )
            .join("\n"),
          absent: [...result.absent],
          unmatched,
        } satisfies MemoData
        : undefined,
      listing.paths.length,
    );
  }
  return {
    ...listing,
    absent: result.absent,
    unmatched,
    memoized: memoizable,
    ...(withheld !== undefined ? { withheld } : {}),
  };
}

/** Returns `paths` and their `kinds` in code-unit order of the paths, as walks list them. */
function sortedListing(
  paths: string[],
  kinds: WalkKind[],
): { paths: string[]; kinds: WalkKind[] } {
  let sorted = true;
  for (let position = 1; position < paths.length && sorted; position++) {
    sorted = paths[position - 1] < paths[position];
  }
  if (sorted) return { paths, kinds };
  const order = Array.from(paths.keys()).sort((a, b) => {
    if (paths[a] === paths[b]) return 0;
    return paths[a] < paths[b] ? -1 : 1;
  });
  return {
    paths: order.map((position) => paths[position]),
    kinds: order.map((position) => kinds[position]),
  };
}
