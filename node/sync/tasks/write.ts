/** File writes for generated files: each file is replaced in one rename. @module */

import { mkdir, realpath, rm, rmdir, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { writeFileAtomic } from "../../atomic_write.ts";

/**
 * Writes `text` to a temporary file beside `path`, then renames it over
 * `path`, so readers see the old or the new content and never a partial file.
 * A symlinked file is written through to its target, and an existing file
 * keeps its permission bits.
 */
export async function writeGeneratedFile(path: string, text: string): Promise<void> {
  const target = await realpath(path).catch(() => path);
  await mkdir(dirname(target), { recursive: true });
  const mode = await stat(target).then((info) => info.mode & 0o777, () => undefined);
  await writeFileAtomic(target, text, mode);
}

/** Deletes a file and then its directory when that directory is left empty. */
export async function removeFileAndEmptyDir(path: string): Promise<void> {
  await rm(path, { force: true });
  await rmdir(dirname(path)).catch(() => {});
}
