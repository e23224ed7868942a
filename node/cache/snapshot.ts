/** Copying a task's outputs into a new entry's `files/` directory. @module */

import { randomUUID } from "node:crypto";
import { copyFileSync, lstatSync, readlinkSync, renameSync } from "node:fs";
import { copyFile } from "node:fs/promises";
import { factsOf } from "./facts.ts";
import { join } from "node:path";
import { mapLimit, sha256File } from "./digest.ts";
import type { OutputRecord } from "./entry.ts";
import type { FileStateIndex } from "./file_index.ts";
import { listOutputs, MODE_MASK } from "./outputs.ts";
import { isMissing } from "./walk.ts";

/** Output files up to this size are copied synchronously. */
const SYNC_COPY_LIMIT = 64 * 1024;

/**
 * Copies every output path that `patterns` match under `cwd` into `filesDir`,
 * one file per distinct content named by its SHA-256, and returns the
 * records for `outputs.json`. The digest is taken from the copy, so the
 * record always describes what was stored even if the task's file changes
 * while it is copied.
 */
export async function copyOutputs(
  cwd: string,
  patterns: readonly string[],
  filesDir: string,
  index: FileStateIndex,
): Promise<OutputRecord[]> {
  const listed = await listOutputs(cwd, patterns, index);
  const records = await mapLimit(listed, async (entry): Promise<OutputRecord | undefined> => {
    const source = join(cwd, entry.path);
    try {
      // Synchronous calls for metadata and small files: a promise per call
      // costs more than the call. Large files are copied without blocking.
      const stats = lstatSync(source);
      if (stats.isSymbolicLink()) {
        return { path: entry.path, kind: "symlink", target: readlinkSync(source) };
      }
      if (stats.isDirectory()) {
        return { path: entry.path, kind: "directory", mode: stats.mode & MODE_MASK };
      }
      if (!stats.isFile()) return undefined;

      const hashedAt = Date.now();
      const temp = join(filesDir, `copy-${randomUUID()}`);
      if (stats.size <= SYNC_COPY_LIMIT) copyFileSync(source, temp);
      else await copyFile(source, temp);
      const copied = lstatSync(temp);
      const digest = await sha256File(temp, copied.size);
      renameSync(temp, join(filesDir, digest));
      index.remember(source, factsOf(stats), digest, hashedAt);
      return {
        path: entry.path,
        kind: "file",
        mode: stats.mode & MODE_MASK,
        size: copied.size,
        digest,
      };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  });
  return records.filter((record): record is OutputRecord => record !== undefined);
}
