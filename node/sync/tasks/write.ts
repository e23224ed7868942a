/** File writes for generated files: each file is replaced in one rename. @module */

import { randomUUID } from "node:crypto";
import { chmod, mkdir, realpath, rename, rm, rmdir, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Writes `text` to a temporary file beside `path`, then renames it over
 * `path`, so readers see the old or the new content and never a partial file.
 * A symlinked file is written through to its target, and an existing file
 * keeps its permission bits.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const target = await realpath(path).catch(() => path);
  await mkdir(dirname(target), { recursive: true });
  const mode = await stat(target).then((info) => info.mode & 0o777, () => undefined);
  const temporary = `${target}.${randomUUID()}.tmp`;
  try {
    await writeFile(temporary, text);
    if (mode !== undefined) await chmod(temporary, mode);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Deletes a file and then its directory when that directory is left empty. */
export async function removeFileAndEmptyDir(path: string): Promise<void> {
  await rm(path, { force: true });
  await rmdir(dirname(path)).catch(() => {});
}
