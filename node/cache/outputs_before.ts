/**
 * The output files a task wrote, as distinct from those it found. Output
 * patterns also match files that were there before the task ran and that it
 * never touched, such as a hand-written `gen/NOTES.md` beside generated files.
 * An entry marks such a file `foreign` or `found` (see {@link markForeign}),
 * so that a later restore of any entry never removes it, and writes over it
 * only where that is safe (see `planRestore`).
 *
 * A file counts as untouched when its facts (kind, size, mtime, ctime,
 * inode) after the run equal those taken before the command started. A file
 * changed within the racy window before that moment may share its
 * timestamps with a write by the task, so its digest is compared too.
 *
 * @module
 */

import { readlinkSync } from "node:fs";
import { join } from "node:path";
import { isForeign, isFound, type OutputRecord } from "./entry.ts";
import { type FileFacts, lstatFacts } from "./facts.ts";
import { type FileStateIndex, RACY_WINDOW_MS } from "./file_index.ts";
import { listOutputs } from "./outputs.ts";
import { isMissing } from "./walk.ts";

/** An output file or link as it was before the task's command started. */
export interface OutputBefore {
  readonly facts: FileFacts;
  /** Content digest of a file changed within the racy window, else undefined. */
  readonly digest?: string;
  /** Target of a symbolic link. */
  readonly target?: string;
}

/** The task's output files and links before its command started, by path relative to its directory. */
export type OutputsBefore = ReadonlyMap<string, OutputBefore>;

/**
 * Records the files and links that `patterns` match under `cwd` now,
 * before the task's command runs. Directories are left out: a restore only
 * sets their mode.
 */
export async function outputsBefore(
  cwd: string,
  patterns: readonly string[],
  index: FileStateIndex,
): Promise<OutputsBefore> {
  const before = new Map<string, OutputBefore>();
  if (patterns.length === 0) return before;
  const takenAt = index.now();
  for (const entry of await listOutputs(cwd, patterns, index)) {
    if (entry.kind === "directory") continue;
    const absolute = join(cwd, entry.path);
    try {
      const facts = lstatFacts(absolute);
      if (facts === undefined) continue;
      if (facts.kind === "symlink") {
        before.set(entry.path, { facts, target: readlinkSync(absolute) });
      } else if (facts.kind === "file") {
        const racy = Math.max(facts.mtimeMs, facts.ctimeMs) >= takenAt - RACY_WINDOW_MS;
        const digest = racy ? await index.digest(absolute, facts) : undefined;
        before.set(entry.path, digest === undefined ? { facts } : { facts, digest });
      }
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }
  return before;
}

function sameFacts(a: FileFacts, b: FileFacts): boolean {
  return a.kind === b.kind && a.size === b.size && a.mtimeMs === b.mtimeMs &&
    a.ctimeMs === b.ctimeMs && a.ino === b.ino;
}

/**
 * Returns true when the task left the output of `record` as it was before
 * its command: same facts now (`after`) as in `before`, the same digest when
 * the earlier file was racy, and the same link target.
 */
export function untouched(
  record: OutputRecord,
  after: FileFacts,
  before: OutputBefore | undefined,
): boolean {
  if (before === undefined || !sameFacts(before.facts, after)) return false;
  if (record.kind === "symlink") return before.target === record.target;
  if (record.kind !== "file") return false;
  return before.digest === undefined || before.digest === record.digest;
}

/** Returns true when two records give a path the same content (file digest and mode, or link target). */
function sameOutput(a: OutputRecord, b: OutputRecord): boolean {
  if (a.kind === "file" && b.kind === "file") {
    return a.digest === b.digest && a.size === b.size && a.mode === b.mode;
  }
  return a.kind === "symlink" && b.kind === "symlink" && a.target === b.target;
}

/**
 * Marks the records of untouched outputs (see {@link untouched}) by what
 * `previous`, the records of the task's previous entry, contain for them.
 * Without a previous entry, a file that a tool kept up to date cannot be
 * distinguished from one written by hand. Such a record is marked `found`:
 * a hit may write over it but never removes it. A file that `previous` records with the
 * same content keeps the mark it had there, and one recorded as the task's
 * stays the task's, as incremental compilers leave files they need not
 * rewrite. Every other untouched file appeared since the task last ran
 * without the task writing it, and is marked `foreign`.
 */
export function markForeign(
  records: readonly OutputRecord[],
  isUntouched: ReadonlySet<string>,
  previous: ReadonlyMap<string, OutputRecord> | undefined,
): OutputRecord[] {
  return records.map((record) => {
    if (!isUntouched.has(record.path) || record.kind === "directory") return record;
    if (previous === undefined) return { ...record, found: true };
    const earlier = previous.get(record.path);
    if (earlier === undefined || isForeign(earlier) || !sameOutput(earlier, record)) {
      return { ...record, foreign: true };
    }
    return isFound(earlier) ? { ...record, found: true } : record;
  });
}
