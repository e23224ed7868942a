/**
 * Restoring a stored output snapshot in two phases. The plan reads the stored
 * files and the disk and changes nothing, so a damaged entry or a conflict
 * leaves the disk as it was. Only a complete plan is applied.
 *
 * @module
 */

import { randomUUID } from "node:crypto";
import type { Stats } from "node:fs";
import {
  chmod,
  copyFile,
  lstat,
  mkdir,
  readdir,
  readlink,
  rename,
  rm,
  rmdir,
  symlink,
} from "node:fs/promises";
import { dirname, join, sep } from "node:path";
import { mapLimit } from "./digest.ts";
import {
  DamagedEntryError,
  isForeign,
  isFound,
  type OutputRecord,
  type OutputsManifest,
} from "./entry.ts";
import { factsOf, lstatFacts } from "./facts.ts";
import type { FileStateIndex } from "./file_index.ts";
import {
  checkedOutputPath,
  listOutputs,
  matchesOnDisk,
  MODE_MASK,
  type OutputMatcher,
  outputMatcher,
} from "./outputs.ts";
import { byPath, isMissing } from "./walk.ts";
import { inIgnoredArea } from "./patterns.ts";
import { printablePath } from "../printable.ts";

/** The disk is in a state the snapshot cannot be restored over without touching files it must not touch. */
export class RestoreConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RestoreConflictError";
  }
}

/** How many changed paths a {@link ChangedOutputError} names before it counts the rest. */
const NAMED_CHANGES = 3;

/**
 * A restore would write over or remove an output file or link that the
 * cache did not write as it is now. An example is a hand-written
 * `src/legacy.js` among a compiler's `.js` outputs, edited after the entry
 * was stored. `path` is the first such path, `count` the number of them,
 * and the message names up to three.
 */
export class ChangedOutputError extends RestoreConflictError {
  readonly path: string;
  readonly count: number;

  /**
   * `overwritten` are paths the restore would write over, `removed` paths
   * inside a directory that the restore would replace with a file.
   */
  constructor(overwritten: readonly string[], removed: readonly string[]) {
    const paths = [...overwritten, ...removed].sort();
    const named = paths.slice(0, NAMED_CHANGES).map(printablePath).join(", ");
    const others = paths.length > NAMED_CHANGES ? ` (+${paths.length - NAMED_CHANGES} more)` : "";
    const verb = removed.length === 0
      ? "overwrite"
      : overwritten.length === 0
      ? "remove"
      : "overwrite or remove";
    const subject = paths.length === 1 ? "it" : "them";
    super(
      `${named}${others} changed since the cache last wrote ${subject}, and restoring the entry ` +
        `would ${verb} ${subject}`,
    );
    this.name = "ChangedOutputError";
    this.path = paths[0];
    this.count = paths.length;
  }
}

interface PlannedWrite {
  readonly record: OutputRecord;
  readonly absolute: string;
}

