/** Locations of the cache's own files inside a project. @module */

import { randomBytes } from "node:crypto";
import { statSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import process from "../process.ts";
import { join } from "node:path";
import { printableErrorMessage } from "../printable.ts";
import { isMissing } from "./walk.ts";

/** Directory of everything the cache keeps, relative to the project directory. */
export const CACHE_DIRECTORY = ".async/cache";

/** The file-state index, relative to the project directory. */
export const FILE_INDEX_PATH = `${CACHE_DIRECTORY}/file-index.json`;

/** The key for digests of secret values, relative to the project directory. */
export const SECRET_KEY_PATH = `${CACHE_DIRECTORY}/secret.key`;

const SECRET_KEY_BYTES = 32;

/**
 * Why a new secret-digest key replaced the one the cache used: the file was
 * missing while the cache directory had other files, or it was not a key.
 */
export type SecretKeyReplacement = "missing" | "invalid";

/** The project's secret-digest key, and why it was replaced when it was. */
export interface LoadedSecretKey {
  readonly key: Uint8Array;
  readonly replaced?: SecretKeyReplacement;
}

/**
 * Error for a secret-digest key that exists but cannot be read, such as a
 * directory in its place. No cache key can be computed without the key, and
 * the run leaves that path alone, so the message gives the command to fix it.
 */
export class SecretKeyUnreadableError extends Error {
  /** The key file, relative to the project directory. */
  readonly file = SECRET_KEY_PATH;

  /** `owner` is the key file's uid when it is not the uid of this process. */
  constructor(cause: unknown, owner?: number) {
    const code = (cause as { code?: unknown } | null)?.code;
    const unreadable = `the secret-digest key ${SECRET_KEY_PATH} could not be read (${
      printableErrorMessage(cause)
    }).`;
    super(
      code === "EISDIR"
        ? `the secret-digest key ${SECRET_KEY_PATH} is a directory. Remove it ` +
          `(rm -r ${SECRET_KEY_PATH}), and the next run makes a new key.`
        : code === "EACCES" && owner !== undefined
        ? `${unreadable} It belongs to another user (uid ${owner}). Users who run the same ` +
          "project need a key that each of them can read, such as one owned by a group they " +
          `share with mode 640. Removing it makes a new key that only this user can read.`
        : `${unreadable} Make it readable, or remove it and the next run makes a new key.`,
      { cause },
    );
    this.name = "SecretKeyUnreadableError";
  }
}

/** Returns the error for a key at `path` that could not be read, naming another owner. */
function unreadableKey(path: string, cause: unknown): SecretKeyUnreadableError {
  if ((cause as { code?: unknown } | null)?.code !== "EACCES") {
    return new SecretKeyUnreadableError(cause);
  }
  const owner = statSync(path, { throwIfNoEntry: false })?.uid;
  const own = process.getuid?.();
  return new SecretKeyUnreadableError(
    cause,
    owner !== undefined && owner !== own ? owner : undefined,
  );
}

/** Returns true when the cache directory has files besides the secret key. */
async function cacheHasFiles(rootDir: string): Promise<boolean> {
  try {
    const names = await readdir(join(rootDir, CACHE_DIRECTORY));
    return names.some((name) => !name.startsWith("secret.key"));
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

/**
 * Reads the project's key for secret digests, creating it (mode 600) on first
 * use. Deleting it only makes tasks with secrets in their key miss once. A
 * key made while the cache already had files, or in place of a file that is
 * not a key, is returned with the reason it was `replaced`.
 */
export async function loadSecretKey(rootDir: string): Promise<LoadedSecretKey> {
  const path = join(rootDir, SECRET_KEY_PATH);
  let replaced: SecretKeyReplacement | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const key = await readFile(path);
      if (key.length === SECRET_KEY_BYTES) return { key };
      replaced = "invalid";
    } catch (error) {
      if (!isMissing(error)) throw unreadableKey(path, error);
      replaced ??= await cacheHasFiles(rootDir) ? "missing" : undefined;
    }
    const key = randomBytes(SECRET_KEY_BYTES);
    await mkdir(join(rootDir, CACHE_DIRECTORY), { recursive: true });
    try {
      await writeFile(path, key, { mode: 0o600, flag: attempt === 0 ? "wx" : "w" });
      return replaced === undefined ? { key } : { key, replaced };
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST") throw error;
    }
  }
  // Another process created the key meanwhile: use its key, which it reports.
  return { key: await readFile(path) };
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
    throw unreadableKey(join(rootDir, SECRET_KEY_PATH), error);
  }
}
