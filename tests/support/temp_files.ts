/**
 * Temporary directories for tests, removed even when a test fails.
 *
 * Importing this module registers `Deno.test` hooks in the importing test
 * file: a directory made during a test goes when that test ends, and one
 * made outside any test (at module level or in `beforeAll`) goes after the
 * file's last test.
 */

import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const perTest: string[] = [];
const perFile: string[] = [];
let inTest = false;

/** Removes the directories in `dirs` and empties the list. */
async function removeAll(dirs: string[]): Promise<void> {
  const removing = dirs.splice(0).map((dir) =>
    rm(dir, { recursive: true, force: true, maxRetries: 5 })
  );
  await Promise.all(removing);
}

Deno.test.beforeEach(() => {
  inTest = true;
});

Deno.test.afterEach(async () => {
  inTest = false;
  await removeAll(perTest);
});

Deno.test.afterAll(() => removeAll(perFile));

/**
 * Creates a directory in the system temp directory whose name starts with
 * `prefix` and returns its path. It is removed with everything in it when
 * the current test ends, or after the file's last test when no test runs.
 */
export async function tempDir(prefix = "async-pipeline-test-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  (inTest ? perTest : perFile).push(dir);
  return dir;
}

/**
 * Writes `files` (paths relative to a new temporary directory whose name
 * starts with `prefix`), passes the directory to `fn` and removes it after.
 */
export async function withTempFiles(
  prefix: string,
  files: Record<string, string>,
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