/** Everything a restore will change, computed without changing anything. */
export interface RestorePlan {
  /**
   * Stale files and links to remove: matched by the output patterns, not in
   * the snapshot, and still as the task's previous entry recorded them.
   */
  readonly staleFiles: string[];
  /**
   * Stale directories that the previous entry recorded, deepest first. Each
   * is removed only if it ends up empty.
   */
  readonly staleDirectories: string[];
  /**
   * Paths the output patterns match that are neither in the snapshot nor
   * removed, because the task is not known to have written them as they are.
   */
  readonly kept: string[];
  /** Directories standing where the snapshot has a file or link. */
  readonly replacedDirectories: string[];
  /** Snapshot paths that differ on disk, in path order. */
  readonly writes: PlannedWrite[];
  /** Paths already identical on disk, left untouched. */
  readonly unchanged: number;
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Checks every stored file against its recorded size and digest. */
async function verifyBlobs(
  records: readonly OutputRecord[],
  blobPath: (digest: string) => string,
  index: FileStateIndex,
): Promise<void> {
  const files = new Map<string, OutputRecord & { kind: "file" }>();
  for (const record of records) if (record.kind === "file") files.set(record.digest, record);
  await mapLimit([...files.values()], async (record) => {
    const path = blobPath(record.digest);
    const facts = lstatFacts(path);
    if (facts?.kind !== "file") {
      throw new DamagedEntryError(`the stored copy of ${printablePath(record.path)} is missing`);
    }
    if (facts.size !== record.size) {
      throw new DamagedEntryError(
        `the stored copy of ${printablePath(record.path)} has the wrong size`,
      );
    }
    if ((index.known(path, facts) ?? await index.digest(path, facts)) !== record.digest) {
      throw new DamagedEntryError(
        `the stored copy of ${printablePath(record.path)} has the wrong content`,
      );
    }
  });
}

/**
 * Rejects a restore that would write through a link or over a file that the
 * output patterns do not cover, such as a user's symbolic link above `dist/`.
 */
async function checkAncestors(
  cwd: string,
  records: readonly OutputRecord[],
  matcher: OutputMatcher,
): Promise<void> {
  const snapshotDirectories = new Set(
    records.filter((record) => record.kind === "directory").map((record) => record.path),
  );
  const checked = new Set<string>();
  for (const record of records) {
    const segments = record.path.split("/");
    for (let depth = 1; depth < segments.length; depth++) {
      const ancestor = segments.slice(0, depth).join("/");
      if (checked.has(ancestor)) continue;
      checked.add(ancestor);
      if (snapshotDirectories.has(ancestor) || matcher.covers(ancestor)) continue;
      const stats = await lstatOrUndefined(join(cwd, ancestor));
      if (stats && !stats.isDirectory()) {
        throw new RestoreConflictError(
          `${printablePath(ancestor)} is ${
            stats.isSymbolicLink() ? "a symbolic link" : "a file"
          } where the output ${printablePath(record.path)} needs a directory`,
        );
      }
    }
  }
}

/**
 * Rejects replacing a directory that contains a path a negated pattern
 * protects. Returns the files and links inside it that do not have the
 * content `previous` records for their paths, which replacing it would lose.
 */
async function checkReplaceable(
  cwd: string,
  path: string,
  matcher: OutputMatcher,
  previous: ReadonlyMap<string, OutputRecord>,
  index: FileStateIndex,
): Promise<string[]> {
  const inside = await readdir(join(cwd, path), { recursive: true });
  const changed: string[] = [];
  for (const child of inside) {
    // A backslash separates paths only on Windows. Elsewhere it belongs to the file name.
    const relative = sep === "\\" ? String(child).split(sep).join("/") : String(child);
    const childPath = `${path}/${relative}`;
    if (matcher.protects(childPath) || inIgnoredArea(childPath)) {
      throw new RestoreConflictError(
        `${printablePath(path)} is a directory holding ${
          printablePath(childPath)
        }, which the task's negated output patterns protect`,
      );
    }
    const absolute = join(cwd, childPath);
    const stats = await lstatOrUndefined(absolute);
    if (stats === undefined || stats.isDirectory()) continue;
    if (!await sameContent(absolute, stats, previous.get(childPath), index)) {
      changed.push(childPath);
    }
  }
  return changed.sort();
}

/**
 * Returns true when the path on disk is one the task wrote: `produced`, the
 * record of the task's previous entry, has it, and it is unchanged since.
 */
async function producedByTask(
  absolute: string,
  kind: OutputRecord["kind"],
  produced: OutputRecord | undefined,
  index: FileStateIndex,
): Promise<boolean> {
  if (produced === undefined || produced.kind !== kind) return false;
  return kind === "directory" || await matchesOnDisk(absolute, produced, index);
}

/**
 * Returns true when the file or link at `absolute` has the content of
 * `record` (file size and digest, or link target). The mode is not compared,
 * because replacing a file of the same content loses nothing.
 */
async function sameContent(
  absolute: string,
  stats: Stats,
  record: OutputRecord | undefined,
  index: FileStateIndex,
): Promise<boolean> {
  if (record?.kind === "symlink") {
    return stats.isSymbolicLink() && await readlink(absolute) === record.target;
  }
  if (record?.kind !== "file" || !stats.isFile() || stats.size !== record.size) return false;
  const facts = factsOf(stats);
  return (index.known(absolute, facts) ?? await index.digest(absolute, facts)) === record.digest;
}

/**
 * Reads the stored entry and the disk, and returns what a restore would
 * change. `previous` contains the output records of the entry the task last
 * stored or restored, or the snapshot's own records when that entry is the
 * one being restored. A path the patterns match that is not in `snapshot`
 * is removed only when `previous` has it and it is unchanged since, so a
 * file the task never wrote, or one edited after it did, stays. For the
 * same reason, an existing file or link that differs from the snapshot is
 * replaced only when it has the content that `snapshot` (with another mode)
 * or `previous` records for its path. A directory where the snapshot has a
 * file is replaced only when every file and link inside it has the content
 * `previous` records. Otherwise the plan throws {@link ChangedOutputError}.
 * Records marked foreign, in either entry, are not the task's: the snapshot's
 * are written only over a file that is the task's by `previous`, and
 * `previous`'s do not make a file the task's. Records marked found may be
 * written over, but do not let a hit remove a file or replace a directory.
 */
export async function planRestore(
  cwd: string,
  snapshot: OutputsManifest,
  patterns: readonly string[],
  blobPath: (digest: string) => string,
  index: FileStateIndex,
  previous: ReadonlyMap<string, OutputRecord> = new Map(),
): Promise<RestorePlan> {
  // Records a hit may write over: the previous entry's, but for files the task did not write.
  const writable = new Map([...previous].filter(([, record]) => !isForeign(record)));
  // Records a hit may remove or replace a directory over: only files the task wrote.
  const owned = new Map([...writable].filter(([, record]) => !isFound(record)));
  const matcher = outputMatcher(patterns);
  const records = [...snapshot.entries].sort(byPath);
  const absolute = records.map((record) => checkedOutputPath(cwd, record.path, matcher));
  await verifyBlobs(records, blobPath, index);
  await checkAncestors(cwd, records, matcher);

  const writes: PlannedWrite[] = [];
  const replacedDirectories: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  let unchanged = 0;
  for (const [position, record] of records.entries()) {
    const target = absolute[position];
    if (await matchesOnDisk(target, record, index)) {
      unchanged++;
      continue;
    }
    const stats = await lstatOrUndefined(target);
    // A file the task did not write is written only over the task's own
    // output from its previous entry, never where the user removed it.
    if (
      isForeign(record) &&
      (stats === undefined || stats.isDirectory() ||
        !await sameContent(target, stats, writable.get(record.path), index))
    ) continue;
    if (stats?.isDirectory() && record.kind !== "directory") {
      removed.push(...await checkReplaceable(cwd, record.path, matcher, owned, index));
      replacedDirectories.push(target);
    } else if (
      stats !== undefined && !stats.isDirectory() &&
      !await sameContent(target, stats, record, index) &&
      !await sameContent(target, stats, writable.get(record.path), index)
    ) {
      changed.push(record.path);
    }
    writes.push({ record, absolute: target });
  }
  if (changed.length > 0 || removed.length > 0) {
    throw new ChangedOutputError(changed, removed);
  }

  const stored = new Set(records.map((record) => record.path));
  const staleFiles: string[] = [];
  const staleDirectories: string[] = [];
  const kept: string[] = [];
  for (const entry of await listOutputs(cwd, patterns, index)) {
    if (stored.has(entry.path)) continue;
    const target = join(cwd, entry.path);
    if (!await producedByTask(target, entry.kind, owned.get(entry.path), index)) {
      kept.push(entry.path);
    } else if (entry.kind === "directory") staleDirectories.push(target);
    else staleFiles.push(target);
  }
  staleDirectories.sort((a, b) => b.length - a.length);
  return { staleFiles, staleDirectories, kept, replacedDirectories, writes, unchanged };
}

async function writeRecord(
  write: PlannedWrite,
  blobPath: (digest: string) => string,
  index: FileStateIndex,
): Promise<void> {
  const { record, absolute } = write;
  await mkdir(dirname(absolute), { recursive: true });
  index.forget(absolute);
  if (record.kind === "directory") {
    const stats = await lstatOrUndefined(absolute);
    if (stats && !stats.isDirectory()) await rm(absolute, { force: true });
    await mkdir(absolute, { recursive: true });
    return;
  }
  const temp = `${absolute}.async-restore-${randomUUID()}`;
  try {
    if (record.kind === "symlink") await symlink(record.target, temp);
    else {
      const hashedAt = Date.now();
      await copyFile(blobPath(record.digest), temp);
      await chmod(temp, record.mode & MODE_MASK);
      const before = factsOf(await lstat(temp));
      await rename(temp, absolute);
      index.remember(absolute, before, record.digest, hashedAt);
      return;
    }
    await rename(temp, absolute);
  } finally {
    await rm(temp, { force: true });
  }
}

/** Applies a plan made by {@link planRestore}. */
export async function applyRestore(
  plan: RestorePlan,
  blobPath: (digest: string) => string,
  index: FileStateIndex,
): Promise<void> {
  for (const path of plan.staleFiles) {
    index.forget(path);
    await rm(path, { force: true });
  }
  for (const path of plan.replacedDirectories) await rm(path, { recursive: true, force: true });
  for (const write of plan.writes) await writeRecord(write, blobPath, index);
  for (const path of plan.staleDirectories) {
    try {
      await rmdir(path);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== "ENOTEMPTY" && code !== "EEXIST" && !isMissing(error)) throw error;
    }
  }
  const directories = plan.writes.filter((write) => write.record.kind === "directory");
  directories.sort((a, b) => b.absolute.length - a.absolute.length);
  for (const { record, absolute } of directories) {
    if (record.kind === "directory") await chmod(absolute, record.mode & MODE_MASK);
  }
}
