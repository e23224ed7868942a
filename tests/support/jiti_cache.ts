/** Cleanup of the transpile cache that jiti keeps in `<tmpdir>/jiti` for test modules. @module */

import { readdir, rm, rmdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Registers an `afterAll` hook that removes the cache files of modules in
 * directories named with `prefix`. jiti names each file there after the
 * module's folder and name. The cache directory goes too when nothing else
 * is cached in it.
 */
export function removeJitiCacheAfterAll(prefix: string): void {
  Deno.test.afterAll(async () => {
    const cache = join(tmpdir(), "jiti");
    const names = await readdir(cache).catch(() => []);
    const ours = names.filter((name) => name.startsWith(prefix));
    await Promise.all(ours.map((name) => rm(join(cache, name), { force: true })));
    await rmdir(cache).catch(() => undefined);
  });
}
