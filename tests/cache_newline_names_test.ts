/** Input files whose names contain a newline, which POSIX allows. */

import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sh } from "../core/sh.ts";
import { task } from "../core/task.ts";
import type { Pipeline } from "../core/model.ts";
import { FileStateIndex } from "../node/cache/file_index.ts";
import { inputFactsDigest } from "../node/cache/key_memo.ts";
import { StatedFiles } from "../node/cache/stated.ts";
import { memoizedWalk } from "../node/cache/walk_memo.ts";
import {
  backdate,
  cacheFor,
  changesOf,
  execute,
  type Execution,
  lookupInput,
  makePipeline,
  makeProject,
  settled,
} from "./cache_fixture.ts";

const NAME = "nl/a\nb";

/** Runs `build` through a fresh cache, as one CLI run would, and saves the index. */
async function runOnce(pipeline: Pipeline, dir: string): Promise<Execution> {
  const hooks = cacheFor(pipeline, dir, { now: settled });
  const result = await execute(hooks, lookupInput(pipeline, "build", dir));
  await hooks.close();
  return result;
}

Deno.test("an input named with a newline misses the cache after each edit", async () => {
  const dir = await makeProject({ [NAME]: "v1\n", "nl/plain": "plain\n" });
  const pipeline = makePipeline({ build: task({ cache: true, inputs: ["nl/**"] }, sh`cat nl/*`) });
  await backdate(dir);
  await runOnce(pipeline, dir);
  for (const text of ["v2\n", "v3\n"]) {
    await writeFile(join(dir, NAME), text);
    await backdate(dir);
    const run = await runOnce(pipeline, dir);
    assert.deepEqual(changesOf(run.lookup)?.inputs, { added: [], removed: [], changed: [NAME] });
  }
});

Deno.test("a walk that selects a name with a newline is listed but not memoized", async () => {
  const dir = await makeProject({ [NAME]: "x", "nl/plain": "y" });
  await backdate(dir);
  const index = await FileStateIndex.load(join(dir, "index.json"), settled);
  await memoizedWalk(index, dir, ["nl/**"]);
  const again = await memoizedWalk(index, dir, ["nl/**"]);
  assert.deepEqual(
    { memoized: again.memoized, paths: again.entries.map((entry) => entry.path) },
    { memoized: false, paths: ["nl", NAME, "nl/plain"] },
  );
});

Deno.test("key memo facts digest tells a name with a newline from two names", () => {
  const facts = { kind: "file" as const, size: 1, mtimeMs: 0, ctimeMs: 0, ino: 1, mode: 0o644 };
  const digest = (absent: string[]) => {
    const files = new StatedFiles("/project", 1);
    files.add("x", facts);
    return inputFactsDigest({
      walked: { absent, unmatched: [], memoized: true },
      files,
      at: 60_000,
    });
  };
  assert.notEqual(digest(["a\nb"]), digest(["a", "b"]));
});
