/** Locations of the cache's own files inside a project. @module */

import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isMissing } from "./walk.ts";

/** Directory of everything the cache keeps, relative to the project directory. */
export const CACHE_DIRECTORY = ".async/cache";

/** The file-state index, relative to the project directory. */
export const FILE_INDEX_PATH = `${CACHE_DIRECTORY}/file-index.json`;

/** The key for digests of secret values, relative to the project directory. */
export const SECRET_KEY_PATH = `${CACHE_DIRECTORY}/secret.key`;

const SECRET_KEY_BYTES = 32;

/**
 * Reads the project's key for secret digests, creating it (mode 600) on first
 * use. Deleting it only makes tasks with secrets in their env miss once.
 */
export async function loadSecretKey(rootDir: string): Promise<Uint8Array> {
  const path = join(rootDir, SECRET_KEY_PATH);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const key = await readFile(path);
      if (key.length === SECRET_KEY_BYTES) return key;
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    const key = randomBytes(SECRET_KEY_BYTES);
    await mkdir(join(rootDir, CACHE_DIRECTORY), { recursive: true });
    try {
      await writeFile(path, key, { mode: 0o600, flag: attempt === 0 ? "wx" : "w" });
      return key;
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST") throw error;
    }
  }
  return await readFile(path);
}

/**
 * Reads the project's key for secret digests without creating it, for a dry
 * run. Resolves undefined when there is no usable key yet.
 */
export async function readSecretKey(rootDir: string): Promise<Uint8Array | undefined> {
  try {
    const key = await readFile(join(rootDir, SECRET_KEY_PATH));
    return key.length === SECRET_KEY_BYTES ? key : undefined;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}
