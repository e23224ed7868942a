/**
 * Output paths: listing what a task's output patterns match, recording it,
 * and checking recorded paths before they are trusted.
 *
 * @module
 */

import { readlink } from "node:fs/promises";
import { isAbsolute, join, relative, sep } from "node:path";
import { mapLimit } from "./digest.ts";
import { DamagedEntryError, type OutputRecord } from "./entry.ts";
import { type FileFacts, lstatFacts } from "./facts.ts";
import type { FileStateIndex } from "./file_index.ts";
import { isMissing, walkPatterns } from "./walk.ts";
import { directoryMatcher, skippedBy, splitPatterns } from "./patterns.ts";
import { memoizedWalk } from "./walk_memo.ts";

/** Permission bits kept for outputs: setuid, setgid and sticky are dropped. */
export const MODE_MASK = 0o777;

/** Matchers for a task's output patterns. */
export interface OutputMatcher {
  /** True for a path the positive patterns cover. */
  readonly covers: (path: string) => boolean;
  /** True for a path a negated pattern protects: restore never touches it. */
  readonly protects: (path: string) => boolean;
  /** True for a path that the walk of the patterns skips, such as one in `.git`. */
  readonly skips: (path: string) => boolean;
}

/** Builds the matchers of `patterns`. */
export function outputMatcher(patterns: readonly string[]): OutputMatcher {
  const { include, exclude } = splitPatterns(patterns);
  return {
    covers: directoryMatcher(include),
    protects: directoryMatcher(exclude),
    skips: skippedBy(include),
  };
}

/**
 * Checks a recorded output path and returns its absolute location. A path
 * that is absolute, has `..`, `.` or empty segments, or would leave `cwd`
 * makes the entry damaged. So does a path the task's patterns do not cover.
 * Recorded paths use `/` separators. A backslash separates paths only on
 * Windows, so elsewhere it is an ordinary character of a file name.
 */
export function checkedOutputPath(cwd: string, path: string, matcher: OutputMatcher): string {
  const segments = path.split("/");
  const malformed = path === "" || isAbsolute(path) || (sep === "\\" && path.includes("\\")) ||
    segments.some((segment) => segment === "" || segment === "." || segment === "..");
  const absolute = join(cwd, path);
  const inside = relative(cwd, absolute);
  if (malformed || inside.startsWith(`..${sep}`) || inside === ".." || isAbsolute(inside)) {
    throw new DamagedEntryError(`output path ${JSON.stringify(path)} escapes the project root`);
  }
  if (!matcher.covers(path) || matcher.protects(path) || matcher.skips(path)) {
    throw new DamagedEntryError(
      `output path ${JSON.stringify(path)} is not covered by the task's output patterns`,
    );
  }
  return absolute;
}

/**
 * Lists the paths under `cwd` that the output patterns match now, sorted.
 * With an `index`, the listing goes through its walk memos.
 */
export async function listOutputs(
  cwd: string,
  patterns: readonly string[],
  index?: FileStateIndex,
): Promise<{ path: string; kind: "file" | "directory" | "symlink" }[]> {
  if (patterns.length === 0) return [];
  const walked = index === undefined
    ? await walkPatterns(cwd, patterns)
    : await memoizedWalk(index, cwd, patterns);
  return [...walked.entries];
}

/** Returns the record of one output path from its facts. */
export async function recordOutput(
  absolute: string,
  path: string,
  facts: FileFacts,
  index: FileStateIndex,
): Promise<OutputRecord | undefined> {
  if (facts.kind === "symlink") return { path, kind: "symlink", target: await readlink(absolute) };
  if (facts.kind === "directory") return { path, kind: "directory", mode: facts.mode & MODE_MASK };
  if (facts.kind !== "file") return undefined;
  const digest = await index.digest(absolute, facts);
  return { path, kind: "file", mode: facts.mode & MODE_MASK, size: facts.size, digest };
}

/** Records every output path that the patterns match now, digesting files through the index. */
export async function observeOutputs(
  cwd: string,
  patterns: readonly string[],
  index: FileStateIndex,
): Promise<OutputRecord[]> {
  const listed = await listOutputs(cwd, patterns, index);
  const records = await mapLimit(listed, async (entry) => {
    const absolute = join(cwd, entry.path);
    try {
      const facts = lstatFacts(absolute);
      return facts === undefined
        ? undefined
        : await recordOutput(absolute, entry.path, facts, index);
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
  const facts = lstatFacts(absolute);
  if (facts === undefined) return false;
  if (record.kind === "symlink") {
    return facts.kind === "symlink" && await readlink(absolute) === record.target;
  }
  if (record.kind === "directory") {
    return facts.kind === "directory" && (facts.mode & MODE_MASK) === record.mode;
  }
  if (
    facts.kind !== "file" || facts.size !== record.size || (facts.mode & MODE_MASK) !== record.mode
  ) {
    return false;
  }
  return (index.known(absolute, facts) ?? await index.digest(absolute, facts)) === record.digest;
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
