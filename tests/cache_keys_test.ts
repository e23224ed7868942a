/** Cache keys across a task graph: dependency fingerprints, definitions and stores. */

import assert from "node:assert/strict";
import { sh } from "../core/sh.ts";
import { task } from "../core/task.ts";
import { defineCache, fileCache, redisCache } from "../core/cache.ts";
import type { Pipeline } from "../core/model.ts";
import type { TaskCacheHooks } from "../node/cache_seam.ts";
import type { CacheMissReason } from "../node/types.ts";
import {
  cacheFor,
  changesOf,
  execute,
  lookupInput,
  makePipeline,
  makeProject,
  writeFiles,
} from "./cache_fixture.ts";

/** Runs every task in order, feeding each its direct dependencies' fingerprints. */
async function runGraph(
  hooks: TaskCacheHooks,
  pipeline: Pipeline,
  dir: string,
  order: string[],
): Promise<Record<string, { ran: boolean; reason?: CacheMissReason }>> {
  const fingerprints: Record<string, string> = {};
  const outcome: Record<string, { ran: boolean; reason?: CacheMissReason }> = {};
  for (const id of order) {
    const dependencyFingerprints = Object.fromEntries(
      pipeline.tasks[id].dependsOn.map((dependency) => [dependency, fingerprints[dependency]]),
    );
    const result = await execute(
      hooks,
      lookupInput(pipeline, id, dir, { dependencyFingerprints }),
    );
    fingerprints[id] = result.lookup.fingerprint;
    outcome[id] = {
      ran: result.ran,
      ...(result.lookup.status !== "hit" ? { reason: result.lookup.reason } : {}),
    };
  }
  return outcome;
}

const graph = () =>
  makePipeline({
    a: task({ inputs: ["a/**"], cache: true }, sh`a`),
    b: task({ inputs: ["b/**"], dependsOn: ["a"], cache: true }, sh`b`),
    c: task({ inputs: ["c/**"], cache: true }, sh`c`),
    d: task({ inputs: ["d/**"], dependsOn: ["c"], cache: true }, sh`d`),
    e: task({ inputs: ["e/**"], dependsOn: ["b"], cache: true }, sh`e`),
  });

const ORDER = ["a", "b", "c", "d", "e"];

Deno.test("dependency change invalidates dependents only", async () => {
  const dir = await makeProject({ "a/x": "1", "b/x": "1", "c/x": "1", "d/x": "1", "e/x": "1" });
  const pipeline = graph();
  const hooks = cacheFor(pipeline, dir);
  await runGraph(hooks, pipeline, dir, ORDER);
  const warm = await runGraph(hooks, pipeline, dir, ORDER);
  assert.deepEqual(Object.values(warm).map((task) => task.ran), [
    false,
    false,
    false,
    false,
    false,
  ]);

  await writeFiles(dir, { "a/x": "2" });
  const after = await runGraph(hooks, pipeline, dir, ORDER);
  assert.equal(after.a.ran, true);
  assert.equal(after.b.ran, true);
  assert.equal(after.e.ran, true);
  assert.equal(after.c.ran, false);
  assert.equal(after.d.ran, false);
  assert.deepEqual(after.b.reason, {
    kind: "changed",
    inputs: { added: [], removed: [], changed: [] },
    env: [],
    dependencies: ["a"],
    command: false,
    definition: false,
  });
  assert.deepEqual((after.a.reason as { inputs: unknown }).inputs, {
    added: [],
    removed: [],
    changed: ["a/x"],
  });
});

Deno.test("dependent of uncached task always reruns", async () => {
  const dir = await makeProject({ "a/x": "1", "b/x": "1" });
  const pipeline = makePipeline({
    a: task({ cache: false }, sh`a`),
    b: task({ inputs: ["b/**"], dependsOn: ["a"], cache: true }, sh`b`),
  });
  await runGraph(cacheFor(pipeline, dir), pipeline, dir, ["a", "b"]);
  const second = await runGraph(cacheFor(pipeline, dir), pipeline, dir, ["a", "b"]);
  assert.equal(second.b.ran, true);
  assert.deepEqual((second.b.reason as { dependencies: unknown }).dependencies, ["a"]);
});

