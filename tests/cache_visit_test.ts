/** Walk visits: listing a task's inputs without an entry per path, from a memo or a walk. */

import assert from "node:assert/strict";
import { utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { FileStateIndex, RACY_WINDOW_MS } from "../node/cache/file_index.ts";
import { memoizedWalk, visitWalk } from "../node/cache/walk_memo.ts";
import { makeProject } from "./cache_fixture.ts";

/** Loads an index whose clock runs far enough ahead that files written now count as settled. */
function settledIndex(dir: string): Promise<FileStateIndex> {
  return FileStateIndex.load(join(dir, "index.json"), () => Date.now() + 10 * RACY_WINDOW_MS);
}

/** Sets the access and modification times of `paths` under `dir` one minute into the past. */
async function age(dir: string, ...paths: string[]): Promise<void> {
  const then = new Date(Date.now() - 60_000);
  for (const path of paths) await utimes(join(dir, path), then, then);
}

/** Lists what {@link visitWalk} reports for `patterns`, sorted, and the directories it read. */
async function visited(index: FileStateIndex, dir: string, patterns: string[]) {
  const paths: string[] = [];
  const listed: string[] = [];
  const observer = { directory: (path: string) => listed.push(path), probe() {}, link() {} };
  const absent = await visitWalk(index, dir, patterns, { observer }, (path, kind) => {
    paths.push(`${kind}:${path}`);
  });
  return { paths: paths.sort(), absent, listed };
}

Deno.test("walk visit reads a valid memo without listing", async () => {
  const dir = await makeProject({ "src/lib/a.ts": "a", "src/b.ts": "b" });
  await age(dir, "src", "src/lib");
  const index = await settledIndex(dir);
  const patterns = ["src/**", "none.txt"];
  const observer = { directory() {}, probe() {}, link() {} };
  await memoizedWalk(index, dir, patterns, { observer });
  const memo = await visited(index, dir, patterns);
  assert.deepEqual(memo.listed, []);
  assert.deepEqual(memo.absent, ["none.txt"]);
  assert.deepEqual(memo.paths, [
    "directory:src",
    "directory:src/lib",
    "file:src/b.ts",
    "file:src/lib/a.ts",
  ]);
});

Deno.test("walk visit walks again when the memo is stale", async () => {
  const dir = await makeProject({ "src/lib/a.ts": "a", "src/b.ts": "b" });
  await age(dir, "src", "src/lib");
  const index = await settledIndex(dir);
  const observer = { directory() {}, probe() {}, link() {} };
  await memoizedWalk(index, dir, ["src/**"], { observer });
  await writeFile(join(dir, "src/new.ts"), "new");
  const fresh = await visited(index, dir, ["src/**"]);
  assert.deepEqual(fresh.listed, ["src", "src/lib"]);
  assert.deepEqual(fresh.paths, [
    "directory:src",
    "directory:src/lib",
    "file:src/b.ts",
    "file:src/lib/a.ts",
    "file:src/new.ts",
  ]);
});
