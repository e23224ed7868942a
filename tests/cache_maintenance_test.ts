/** Cache maintenance: clear, gc, and their CLI commands. */

import assert from "node:assert/strict";
import { mkdir, readdir, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { sh } from "../core/sh.ts";
import { task } from "../core/task.ts";
import { defineCache, fileCache } from "../core/cache.ts";
import { clearCache, fileStoreRoots, gc } from "../node/cache/maintenance.ts";
import {
  cacheFor,
  execute,
  lookupInput,
  makePipeline,
  makeProject,
  writeFiles,
} from "./cache_fixture.ts";
import { cliCall } from "./support/cli.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

const pipeline = makePipeline({
  build: task({ inputs: ["src/**"], outputs: ["dist/**"], cache: "file:local" }, sh`build`),
  check: task({ inputs: ["src/**"], cache: "file:local" }, sh`check`),
  quick: task({ inputs: ["src/**"], cache: "memory:local" }, sh`quick`),
});

/** Stores one entry per task and returns their keys by task id. */
async function fillCache(dir: string): Promise<Record<string, string>> {
  const hooks = cacheFor(pipeline, dir);
  const keys: Record<string, string> = {};
  for (const id of ["build", "check", "quick"]) {
    const result = await execute(
      hooks,
      lookupInput(pipeline, id, dir),
      () => writeFiles(dir, { "dist/a.js": "a" }),
    );
    keys[id] = result.lookup.status === "miss" ? result.lookup.key : "";
  }
  await hooks.close();
  return keys;
}

async function writeRun(dir: string, id: string, record: Record<string, unknown> = {}) {
  await mkdir(join(dir, ".async/runs", id), { recursive: true });
  await writeFile(
    join(dir, ".async/runs", id, "execution.json"),
    JSON.stringify({ schemaVersion: 1, id, status: "passed", pid: 1, ...record }),
  );
}

async function cli(dir: string, ...args: string[]) {
  return await cliWithEnv(dir, {}, ...args);
}

function cliWithEnv(dir: string, env: Record<string, string>, ...args: string[]) {
  return cliCall(dir, args, { env });
}

Deno.test("clearCache empties every store", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  await fillCache(dir);
  const cleared = await clearCache(dir);
  assert.equal(cleared.entries, 3);
  assert.ok(cleared.bytes > 0);
  await assert.rejects(stat(join(dir, ".async/cache/tasks")), { code: "ENOENT" });
  const hooks = cacheFor(pipeline, dir);
  for (const id of ["build", "check", "quick"]) {
    const result = await execute(hooks, lookupInput(pipeline, id, dir));
    assert.deepEqual(
      result.lookup.status === "miss" && result.lookup.reason,
      id === "quick" ? { kind: "no-entry", memory: true } : { kind: "no-entry" },
    );
  }
});

Deno.test("clearCache leaves unrelated folders", async () => {
  const dir = await makeProject({ "src/a.ts": "a", "docs/0000/readme.md": "r" });
  const caches = defineCache({ default: "here:local", stores: { here: fileCache({ root: "." }) } });
  const shared = makePipeline({ t: task({ inputs: ["src/**"] }, sh`t`) }, { cache: caches });
  await execute(cacheFor(shared, dir), lookupInput(shared, "t", dir));
  const cleared = await clearCache(dir, fileStoreRoots(dir, shared));
  assert.equal(cleared.entries, 1);
  assert.deepEqual((await readdir(dir)).sort(), [".async", "docs", "src"]);
});

Deno.test("gc keeps newest run records", async () => {
  const dir = await makeProject();
  for (
    const id of [
      "20300101T000000001Z-00000a",
      "20300101T000000002Z-00000b",
      "20300101T000000003Z-00000c",
    ]
  ) {
    await writeRun(dir, id);
  }
  await writeRun(dir, "20300101T000000000Z-00000f", { status: "running", pid: Deno.pid });
  await writeRun(dir, "20300101T000000004Z-00000d");
  const result = await gc(dir, { keep: 2 });
  assert.deepEqual(result.runs.removed, [
    "20300101T000000001Z-00000a",
    "20300101T000000002Z-00000b",
  ]);
  assert.ok(result.runs.bytes > 0);
  assert.deepEqual((await readdir(join(dir, ".async/runs"))).sort(), [
    "20300101T000000000Z-00000f",
    "20300101T000000003Z-00000c",
    "20300101T000000004Z-00000d",
  ]);
});

