/**
 * Pattern walking shared by input resolution and output snapshots.
 *
 * Patterns are picomatch globs relative to a directory. A leading `!` excludes
 * what it matches. A pattern that names a directory also covers everything
 * inside it. Dotfiles match like any other file. Symbolic links are reported
 * as links, and followed only with `followDirectoryLinks`. `.git`, `.async`
 * and `node_modules` are skipped at every depth, except inside a
 * `node_modules` directory that a pattern's fixed leading part names (see
 * {@link ./patterns.ts skippedBy}). Results are sorted by path, so equal trees always give
 * equal lists.
 *
 * @module
 */

import { type Dirent, lstatSync, readFileSync, realpathSync, statSync } from "node:fs";
import { eachDirectoryEntry } from "./facts.ts";
import { dirname, join, sep } from "node:path";
import picomatch from "picomatch";
import { outputPathMatcher } from "./output_sets.ts";
import { cleanPattern, directoryMatcher, skippedBy, splitPatterns } from "./patterns.ts";

/** Kind of a walked path. */
export type WalkKind = "file" | "directory" | "symlink";

/** One path found by {@link walkPatterns}, relative to the walked directory with `/` separators. */
export interface WalkEntry {
  readonly path: string;
  readonly kind: WalkKind;
}

/** Options of {@link walkPatterns}. */
export interface WalkOptions {
  /** Extra patterns excluded as if written with `!`. */
  readonly exclude?: readonly string[];
  /**
   * Output pattern lists, one per task, whose outputs are left out. Unlike
   * `exclude`, their `!` patterns count (see {@link outputPathMatcher}).
   */
  readonly outputs?: readonly (readonly string[])[];
  /** Returns true for a path to leave out; `directory` is true for directories, which are then not entered. */
  readonly skip?: (path: string, directory: boolean) => boolean;
  /**
   * Also walk into directories that symbolic links point to, reporting what
   * is inside under the link's path. A link to a directory on the current
   * path, or to one above it (the walk root's parent, `/`), is not entered,
   * so link cycles end and no link leads the walk back over the tree it
   * came from. Real paths are compared.
   */
  readonly followDirectoryLinks?: boolean;
  /** Callbacks for every path whose state decides the result, used by walk memos. */
  readonly observer?: WalkObserver;
  /**
   * Receives each selected path as it is found, in no particular order. The
   * result's `entries` are then empty, so a caller that only compares the
   * listing keeps no entry per path.
   */
  readonly visit?: (path: string, kind: WalkKind) => void;
}

/**
 * Callbacks for what a walk depends on: the directories it lists (called
 * before each listing), the paths it looks up one by one, and the links it
 * follows.
 */
export interface WalkObserver {
  directory(path: string): void;
  probe(path: string): void;
  link(path: string): void;
}

/** Result of {@link walkPatterns}. */
export interface WalkResult {
  readonly entries: readonly WalkEntry[];
  /** Patterns without glob syntax that name a path which does not exist. */
  readonly absent: readonly string[];
}

function kindOf(
  entry: Dirent | { isDirectory(): boolean; isFile(): boolean; isSymbolicLink(): boolean },
): WalkKind | undefined {
  if (entry.isSymbolicLink()) return "symlink";
  if (entry.isDirectory()) return "directory";
  if (entry.isFile()) return "file";
  return undefined;
}

/**
 * Returns the directories to start walking from. A start that the walk from
 * another start reaches is left out. The walk from `""` does not reach
 * `node_modules/.prisma`, because it skips `node_modules`, so that start stays.
 */
function walkRoots(include: readonly string[], skipped: (path: string) => boolean): string[] {
  const bases = [...new Set(include.map((pattern) => picomatch.scan(pattern).base))].sort();
  const reaches = (other: string, base: string): boolean => {
    if (other === base || (other !== "" && !base.startsWith(`${other}/`))) return false;
    for (let end = other.length + 1; end <= base.length; end++) {
      if ((end === base.length || base[end] === "/") && skipped(base.slice(0, end))) return false;
    }
    return true;
  };
  return bases.filter((base) => !bases.some((other) => reaches(other, base)));
}

/**
 * Walks `cwd` and returns every path that `patterns` select. Rejects with
 * the first file system error other than a path that vanished.
 */
