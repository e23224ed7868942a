/** Copying a task's outputs into a new entry's `files/` directory. @module */

import { randomUUID } from "node:crypto";
import { lstatSync, readlinkSync, renameSync, type Stats } from "node:fs";
import { factsOf } from "./facts.ts";
import { join } from "node:path";
import { copyAndHash, mapLimit } from "./digest.ts";
import type { OutputRecord } from "./entry.ts";
import type { FileStateIndex } from "./file_index.ts";
import { listOutputs, MODE_MASK } from "./outputs.ts";
import { type OutputsBefore, untouched } from "./outputs_before.ts";
import { isMissing } from "./walk.ts";
import { printablePath } from "../printable.ts";

/** An output file that changed while the cache copied it into a new entry. */
export class OutputChangedError extends Error {
  constructor(path: string) {
    super(`output ${printablePath(path)} changed while it was stored`);
    this.name = "OutputChangedError";
  }
}

/** Returns true when `after` or the copied size shows that a file changed since `before`. */
export function changedSince(before: Stats, after: Stats, copied: number): boolean {
  return copied !== before.size || after.size !== before.size || after.ino !== before.ino ||
    after.mtimeMs !== before.mtimeMs || after.ctimeMs !== before.ctimeMs;
}

/**
 * Copies every output path that `patterns` match under `cwd` into `filesDir`,
 * one file per distinct content named by its SHA-256, and returns the
 * records for `outputs.json`. The digest is taken while copying, so the
 * record describes what was stored. With `before`, the files and links as
 * they were before the task's command, `untouched` lists the paths the
 * task left as they were.
 *
 * @throws {OutputChangedError} when a file's size, times or inode differ
 * after its copy from before it, so the entry is not stored.
 */
export async function copyOutputs(
  cwd: string,
  patterns: readonly string[],
  filesDir: string,
  index: FileStateIndex,
  before: OutputsBefore = new Map(),
): Promise<{ records: OutputRecord[]; untouched: Set<string> }> {
  const listed = await listOutputs(cwd, patterns, index);
  const left = new Set<string>();
  const noteUntouched = (record: OutputRecord, stats: Stats) => {
    if (untouched(record, factsOf(stats), before.get(record.path))) left.add(record.path);
    return record;
  };
  const records = await mapLimit(listed, async (entry): Promise<OutputRecord | undefined> => {
    const source = join(cwd, entry.path);
    try {
      // Synchronous calls for metadata and small files: a promise per call
      // costs more than the call. Large files are copied without blocking.
      const stats = lstatSync(source);
      if (stats.isSymbolicLink()) {
        const link: OutputRecord = {
          path: entry.path,
          kind: "symlink",
          target: readlinkSync(source),
        };
        return noteUntouched(link, stats);
      }
      if (stats.isDirectory()) {
        return { path: entry.path, kind: "directory", mode: stats.mode & MODE_MASK };
      }
      if (!stats.isFile()) return undefined;

      const hashedAt = Date.now();
      const temp = join(filesDir, `copy-${randomUUID()}`);
      const { digest, size } = await copyAndHash(source, temp, stats.size);
      // Another process writing the file while it was copied (a task that
      // shares the output without a dependency) would leave a mixed copy.
      if (changedSince(stats, lstatSync(source), size)) {
        throw new OutputChangedError(entry.path);
      }
      renameSync(temp, join(filesDir, digest));
      index.remember(source, factsOf(stats), digest, hashedAt);
      const file: OutputRecord = {
        path: entry.path,
        kind: "file",
        mode: stats.mode & MODE_MASK,
        size,
        digest,
      };
      return noteUntouched(file, stats);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  });
  return {
    records: records.filter((record): record is OutputRecord => record !== undefined),
    untouched: left,
  };
}
