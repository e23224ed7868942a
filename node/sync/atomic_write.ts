/** Writing generated files so a reader never sees a half-written one. @module */

import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import process from "../process.ts";

/** One file to write: an absolute path and its full content. */
export interface FileWrite {
  readonly path: string;
  readonly content: string;
}

/**
 * Writes every file through a temporary file in its own directory and a
 * rename. All temporary files are written before the first rename, so a
 * failed write leaves every target unchanged.
 */
export async function writeFilesAtomically(files: readonly FileWrite[]): Promise<void> {
  const staged: { temp: string; path: string }[] = [];
  try {
    for (const [index, file] of files.entries()) {
      await mkdir(dirname(file.path), { recursive: true });
      const temp = `${file.path}.${process.pid}.${Date.now()}.${index}.tmp`;
      staged.push({ temp, path: file.path });
      await writeFile(temp, file.content, "utf8");
    }
  } catch (error) {
    await Promise.all(staged.map(({ temp }) => rm(temp, { force: true })));
    throw error;
  }
  for (const { temp, path } of staged) await rename(temp, path);
}
