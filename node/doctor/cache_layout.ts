/**
 * Doctor's check of the cache's own paths: something in the place of the
 * secret-digest key or of a file store's directories makes every task of
 * every run uncached, with a warning per task but no failure.
 *
 * @module
 */

import { lstat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import type { Pipeline } from "../../core/model.ts";
import { namespaceDirectory } from "../cache/file_store.ts";
import { SECRET_KEY_PATH } from "../cache/paths.ts";
import { printablePath } from "../printable.ts";

/** One path of the cache that is in the way, with the command that fixes it. */
export interface CacheLayoutProblem {
  readonly message: string;
  readonly fix: string;
}

/** The default file store root, relative to the project directory. */
const DEFAULT_STORE_ROOT = join(".async", "cache", "tasks");

async function kindOf(path: string): Promise<"file" | "directory" | "other" | undefined> {
  const stats = await lstat(path).catch(() => undefined);
  if (stats === undefined) return undefined;
  return stats.isFile() ? "file" : stats.isDirectory() ? "directory" : "other";
}

/** Lists the directories the file stores of `pipeline`'s cached tasks write into. */
function storeDirectories(projectDir: string, pipeline: Pipeline | undefined): string[] {
  const directories = new Set<string>();
  for (const task of Object.values(pipeline?.tasks ?? {})) {
    const cache = task.cache;
    if (!cache.enabled || cache.storeType !== "file") continue;
    const store = pipeline?.cache.stores[cache.store];
    const root = store?.type === "file" ? store.root : DEFAULT_STORE_ROOT;
    const absolute = isAbsolute(root) ? root : resolve(projectDir, root);
    const namespace = join(absolute, namespaceDirectory(cache.namespace));
    directories.add(absolute);
    directories.add(namespace);
    directories.add(join(namespace, ".tmp"));
    directories.add(join(namespace, ".latest"));
  }
  return [...directories];
}

/**
 * Returns the cache paths of the project that block every store: a
 * secret-digest key that is not a file, and a file store directory (the
 * root, a namespace, its `.tmp` or `.latest`) that is not a directory.
 */
export async function cacheLayoutProblems(
  projectDir: string,
  pipeline: Pipeline | undefined,
): Promise<CacheLayoutProblem[]> {
  const problems: CacheLayoutProblem[] = [];
  const key = join(projectDir, SECRET_KEY_PATH);
  const keyKind = await kindOf(key);
  if (keyKind !== undefined && keyKind !== "file") {
    problems.push({
      message: `${SECRET_KEY_PATH} is not a file, so every cached task runs uncached: ` +
        "no cache key can be computed without the secret-digest key.",
      fix: `rm -r ${SECRET_KEY_PATH} (the next run makes a new key).`,
    });
  }
  for (const directory of storeDirectories(projectDir, pipeline)) {
    const kind = await kindOf(directory);
    if (kind === undefined || kind === "directory") continue;
    const relativePath = printablePath(relative(projectDir, directory) || directory);
    problems.push({
      message:
        `${relativePath} is not a directory, so the cache store cannot write entries there ` +
        "and every cached task runs uncached.",
      fix: `rm ${relativePath} (the next run creates the directory).`,
    });
  }
  return problems;
}
