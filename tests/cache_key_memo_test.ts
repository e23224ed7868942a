/** Key memos: warm lookups that reuse the last key of a task with unchanged inputs. */

import assert from "node:assert/strict";
import { rm, symlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sh } from "../core/sh.ts";
import { task } from "../core/task.ts";
import type { Pipeline } from "../core/model.ts";
import { FileStateIndex } from "../node/cache/file_index.ts";
import { keyMemoSlot } from "../node/cache/key_memo.ts";
import { createTaskCache, uncachedFingerprint } from "../node/cache/task_cache.ts";
import { FILE_INDEX_PATH } from "../node/cache/paths.ts";
import type { CacheLookupInput } from "../node/cache_seam.ts";
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
  writeFiles,
} from "./cache_fixture.ts";

/** Runs one task through a fresh cache, as one run of the CLI would, and saves the index. */
async function runOnce(
  pipeline: Pipeline,
  dir: string,
  overrides: Partial<CacheLookupInput> = {},
  now: () => number = settled,
): Promise<Execution> {
  const hooks = cacheFor(pipeline, dir, { now });
  const result = await execute(hooks, lookupInput(pipeline, "build", dir, overrides));
  await hooks.close();
  return result;
}

/** Reads the key memo of the task `build` in `dir`, or undefined. */
async function storedMemo(dir: string): Promise<{ key: string } | undefined> {
  const index = await FileStateIndex.load(join(dir, FILE_INDEX_PATH));
  return index.memo(keyMemoSlot(dir, "build")) as { key: string } | undefined;
}

function buildPipeline(inputs: string[] = ["src/**"]): Pipeline {
  return makePipeline({ build: task({ cache: true, inputs }, sh`true`) });
}

Deno.test("key memo stores the key of a lookup with settled inputs", async () => {
  const dir = await makeProject({ "src/a.ts": "a", "src/b.ts": "b" });
  const pipeline = buildPipeline();
  const first = await runOnce(pipeline, dir);
  assert.equal(first.lookup.status, "miss");
  assert.equal((await storedMemo(dir))?.key, (first.lookup as { key: string }).key);
  const second = await runOnce(pipeline, dir);
  assert.equal(second.lookup.status, "hit");
  assert.equal(second.lookup.fingerprint, first.lookup.fingerprint);
});

Deno.test("key memo is not stored for inputs written within the racy window", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  await runOnce(buildPipeline(), dir, {}, Date.now);
  assert.equal(await storedMemo(dir), undefined);
});

Deno.test("key memo misses an edit that keeps size and mtime", async () => {
  const dir = await makeProject({ "src/a.ts": "one", "src/b.ts": "b" });
  const file = join(dir, "src/a.ts");
  const old = new Date(Date.now() - 60_000);
  await utimes(file, old, old);
  const pipeline = buildPipeline();
  await runOnce(pipeline, dir);
  assert.equal((await runOnce(pipeline, dir)).lookup.status, "hit");
  // Stat facts keep the ctime in whole seconds, and the test clock runs ahead
  // of it: edit in the next second, as a real edit after a real run would.
  await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 10));
  await writeFile(file, "two");
  await utimes(file, old, old);
  const after = await runOnce(pipeline, dir);
  assert.deepEqual(changesOf(after.lookup)?.inputs, {
    added: [],
    removed: [],
    changed: ["src/a.ts"],
  });
});

Deno.test("key memo misses an added input file", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  await backdate(dir);
  const pipeline = buildPipeline();
  await runOnce(pipeline, dir);
  await writeFiles(dir, { "src/new.ts": "new" });
  const after = await runOnce(pipeline, dir);
  assert.deepEqual(changesOf(after.lookup)?.inputs.added, ["src/new.ts"]);
});

Deno.test("key memo misses a changed env value", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const pipeline = buildPipeline();
  await runOnce(pipeline, dir, { env: { MODE: "dev" }, envKeys: ["MODE"] });
  const after = await runOnce(pipeline, dir, { env: { MODE: "prod" }, envKeys: ["MODE"] });
  assert.deepEqual(changesOf(after.lookup)?.env, ["MODE"]);
});

Deno.test("key memo misses a changed dependency fingerprint", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const pipeline = buildPipeline();
  await runOnce(pipeline, dir, { dependencyFingerprints: { dep: "one" } });
  const after = await runOnce(pipeline, dir, { dependencyFingerprints: { dep: "two" } });
  assert.deepEqual(changesOf(after.lookup)?.dependencies, ["dep"]);
});

Deno.test("key memo explains a removed entry as a full lookup would", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const pipeline = buildPipeline();
  await runOnce(pipeline, dir);
  await rm(join(dir, ".async", "cache", "tasks"), { recursive: true });
  const after = await runOnce(pipeline, dir);
  assert.equal(after.lookup.status, "miss");
  assert.deepEqual((after.lookup as { reason: unknown }).reason, { kind: "no-entry" });
});

Deno.test("key memo is not used for a forced lookup", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const pipeline = buildPipeline();
  await runOnce(pipeline, dir);
  const forced = await runOnce(pipeline, dir, { force: true });
  assert.equal(forced.lookup.status, "miss");
  assert.deepEqual((forced.lookup as { reason: unknown }).reason, { kind: "forced" });
});

Deno.test("key memo is not stored for linked inputs", async () => {
  const dir = await makeProject({ "target.txt": "t", "src/a.ts": "a" });
  await symlink(join(dir, "target.txt"), join(dir, "src/link.txt"));
  await runOnce(buildPipeline(), dir);
  assert.equal(await storedMemo(dir), undefined);
});

Deno.test("key memo is not stored for the implicit inputs in a git work tree", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const init = await new Deno.Command("git", { args: ["init", "-q"], cwd: dir }).output();
  assert.equal(init.code, 0);
  await runOnce(makePipeline({ build: task({ cache: true }, sh`true`) }), dir);
  assert.equal(await storedMemo(dir), undefined);
});

Deno.test("key memo is not stored behind an uncached dependency", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const pipeline = buildPipeline();
  const hooks = createTaskCache({ pipeline, rootDir: dir, runId: "run-1", now: settled });
  const fingerprints = { dep: uncachedFingerprint("run-1", "dep") };
  const input = lookupInput(pipeline, "build", dir, { dependencyFingerprints: fingerprints });
  assert.equal((await execute(hooks, input)).lookup.status, "miss");
  await hooks.close();
  assert.equal(await storedMemo(dir), undefined);
});

Deno.test("key memo still catches inputs changed while the task ran", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const pipeline = buildPipeline();
  const hooks = cacheFor(pipeline, dir, { now: settled });
  const input = lookupInput(pipeline, "build", dir);
  const result = await execute(hooks, input, () => writeFiles(dir, { "src/a.ts": "edited" }));
  await hooks.close();
  assert.equal(result.saved?.stored, false);
  assert.match(
    result.saved?.warning ?? "",
    /inputs of task "build" changed while it ran \(src\/a\.ts\)/,
  );
});