Deno.test("gc removes dead running records", async () => {
  const dir = await makeProject();
  await writeRun(dir, "20300101T000000000Z-0000de", { status: "running", pid: 2 ** 22 + 12345 });
  await writeRun(dir, "20300101T000000001Z-0000ef");
  const result = await gc(dir, { keep: 1 });
  assert.deepEqual(result.runs.removed, ["20300101T000000000Z-0000de"]);
});

Deno.test("gc prunes entries unused for days", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const keys = await fillCache(dir);
  const now = Date.now();
  const namespace = join(dir, ".async/cache/tasks/local");
  const old = new Date(now - 8 * DAY_MS);
  await utimes(join(namespace, keys.build), old, old);
  await mkdir(join(namespace, ".tmp/crashed-writer"), { recursive: true });
  await utimes(join(namespace, ".tmp/crashed-writer"), old, old);
  await mkdir(join(namespace, ".tmp/live-writer"), { recursive: true });

  const result = await gc(dir, { keep: 10, cacheDays: 7, now: () => now });
  assert.equal(result.cache.removed, 1);
  assert.ok(result.cache.bytes > 0);
  assert.deepEqual((await readdir(namespace)).sort(), [".latest", ".tmp", keys.check]);
  assert.deepEqual(await readdir(join(namespace, ".tmp")), ["live-writer"]);
  assert.equal((await readdir(join(namespace, ".latest"))).length, 1);

  const hooks = cacheFor(pipeline, dir);
  const rebuilt = await execute(hooks, lookupInput(pipeline, "build", dir));
  assert.deepEqual(rebuilt.lookup.status === "miss" && rebuilt.lookup.reason, {
    kind: "no-entry",
  });
  assert.equal((await execute(hooks, lookupInput(pipeline, "check", dir))).ran, false);
});

Deno.test("gc keeps recently used entries", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const keys = await fillCache(dir);
  const namespace = join(dir, ".async/cache/tasks/local");
  const old = new Date(Date.now() - 30 * DAY_MS);
  await utimes(join(namespace, keys.check), old, old);
  assert.equal(
    (await execute(cacheFor(pipeline, dir), lookupInput(pipeline, "check", dir))).ran,
    false,
  );
  const result = await gc(dir, { cacheDays: 7 });
  assert.equal(result.cache.removed, 0);
});

Deno.test("cache clear command reports entries", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  await fillCache(dir);
  const result = await cli(dir, "cache", "clear");
  assert.equal(result.code, 0);
  // Two file entries, and the memory entry kept in this process because the CLI runs in-process.
  assert.match(result.stdout, /^Removed 3 cache entries, freeing \d+(\.\d)? (bytes|KiB)\.\n$/);
  assert.equal(result.stderr, "");
  const again = await cli(dir, "cache", "clear");
  assert.equal(again.stdout, "Removed 0 cache entries, freeing 0 bytes.\n");
});

Deno.test("cache clear reads pipeline stores", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const mod = pathToFileURL(join(Deno.cwd(), "mod.ts")).href;
  await writeFile(
    join(dir, "pipeline.ts"),
    `import { defineCache, definePipeline, fileCache, sh, task } from ${JSON.stringify(mod)};
export default definePipeline({
  name: "app",
  cache: defineCache({ default: "disk:main", stores: { disk: fileCache({ root: "build-cache" }) } }),
  tasks: { t: task({ inputs: ["src/**"] }, sh\`true\`) },
});
`,
  );
  const caches = defineCache({
    default: "disk:main",
    stores: { disk: fileCache({ root: "build-cache" }) },
  });
  const same = makePipeline({ t: task({ inputs: ["src/**"] }, sh`true`) }, { cache: caches });
  await execute(cacheFor(same, dir), lookupInput(same, "t", dir));
  const result = await cli(dir, "cache", "clear");
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^Removed 1 cache entry, /);
  await assert.rejects(stat(join(dir, "build-cache")), { code: "ENOENT" });
});

