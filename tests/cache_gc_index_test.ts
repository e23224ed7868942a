/** `gc` and the file-state index: entries of deleted or long-unseen files are dropped. */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { sh } from "../core/sh.ts";
import { task } from "../core/task.ts";
import { gc } from "../node/cache/maintenance.ts";
import { readEntries } from "../node/cache/index_disk.ts";
import { FILE_INDEX_PATH } from "../node/cache/paths.ts";
import { cacheFor, execute, lookupInput, makePipeline, makeProject } from "./cache_fixture.ts";
import { cliCall } from "./support/cli.ts";
import { REPO_DIR } from "./support/projects.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

/** Node 24 from the repository's devDependencies, which runs the sources by stripping types. */
const NODE = join(REPO_DIR, "node_modules/.bin/node");

const pipeline = makePipeline({
  check: task({ inputs: ["src/**"], cache: "file:local" }, sh`check`),
});

/** Creates a project whose file-state index has entries for `src/a.ts` and `src/b.ts`. */
async function indexedProject(): Promise<string> {
  const dir = await makeProject({ "src/a.ts": "a", "src/b.ts": "b" });
  const hooks = cacheFor(pipeline, dir);
  await execute(hooks, lookupInput(pipeline, "check", dir), () => Promise.resolve());
  await hooks.close();
  assert.deepEqual(indexedPaths(dir), [join(dir, "src/a.ts"), join(dir, "src/b.ts")]);
  return dir;
}

function indexedPaths(dir: string): string[] {
  const paths: string[] = [];
  readEntries(join(dir, FILE_INDEX_PATH)).forEach((path) => paths.push(path));
  return paths.sort();
}

Deno.test("gc drops index entries of deleted files", async () => {
  const dir = await indexedProject();
  const before = (await stat(join(dir, FILE_INDEX_PATH))).size;
  await rm(join(dir, "src/b.ts"));

  const result = await gc(dir);

  assert.equal(result.index.removed, 1);
  assert.equal(result.index.bytes, before - (await stat(join(dir, FILE_INDEX_PATH))).size);
  assert.ok(result.index.bytes > 0);
  assert.deepEqual(indexedPaths(dir), [join(dir, "src/a.ts")]);
});

Deno.test("gc drops index entries unseen for 30 days", async () => {
  const dir = await indexedProject();

  const result = await gc(dir, { now: () => Date.now() + 31 * DAY_MS });

  assert.equal(result.index.removed, 2);
  assert.deepEqual(indexedPaths(dir), []);
});

Deno.test("gc leaves a current index untouched", async () => {
  const dir = await indexedProject();
  const before = await stat(join(dir, FILE_INDEX_PATH));

  const result = await gc(dir, { now: () => Date.now() + 29 * DAY_MS });

  assert.deepEqual(result.index, { removed: 0, bytes: 0 });
  const after = await stat(join(dir, FILE_INDEX_PATH));
  assert.equal(after.ino, before.ino);
  assert.equal(after.mtimeMs, before.mtimeMs);
});

Deno.test("gc leaves a damaged index alone", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  await mkdir(join(dir, ".async/cache"), { recursive: true });
  await writeFile(join(dir, FILE_INDEX_PATH), "{ not json");

  const result = await gc(dir);

  assert.deepEqual(result.index, { removed: 0, bytes: 0 });
  assert.equal(await readFile(join(dir, FILE_INDEX_PATH), "utf8"), "{ not json");
});

Deno.test("gc command reports dropped index entries", async () => {
  const dir = await indexedProject();
  await rm(join(dir, "src"), { recursive: true });

  const result = await cliCall(dir, ["gc"], {});

  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    /\nDropped 2 entries of deleted or long-unseen files from the file-state index \(\d+ bytes\)\.\n$/,
  );
});

Deno.test("gc command says nothing of a current index", async () => {
  const dir = await indexedProject();

  const result = await cliCall(dir, ["gc"], {});

  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stdout, /file-state index/);
});

Deno.test("gc drops index entries below a directory that became a file", async () => {
  const dir = await indexedProject();
  await rm(join(dir, "src"), { recursive: true });
  await writeFile(join(dir, "src"), "now a file");

  const result = await gc(dir);

  assert.equal(result.index.error, undefined);
  assert.equal(result.index.removed, 2);
  assert.deepEqual(indexedPaths(dir), []);
});

Deno.test("gc command warns on an unwritable index", async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 80; i++) files[`src/file-with-a-fairly-long-name-${i}.ts`] = `${i}`;
  const dir = await makeProject(files);
  const hooks = cacheFor(pipeline, dir);
  await execute(hooks, lookupInput(pipeline, "check", dir), () => Promise.resolve());
  await hooks.close();
  const indexPath = join(dir, FILE_INDEX_PATH);
  const before = await readFile(indexPath);
  assert.ok(before.length > 8 * 1024, `index of ${before.length} bytes`);
  await rm(join(dir, "src/file-with-a-fairly-long-name-0.ts"));

  // Node ignores SIGXFSZ, so a write past the shell's file size limit
  // (4 KiB) fails with EFBIG instead of ending the process.
  const result = spawnSync(
    "sh",
    ["-c", 'ulimit -f 4 && exec "$0" "$1" gc', NODE, join(REPO_DIR, "cli/main.ts")],
    { cwd: dir, encoding: "utf8" },
  );

  assert.equal(result.status, 0, result.stderr);
  assert.match(
    result.stderr,
    /^warning: the file-state index was not pruned \(.*file too large.*\)\. Runs still use it as it is; delete \.async\/cache\/file-index\.json to rebuild it\.\n$/,
  );
  assert.doesNotMatch(result.stdout, /Dropped/);
  assert.deepEqual(await readFile(indexPath), before);
  assert.deepEqual((await readdir(dirname(indexPath))).filter((name) => name.endsWith(".tmp")), []);
});