export function walkPatterns(
  cwd: string,
  patterns: readonly string[],
  options: WalkOptions = {},
): Promise<WalkResult> {
  try {
    return Promise.resolve(walkPatternsSync(cwd, patterns, options));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Does the work of {@link walkPatterns} with synchronous file system calls:
 * a walk lists small directories one after another, and a promise per
 * directory and per looked-up path costs more than the calls themselves.
 */
export function walkPatternsSync(
  cwd: string,
  patterns: readonly string[],
  options: WalkOptions = {},
): WalkResult {
  const { include, exclude } = splitPatterns(patterns);
  const isIncluded = directoryMatcher(include);
  const isExcluded = directoryMatcher([...exclude, ...(options.exclude ?? []).map(cleanPattern)]);
  const isOutput = options.outputs === undefined ? undefined : outputPathMatcher(options.outputs);
  const skipped = skippedBy(include);
  // Each path is reached once, because roots inside other roots are left out
  // and what a followed link contains is reported under the link's own path.
  const found: WalkEntry[] = [];
  const literals = new Set(include.filter((pattern) => !picomatch.scan(pattern).isGlob));
  const foundLiterals = new Set<string>();
  const absent: string[] = [];

  const consider = (path: string, kind: WalkKind): boolean => {
    if (skipped(path) || isExcluded(path) || isOutput?.(path, kind === "directory")) return false;
    if (options.skip?.(path, kind === "directory")) return false;
    if (isIncluded(path)) {
      if (options.visit !== undefined) options.visit(path, kind);
      else found.push({ path, kind });
      if (literals.has(path)) foundLiterals.add(path);
    }
    return true;
  };

  /** Lists `dir`; `chain` contains the real paths of the directories from the walk root down to it. */
  const visit = (dir: string, chain: readonly string[]): void => {
    options.observer?.directory(dir);
    const real = chain[chain.length - 1];
    const subdirectories: string[] = [];
    const links: string[] = [];
    const names: string[] = [];
    const kinds: (WalkKind | undefined)[] = [];
    eachDirectoryEntry(join(cwd, dir), (name, kind) => {
      names.push(name);
      kinds.push(kind);
    });
    // Another checkout of the repository is not part of this one, whatever the patterns.
    if (dir !== "" && isLinkedWorktree(join(cwd, dir), names, kinds)) return;
    for (let position = 0; position < names.length; position++) {
      const name = names[position];
      const kind = kinds[position];
      const path = dir === "" ? name : `${dir}/${name}`;
      if (kind === undefined || !consider(path, kind)) continue;
      if (kind === "directory") subdirectories.push(name);
      else if (kind === "symlink" && options.followDirectoryLinks) links.push(path);
    }
    // Entered after the listing, so one directory's entries are not held while another is listed.
    for (const name of subdirectories) {
      visit(dir === "" ? name : `${dir}/${name}`, [...chain, join(real, name)]);
    }
    for (const path of links) followLink(path, chain);
  };

  const followLink = (path: string, chain: readonly string[]): void => {
    options.observer?.link(path);
    const target = linkedDirectory(join(cwd, path));
    if (target !== undefined && !chain.some((real) => isAncestorOrSelf(target, real))) {
      visit(path, [...chain, target]);
    }
  };

  for (const root of walkRoots(include, skipped)) {
    const absolute = join(cwd, root);
    if (root === "") {
      visit("", [realpathSync(absolute)]);
      continue;
    }
    options.observer?.probe(root);
    const kind = kindAt(absolute);
    if (kind === undefined || !consider(root, kind)) continue;
    if (kind === "directory") visit(root, [realpathSync(absolute)]);
    else if (kind === "symlink" && options.followDirectoryLinks) {
      // A link that is itself a walk root is compared with the directory that contains it.
      followLink(root, [realpathSync(dirname(absolute))]);
    }
  }
  for (const pattern of literals) {
    if (!foundLiterals.has(pattern)) {
      options.observer?.probe(pattern);
      if (kindAt(join(cwd, pattern)) === undefined) absent.push(pattern);
    }
  }

  found.sort(byPath);
  return { entries: found, absent: [...new Set(absent)].sort() };
}

/** A `.git` file that points into a repository's `worktrees/` directory, as `git worktree add` writes it. */
const WORKTREE_GITDIR = /^gitdir: .*[\\/]worktrees[\\/][^\\/]+\s*$/m;

/**
 * Returns true when the listed directory is a linked git worktree: its
 * `.git` is a file naming a directory under another repository's
 * `worktrees/`. A submodule's `.git` file points under `modules/` instead,
 * and a clone's `.git` is a directory, so both are walked as usual.
 */
function isLinkedWorktree(
  absolute: string,
  names: readonly string[],
  kinds: readonly (WalkKind | undefined)[],
): boolean {
  const position = names.indexOf(".git");
  if (position < 0 || kinds[position] !== "file") return false;
  try {
    return WORKTREE_GITDIR.test(readFileSync(join(absolute, ".git"), "utf8"));
  } catch {
    return false;
  }
}

/** Orders entries by path in code-unit order, the same on every platform and locale. */
export function byPath(a: { path: string }, b: { path: string }): number {
  if (a.path === b.path) return 0;
  return a.path < b.path ? -1 : 1;
}

/** Returns true when the real path `ancestor` is `path` or a directory above it. */
function isAncestorOrSelf(ancestor: string, path: string): boolean {
  if (ancestor === path) return true;
  return path.startsWith(ancestor.endsWith(sep) ? ancestor : `${ancestor}${sep}`);
}

/** Returns the real path of the directory a link points to, or undefined for any other link. */
function linkedDirectory(path: string): string | undefined {
  try {
    return statSync(path).isDirectory() ? realpathSync(path) : undefined;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (isMissing(error) || code === "ELOOP") return undefined;
    throw error;
  }
}

function kindAt(path: string): WalkKind | undefined {
  try {
    return kindOf(lstatSync(path));
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Returns true for ENOENT and ENOTDIR errors. */
export function isMissing(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}