Deno.test("changed outputs patterns change definition", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const before = makePipeline({ t: task({ inputs: ["src/**"], outputs: ["dist/**"] }, sh`t`) }, {
    cache: "file:local",
  });
  const after = makePipeline({ t: task({ inputs: ["src/**"], outputs: ["out/**"] }, sh`t`) }, {
    cache: "file:local",
  });
  await execute(cacheFor(before, dir), lookupInput(before, "t", dir));
  const result = await execute(cacheFor(after, dir), lookupInput(after, "t", dir));
  assert.equal(result.ran, true);
  assert.equal(
    changesOf(result.lookup)?.definition,
    true,
  );
  assert.equal(changesOf(result.lookup)?.command, false);
});

Deno.test("function source enters the key", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const first = makePipeline({
    t: task({ inputs: ["src/**"], cache: true, run: (ctx) => Promise.resolve(ctx.log("one")) }),
  });
  const second = makePipeline({
    t: task({ inputs: ["src/**"], cache: true, run: (ctx) => Promise.resolve(ctx.log("two")) }),
  });
  await execute(cacheFor(first, dir), lookupInput(first, "t", dir));
  const result = await execute(cacheFor(second, dir), lookupInput(second, "t", dir));
  assert.equal(result.ran, true);
  assert.equal(changesOf(result.lookup)?.command, true);
  assert.equal(changesOf(result.lookup)?.definition, false);
});

Deno.test("env outside envKeys stays out of key", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const pipeline = makePipeline({ t: task({ inputs: ["src/**"], cache: true }, sh`t`) });
  const hooks = cacheFor(pipeline, dir);
  await execute(hooks, lookupInput(pipeline, "t", dir, { env: { HOME: "/a" }, envKeys: [] }));
  const result = await execute(
    hooks,
    lookupInput(pipeline, "t", dir, { env: { HOME: "/b" }, envKeys: [] }),
  );
  assert.equal(result.ran, false);
});

Deno.test("unset env key differs from empty", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const pipeline = makePipeline({ t: task({ inputs: ["src/**"], cache: true }, sh`t`) });
  const hooks = cacheFor(pipeline, dir);
  await execute(hooks, lookupInput(pipeline, "t", dir, { env: {}, envKeys: ["MODE"] }));
  const result = await execute(
    hooks,
    lookupInput(pipeline, "t", dir, { env: { MODE: "" }, envKeys: ["MODE"] }),
  );
  assert.equal(result.ran, true);
  assert.deepEqual(changesOf(result.lookup)?.env, ["MODE"]);
});

Deno.test("redis store runs uncached with one warning", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const caches = defineCache({
    default: "file:local",
    stores: { file: fileCache(), shared: redisCache({ url: { env: "REDIS_URL" } }) },
  });
  const pipeline = makePipeline({
    a: task({ inputs: ["src/**"], cache: "shared:main" }, sh`a`),
    b: task({ inputs: ["src/**"], cache: "shared:main" }, sh`b`),
    c: task({ inputs: ["src/**"] }, sh`c`),
  }, { cache: caches });
  const hooks = cacheFor(pipeline, dir);
  const a = await execute(hooks, lookupInput(pipeline, "a", dir));
  const b = await execute(hooks, lookupInput(pipeline, "b", dir));
  const again = await execute(hooks, lookupInput(pipeline, "a", dir));
  assert.equal(a.lookup.status, "disabled");
  assert.deepEqual(a.lookup.status === "disabled" && a.lookup.reason, {
    kind: "uncacheable",
    store: "shared",
  });
  assert.equal(
    a.lookup.status === "disabled" && a.lookup.warning,
    'cache store "shared" (redis) is declared but not built in, so tasks using it run uncached.',
  );
  assert.equal(b.lookup.status === "disabled" && b.lookup.warning, undefined);
  assert.equal(again.ran, true);
  await execute(hooks, lookupInput(pipeline, "c", dir));
  assert.equal((await execute(hooks, lookupInput(pipeline, "c", dir))).ran, false);
});

Deno.test("custom file store root is used", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const caches = defineCache({
    default: "disk:main",
    stores: { disk: fileCache({ root: "cache-dir" }) },
  });
  const pipeline = makePipeline({ t: task({ inputs: ["src/**"] }, sh`t`) }, { cache: caches });
  const result = await execute(cacheFor(pipeline, dir), lookupInput(pipeline, "t", dir));
  assert.equal(result.lookup.status, "miss");
  const key = result.lookup.status === "miss" ? result.lookup.key : "";
  const stat = await Deno.stat(`${dir}/cache-dir/main/${key}/result.json`);
  assert.equal(stat.isFile, true);
});
