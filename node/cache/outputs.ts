/**
 * Output paths: listing what a task's output patterns match, recording it,
 * and checking recorded paths before they are trusted.
 *
 * @module
 */

import type { Stats } from "node:fs";
import { lstat, readlink } from "node:fs/promises";
import { isAbsolute, join, relative, sep } from "node:path";
import { mapLimit } from "./digest.ts";
import { DamagedEntryError, type OutputRecord } from "./entry.ts";
import type { FileStateIndex } from "./file_index.ts";
import { directoryMatcher, inIgnoredArea, isMissing, splitPatterns, walkPatterns } from "./walk.ts";

/** Permission bits kept for outputs: setuid, setgid and sticky are dropped. */
export const MODE_MASK = 0o777;

/** Matchers for a task's output patterns. */
export interface OutputMatcher {
  /** True for a path the positive patterns cover. */
  readonly covers: (path: string) => boolean;
  /** True for a path a negated pattern protects: restore never touches it. */
  readonly protects: (path: string) => boolean;
}

/** Builds the matchers of `patterns`. */
export function outputMatcher(patterns: readonly string[]): OutputMatcher {
  const { include, exclude } = splitPatterns(patterns);
  return { covers: directoryMatcher(include), protects: directoryMatcher(exclude) };
}

/**
 * Checks a recorded output path and returns its absolute location. A path
 * that is absolute, has `..`, `.` or empty segments, or would leave `cwd`
 * makes the entry damaged. So does a path the task's patterns do not cover.
 */
export function checkedOutputPath(cwd: string, path: string, matcher: OutputMatcher): string {
  const segments = path.split("/");
  const malformed = path === "" || isAbsolute(path) || path.includes("\\") ||
    segments.some((segment) => segment === "" || segment === "." || segment === "..");
  const absolute = join(cwd, path);
  const inside = relative(cwd, absolute);
  if (malformed || inside.startsWith(`..${sep}`) || inside === ".." || isAbsolute(inside)) {
    throw new DamagedEntryError(`output path ${JSON.stringify(path)} escapes the project root`);
  }
  if (!matcher.covers(path) || matcher.protects(path) || inIgnoredArea(path)) {
    throw new DamagedEntryError(
      `output path ${JSON.stringify(path)} is not covered by the task's output patterns`,
    );
  }
  return absolute;
}

/** Lists the paths under `cwd` that the output patterns match now, sorted. */
export async function listOutputs(
  cwd: string,
  patterns: readonly string[],
): Promise<{ path: string; kind: "file" | "directory" | "symlink" }[]> {
  if (patterns.length === 0) return [];
  return [...(await walkPatterns(cwd, patterns)).entries];
}

/** Returns the record of one output path from its lstat facts. */
export async function recordOutput(
  absolute: string,
  path: string,
  stats: Stats,
  index: FileStateIndex,
): Promise<OutputRecord | undefined> {
  if (stats.isSymbolicLink()) return { path, kind: "symlink", target: await readlink(absolute) };
  if (stats.isDirectory()) return { path, kind: "directory", mode: stats.mode & MODE_MASK };
  if (!stats.isFile()) return undefined;
  const digest = await index.digest(absolute, stats);
  return { path, kind: "file", mode: stats.mode & MODE_MASK, size: stats.size, digest };
}

/** Records every output path that the patterns match now, digesting files through the index. */
export async function observeOutputs(
  cwd: string,
  patterns: readonly string[],
  index: FileStateIndex,
): Promise<OutputRecord[]> {
  const listed = await listOutputs(cwd, patterns);
  const records = await mapLimit(listed, async (entry) => {
    const absolute = join(cwd, entry.path);
    try {
      return await recordOutput(absolute, entry.path, await lstat(absolute), index);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  });
  return records.filter((record): record is OutputRecord => record !== undefined);
}

/** Returns true when the path on disk matches `record` exactly (kind, content, mode, target). */
export async function matchesOnDisk(
  absolute: string,
  record: OutputRecord,
  index: FileStateIndex,
): Promise<boolean> {
  let stats: Stats;
  try {
    stats = await lstat(absolute);
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
  if (record.kind === "symlink") {
    return stats.isSymbolicLink() && await readlink(absolute) === record.target;
  }
  if (record.kind === "directory") {
    return stats.isDirectory() && (stats.mode & MODE_MASK) === record.mode;
  }
  if (!stats.isFile() || stats.size !== record.size || (stats.mode & MODE_MASK) !== record.mode) {
    return false;
  }
  return await index.digest(absolute, stats) === record.digest;
}

/** Returns the first recorded output that is missing or different on disk, or undefined. */
export async function firstChangedOutput(
  cwd: string,
  records: readonly OutputRecord[],
  index: FileStateIndex,
): Promise<string | undefined> {
  for (const record of records) {
    if (!(await matchesOnDisk(join(cwd, record.path), record, index))) return record.path;
  }
  return undefined;
}
