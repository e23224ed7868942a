/** One contract suite run against every built-in store: file and memory. */

import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { sh } from "../core/sh.ts";
import { task } from "../core/task.ts";
import type { TaskConfig } from "../core/types.ts";
import {
  cacheFor,
  execute,
  lookupInput,
  makePipeline,
  makeProject,
  readText,
  writeFiles,
} from "./cache_fixture.ts";

const STORES = [
  { name: "file", ref: "file:local" },
  { name: "memory", ref: "memory:local" },
] as const;

function buildTask(ref: string, extra: Partial<TaskConfig> = {}) {
  return task({ inputs: ["src/**"], outputs: ["dist/**"], cache: ref, ...extra }, sh`build`);
}

const writeDist = (dir: string, text = "out") => () => writeFiles(dir, { "dist/out.js": text });

for (const store of STORES) {
  Deno.test(`${store.name} store first run misses`, async () => {
    const dir = await makeProject({ "src/a.ts": "a" });
    const pipeline = makePipeline({ build: buildTask(store.ref) });
    const input = lookupInput(pipeline, "build", dir);
    const result = await execute(cacheFor(pipeline, dir), input, writeDist(dir));
    assert.equal(result.lookup.status, "miss");
    assert.deepEqual(
      result.lookup.status === "miss" && result.lookup.reason,
      store.name === "memory" ? { kind: "no-entry", memory: true } : { kind: "no-entry" },
    );
    assert.deepEqual(result.saved, { stored: true });
  });

  Deno.test(`${store.name} store hit replays logs`, async () => {
    const dir = await makeProject({ "src/a.ts": "a" });
    const pipeline = makePipeline({ build: buildTask(store.ref) });
    const hooks = cacheFor(pipeline, dir);
    const input = lookupInput(pipeline, "build", dir);
    await execute(hooks, input, writeDist(dir), {
      stdout: "built\n",
      stderr: "note\n",
      meta: { files: 1 },
    });
    const second = await execute(hooks, input, () => Promise.reject(new Error("must not run")));
    assert.equal(second.ran, false);
    assert.equal(second.lookup.status, "hit");
    if (second.lookup.status !== "hit") return;
    assert.equal(second.lookup.stdout, "built\n");
    assert.equal(second.lookup.stderr, "note\n");
    assert.deepEqual(second.lookup.meta, { files: 1 });
    assert.equal(second.lookup.fingerprint, second.lookup.key);
  });

  Deno.test(`${store.name} store explains an edited input`, async () => {
    const dir = await makeProject({ "src/a.ts": "a", "src/b.ts": "b", "src/c.ts": "c" });
    const pipeline = makePipeline({ build: buildTask(store.ref) });
    const hooks = cacheFor(pipeline, dir);
    await execute(hooks, lookupInput(pipeline, "build", dir), writeDist(dir));
    await writeFiles(dir, { "src/a.ts": "A", "src/d.ts": "d" });
    await rm(join(dir, "src/c.ts"));
    const result = await execute(hooks, lookupInput(pipeline, "build", dir), writeDist(dir));
    assert.equal(result.ran, true);
    assert.deepEqual(result.lookup.status === "miss" && result.lookup.reason, {
      kind: "changed",
      inputs: { added: ["src/d.ts"], removed: ["src/c.ts"], changed: ["src/a.ts"] },
      env: [],
      dependencies: [],
      command: false,
      definition: false,
    });
  });

  Deno.test(`${store.name} store explains env dependency command`, async () => {
    const dir = await makeProject({ "src/a.ts": "a" });
    const pipeline = makePipeline({ build: buildTask(store.ref) });
    const hooks = cacheFor(pipeline, dir);
    const base = {
      env: { MODE: "dev", TOKEN: "s3cret" },
      envKeys: ["MODE", "TOKEN"],
      secretValues: ["s3cret"],
      dependencyFingerprints: { lint: "f1" },
    };
    await execute(hooks, lookupInput(pipeline, "build", dir, base), writeDist(dir));
    const changed = await execute(
      hooks,
      lookupInput(pipeline, "build", dir, {
        ...base,
        env: { MODE: "prod", TOKEN: "other" },
        dependencyFingerprints: { lint: "f2" },
        stepTexts: ["build --prod"],
      }),
      writeDist(dir),
    );
    assert.deepEqual(changed.lookup.status === "miss" && changed.lookup.reason, {
      kind: "changed",
      inputs: { added: [], removed: [], changed: [] },
      env: ["MODE", "TOKEN"],
      dependencies: ["lint"],
      command: true,
      definition: false,
    });
  });

  Deno.test(`${store.name} store force refreshes the entry`, async () => {
    const dir = await makeProject({ "src/a.ts": "a" });
    const pipeline = makePipeline({ build: buildTask(store.ref) });
    const hooks = cacheFor(pipeline, dir);
    const input = lookupInput(pipeline, "build", dir);
    await execute(hooks, input, writeDist(dir), { stdout: "first" });
    const forced = await execute(hooks, { ...input, force: true }, writeDist(dir), {
      stdout: "second",
    });
    assert.equal(forced.ran, true);
    assert.deepEqual(forced.lookup.status === "miss" && forced.lookup.reason, { kind: "forced" });
    assert.deepEqual(forced.saved, { stored: true });
    const after = await execute(hooks, input);
    assert.equal(after.lookup.status === "hit" && after.lookup.stdout, "second");
  });

  Deno.test(`${store.name} store force option ignores entries`, async () => {
    const dir = await makeProject({ "src/a.ts": "a" });
    const pipeline = makePipeline({ build: buildTask(store.ref) });
    const input = lookupInput(pipeline, "build", dir);
    await execute(cacheFor(pipeline, dir), input, writeDist(dir));
    const forced = await execute(cacheFor(pipeline, dir, { force: true }), input, writeDist(dir));
    assert.deepEqual(forced.lookup.status === "miss" && forced.lookup.reason, { kind: "forced" });
  });

  Deno.test(`${store.name} store expires entries after ttl`, async () => {
    const dir = await makeProject({ "src/a.ts": "a" });
    const pipeline = makePipeline({
      build: buildTask(store.ref, { cache: { store: store.ref, ttlMs: 60_000 } }),
    });
    let clock = Date.parse("2030-01-01T00:00:00Z");
    const hooks = cacheFor(pipeline, dir, { now: () => clock });
    const input = lookupInput(pipeline, "build", dir);
    await execute(hooks, input, writeDist(dir));
    clock += 59_999;
    assert.equal((await execute(hooks, input)).lookup.status, "hit");
    clock += 1;
    const expired = await execute(hooks, input, writeDist(dir));
    assert.equal(expired.ran, true);
    assert.deepEqual(expired.lookup.status === "miss" && expired.lookup.reason, {
      kind: "expired",
      createdAt: "2030-01-01T00:00:00.000Z",
      ageMs: 60_000,
      ttlMs: 60_000,
    });
    assert.deepEqual(expired.saved, { stored: true });
    assert.equal((await execute(hooks, input)).lookup.status, "hit");
  });

  Deno.test(`${store.name} store skips inputs changed mid-run`, async () => {
    const dir = await makeProject({ "src/a.ts": "a" });
    const pipeline = makePipeline({ build: buildTask(store.ref) });
    const hooks = cacheFor(pipeline, dir);
    const input = lookupInput(pipeline, "build", dir);
    const result = await execute(hooks, input, async () => {
      await writeFiles(dir, { "src/a.ts": "edited while running", "dist/out.js": "x" });
    });
    assert.equal(result.saved?.stored, false);
    assert.equal(
      result.saved?.warning,
      'inputs of task "build" changed while it ran (src/a.ts), so its result was not cached.',
    );
    const next = await execute(hooks, input, writeDist(dir));
    assert.equal(next.ran, true);
    assert.deepEqual(
      next.lookup.status === "miss" && next.lookup.reason,
      store.name === "memory" ? { kind: "no-entry", memory: true } : { kind: "no-entry" },
    );
  });

  Deno.test(`${store.name} store keeps namespaces apart`, async () => {
    const dir = await makeProject({ "src/a.ts": "a" });
    const other = store.ref.replace(":local", ":ci");
    const first = makePipeline({ build: buildTask(store.ref) });
    const second = makePipeline({ build: buildTask(other) });
    await execute(cacheFor(first, dir), lookupInput(first, "build", dir), writeDist(dir));
    const result = await execute(cacheFor(second, dir), lookupInput(second, "build", dir));
    assert.equal(result.ran, true);
  });

  Deno.test(`${store.name} store restores or checks outputs`, async () => {
    const dir = await makeProject({ "src/a.ts": "a" });
    const pipeline = makePipeline({ build: buildTask(store.ref) });
    const hooks = cacheFor(pipeline, dir);
    const input = lookupInput(pipeline, "build", dir);
    await execute(hooks, input, writeDist(dir, "built"));
    assert.equal((await execute(hooks, input)).lookup.status, "hit");
    await rm(join(dir, "dist"), { recursive: true });
    const afterDelete = await execute(hooks, input, writeDist(dir, "rebuilt"));
    if (store.name === "file") {
      assert.equal(afterDelete.ran, false);
      assert.equal(await readText(dir, "dist/out.js"), "built");
    } else {
      assert.equal(afterDelete.ran, true);
      assert.deepEqual(afterDelete.lookup.status === "miss" && afterDelete.lookup.reason, {
        kind: "restore-failed",
        reason: "the output dist is missing or changed since the entry was recorded",
      });
      assert.equal(await readText(dir, "dist/out.js"), "rebuilt");
    }
  });

  Deno.test(`${store.name} store never stores secret values`, async () => {
    const dir = await makeProject({ "src/a.ts": "a" });
    const pipeline = makePipeline({ build: buildTask(store.ref) });
    const hooks = cacheFor(pipeline, dir);
    const input = lookupInput(pipeline, "build", dir, {
      env: { TOKEN: "hunter2-secret" },
      envKeys: ["TOKEN"],
      secretValues: ["hunter2-secret"],
    });
    await execute(hooks, input, writeDist(dir), {
      stdout: "token is hunter2-secret\n",
      meta: { echoed: "hunter2-secret" },
    });
    const hit = await execute(hooks, input);
    assert.equal(hit.lookup.status === "hit" && hit.lookup.stdout, "token is ***\n");
    assert.deepEqual(hit.lookup.status === "hit" && hit.lookup.meta, { echoed: "***" });
  });
}

Deno.test("disabled cache reports uncacheable", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const pipeline = makePipeline({ build: buildTask("file:local", { cache: false }) });
  const hooks = cacheFor(pipeline, dir);
  const first = await execute(hooks, lookupInput(pipeline, "build", dir));
  const second = await execute(hooks, lookupInput(pipeline, "build", dir));
  assert.equal(first.lookup.status, "disabled");
  assert.deepEqual(first.lookup.status === "disabled" && first.lookup.reason, {
    kind: "uncacheable",
  });
  assert.equal(second.ran, true);
  assert.equal(first.lookup.fingerprint, second.lookup.fingerprint);
  const otherRun = await cacheFor(pipeline, dir).lookup(lookupInput(pipeline, "build", dir));
  assert.notEqual(otherRun.fingerprint, first.lookup.fingerprint);
});