Deno.test("gc command prunes runs", async () => {
  const dir = await makeProject();
  await writeRun(dir, "20300101T000000001Z-00000a");
  await writeRun(dir, "20300101T000000002Z-00000b");
  const result = await cli(dir, "gc", "--keep", "1", "--cache-days", "0");
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    /^Removed 1 run record \(\d+ bytes\) and 0 cache entries \(0 bytes\)\.\n$/,
  );
  assert.deepEqual(await readdir(join(dir, ".async/runs")), ["20300101T000000002Z-00000b"]);
});

Deno.test("gc command rejects a negative keep", async () => {
  const dir = await makeProject();
  const result = await cli(dir, "gc", "--keep=-1");
  assert.equal(result.code, 1);
  assert.equal(result.stdout, "");
  assert.match(
    result.stderr,
    /^error\[ASYNC_PIPELINE_USAGE\]: gc: --keep must be a non-negative integer, got "-1"\./,
  );
});

Deno.test("gc ignores foreign run folders", async () => {
  const dir = await makeProject();
  await mkdir(join(dir, ".async/runs/notes"), { recursive: true });
  await writeRun(dir, "20300101T000000001Z-00000a");
  const result = await gc(dir, { keep: 0 });
  assert.deepEqual(result.runs.removed, ["20300101T000000001Z-00000a"]);
  assert.deepEqual(await readdir(join(dir, ".async/runs")), ["notes"]);
});

Deno.test("gc command keeps runs when env disables pruning", async () => {
  const dir = await makeProject();
  await writeRun(dir, "20300101T000000001Z-00000a");
  await writeRun(dir, "20300101T000000002Z-00000b");
  const disabled = await cliWithEnv(dir, { ASYNC_PIPELINE_KEEP_RUNS: "0" }, "gc");
  assert.equal(disabled.code, 0, disabled.stderr);
  assert.equal((await readdir(join(dir, ".async/runs"))).length, 2);
  const one = await cliWithEnv(dir, { ASYNC_PIPELINE_KEEP_RUNS: "1" }, "gc");
  assert.equal(one.code, 0, one.stderr);
  assert.deepEqual(await readdir(join(dir, ".async/runs")), ["20300101T000000002Z-00000b"]);
});

/** Returns a signal that reads as aborted from its `after + 1`-th check on. */
function abortsAfter(after: number): AbortSignal {
  let checks = 0;
  return {
    get aborted() {
      return ++checks > after;
    },
  } as AbortSignal;
}

Deno.test("gc stops between run records once aborted", async () => {
  const dir = await makeProject();
  const ids = [1, 2, 3, 4, 5].map((n) => `20300101T00000000${n}Z-00000${n}`);
  for (const id of ids) await writeRun(dir, id);
  const result = await gc(dir, { keep: 0, signal: abortsAfter(2) });
  assert.equal(result.interrupted, true);
  assert.equal(result.runs.removed.length, 2);
  assert.equal((await readdir(join(dir, ".async/runs"))).length, 3);
});

Deno.test("gc stops between cache entries once aborted", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  await fillCache(dir);
  const namespace = join(dir, ".async/cache/tasks/local");
  const result = await gc(dir, { keep: 10, cacheDays: 0, signal: abortsAfter(1) });
  assert.equal(result.interrupted, true);
  assert.equal(result.cache.removed, 1);
  const left = (await readdir(namespace)).filter((name) => /^[0-9a-f]{64}$/.test(name));
  assert.equal(left.length, 1);
  const entry = await readdir(join(namespace, left[0]));
  assert.ok(entry.includes("result.json"), "the entry left behind is whole");
});

Deno.test("clearCache removes nothing once aborted", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const keys = await fillCache(dir);
  const controller = new AbortController();
  controller.abort();
  const cleared = await clearCache(dir, undefined, controller.signal);
  assert.equal(cleared.interrupted, true);
  const namespace = join(dir, ".async/cache/tasks/local");
  assert.ok((await readdir(namespace)).includes(keys.build));
});

