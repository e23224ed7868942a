/** File writes that readers never see half done: a temporary file, then a rename. @module */

import { randomUUID } from "node:crypto";
import { chmod, rename, rm, writeFile } from "node:fs/promises";
import { printablePath } from "./printable.ts";

/**
 * Sets `path` on a system error that has none and returns the error. A
 * failed `write`, such as on a full disk (ENOSPC), names only the system
 * call, and the CLI prints the path it gets here.
 */
export function withPath(error: unknown, path: string): unknown {
  const system = error as NodeJS.ErrnoException;
  if (error instanceof Error && typeof system.code === "string" && system.path === undefined) {
    system.path = path;
  }
  return error;
}

/**
 * Returns `error` with `path` set and named in its message, which a failed
 * `read` or `write` (EISDIR, ENOSPC) leaves out.
 */
export function namingPath(error: unknown, path: string): unknown {
  if (error instanceof Error && !error.message.includes(path)) {
    error.message = `${error.message} (${printablePath(path)})`;
  }
  return withPath(error, path);
}

/**
 * Returns `error` with `path` in place of the temporary file that a failed
 * write through it names, so messages name the file the caller writes. A
 * failed rename keeps its message, which names both files.
 */
export function namingTarget(error: unknown, temporary: string, path: string): unknown {
  const system = error as NodeJS.ErrnoException;
  if (!(error instanceof Error) || typeof system.code !== "string") return error;
  if (system.syscall !== "rename") {
    error.message = error.message.replaceAll(temporary, path);
    if (system.path === temporary) system.path = path;
  }
  return withPath(error, path);
}

/**
 * Writes `text` to `path` through a temporary file beside it and a rename,
 * so readers see the old or the new content. `mode` sets the new file's
 * permission bits. A failure removes the temporary file and names `path`.
 */
export async function writeFileAtomic(path: string, text: string, mode?: number): Promise<void> {
  const temporary = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(temporary, text);
    if (mode !== undefined) await chmod(temporary, mode);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => {});
    throw withPath(error, path);
  }
}