Deno.test("gc command reports an interrupt", async () => {
  const dir = await makeProject();
  await writeRun(dir, "20300101T000000001Z-00000a");
  const controller = new AbortController();
  controller.abort();
  const { code, stdout, stderr } = await cliCall(dir, ["gc", "--keep", "0"], {
    signal: controller.signal,
  });
  assert.equal(code, 1);
  assert.equal(stdout, "");
  assert.match(
    stderr,
    /^error\[ASYNC_PIPELINE_INTERRUPTED\]: gc was interrupted after removing 0 run records/,
  );
  assert.match(stderr, /Run `async-pipeline gc --keep 0` again to finish/);
  assert.equal((await readdir(join(dir, ".async/runs"))).length, 1);
});

/** Returns a pipeline with an extra file store under `build-cache` and an unknown task field. */
function brokenPipelineWithStore(): string {
  const mod = pathToFileURL(join(Deno.cwd(), "mod.ts")).href;
  return `import { defineCache, definePipeline, fileCache, sh, task } from ${JSON.stringify(mod)};
export default definePipeline({
  name: "app",
  cache: defineCache({ default: "disk:main", stores: { disk: fileCache({ root: "build-cache" }) } }),
  tasks: { t: task({ inputs: ["src/**"], timout: "1s" }, sh\`true\`) },
});
`;
}

/** Stores one entry in the `build-cache` file store. */
async function fillBuildCache(dir: string): Promise<void> {
  const caches = defineCache({
    default: "disk:main",
    stores: { disk: fileCache({ root: "build-cache" }) },
  });
  const same = makePipeline({ t: task({ inputs: ["src/**"] }, sh`true`) }, { cache: caches });
  await execute(cacheFor(same, dir), lookupInput(same, "t", dir));
}

Deno.test("cache clear falls back when the pipeline fails", async () => {
  const dir = await makeProject({ "src/a.ts": "a", "pipeline.ts": brokenPipelineWithStore() });
  await fillCache(dir);
  await fillBuildCache(dir);
  const result = await cli(dir, "cache", "clear");
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^Removed \d+ cache entries, /);
  await assert.rejects(stat(join(dir, ".async/cache/tasks")), { code: "ENOENT" });
  assert.equal((await readdir(join(dir, "build-cache"))).length > 0, true);
  assert.match(
    result.stderr,
    /^warning: pipeline\.ts did not load \(error\[ASYNC_PIPELINE_UNKNOWN_FIELD\]: tasks\.t\.timout: /,
  );
  assert.match(
    result.stderr,
    /cache clear cleans only the built-in store \.async\/cache\/tasks; other file stores that the pipeline declares are not cleaned\.\n/,
  );
});

Deno.test("cache clear names a pipeline import failure", async () => {
  const dir = await makeProject({ "pipeline.ts": `throw new Error("broken");\n` });
  const result = await cli(dir, "cache", "clear");
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stderr,
    /^warning: pipeline\.ts did not load \(error\[ASYNC_PIPELINE_CONFIG_LOAD_FAILED\]: Failed to load .*broken\)/,
  );
  assert.equal(result.stdout, "Removed 0 cache entries, freeing 0 bytes.\n");
});

Deno.test("gc falls back when the pipeline fails", async () => {
  const dir = await makeProject({ "src/a.ts": "a", "pipeline.ts": brokenPipelineWithStore() });
  await writeRun(dir, "20300101T000000001Z-00000a");
  await writeRun(dir, "20300101T000000002Z-00000b");
  const result = await cli(dir, "gc", "--keep", "1", "--cache-days", "0");
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^Removed 1 run record /);
  assert.deepEqual(await readdir(join(dir, ".async/runs")), ["20300101T000000002Z-00000b"]);
  assert.match(
    result.stderr,
    /gc cleans only the built-in store \.async\/cache\/tasks and the run records; /,
  );
});

Deno.test("cache clear rejects a missing --config", async () => {
  const dir = await makeProject();
  const result = await cli(dir, "cache", "clear", "--config", "missing.ts");
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^error\[ASYNC_PIPELINE_CONFIG_NOT_FOUND\]: Pipeline file not found/);
});
