/** File store entries on disk: layout, manifest, atomic commits and concurrent writers. */

import assert from "node:assert/strict";
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { sh } from "../core/sh.ts";
import { task } from "../core/task.ts";
import { defineCache, fileCache, memoryCache } from "../core/cache.ts";
import { sha256 } from "../node/cache/digest.ts";
import {
  cacheFor,
  execute,
  lookupInput,
  makePipeline,
  makeProject,
  writeFiles,
} from "./cache_fixture.ts";

const pipeline = makePipeline({
  build: task({ inputs: ["src/**"], outputs: ["dist/**"], cache: "file:local" }, sh`build`),
  check: task({ inputs: ["src/**"], cache: "file:local" }, sh`check`),
});

async function listTree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

Deno.test("entry layout on disk", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const input = lookupInput(pipeline, "build", dir, {
    env: { MODE: "dev", TOKEN: "tok-123" },
    envKeys: ["MODE", "TOKEN"],
    secretValues: ["tok-123"],
    dependencyFingerprints: { lint: "f".repeat(64) },
  });
  const result = await execute(
    cacheFor(pipeline, dir),
    input,
    () => writeFiles(dir, { "dist/a.js": "same", "dist/b.js": "same" }),
    { stdout: "ok\n" },
  );
  const key = result.lookup.status === "miss" ? result.lookup.key : "";
  const entry = join(dir, ".async/cache/tasks/local", key);
  assert.deepEqual(await listTree(entry), [
    "files",
    `files/${sha256("same")}`,
    "manifest.json",
    "outputs.json",
    "result.json",
  ]);

  const stored = JSON.parse(await readFile(join(entry, "result.json"), "utf8"));
  assert.equal(stored.schemaVersion, 1);
  assert.equal(stored.key, key);
  assert.equal(stored.taskId, "build");
  assert.equal(stored.stdout, "ok\n");
  assert.equal(stored.manifest, undefined);
  const manifestText = await readFile(join(entry, "manifest.json"), "utf8");
  assert.equal(stored.manifestDigest, sha256(manifestText));
  const manifest = JSON.parse(manifestText);
  assert.deepEqual(Object.keys(manifest.inputs), ["src/a.ts"]);
  assert.equal(manifest.inputs["src/a.ts"], sha256("a"));
  assert.deepEqual(Object.keys(manifest.env), ["MODE", "TOKEN"]);
  assert.match(manifest.env.TOKEN, /^hmac-[0-9a-f]{64}$/);
  assert.deepEqual(manifest.dependencies, { lint: "f".repeat(64) });
  assert.match(manifest.command, /^[0-9a-f]{64}$/);

  const outputs = JSON.parse(await readFile(join(entry, "outputs.json"), "utf8"));
  assert.deepEqual(outputs, {
    schemaVersion: 1,
    patterns: ["dist/**"],
    entries: [
      { path: "dist", kind: "directory", mode: outputs.entries[0].mode },
      { path: "dist/a.js", kind: "file", mode: 0o644, size: 4, digest: sha256("same") },
      { path: "dist/b.js", kind: "file", mode: 0o644, size: 4, digest: sha256("same") },
    ],
  });
});

Deno.test("secret values never reach the store", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const secret = "very-secret-value-42";
  const input = lookupInput(pipeline, "build", dir, {
    env: { TOKEN: secret, URL: `https://user:${secret}@example.test` },
    envKeys: ["TOKEN", "URL"],
    secretValues: [secret],
  });
  await execute(
    cacheFor(pipeline, dir),
    input,
    () => writeFiles(dir, { "dist/a.js": "a" }),
    { stdout: `using ${secret}`, stderr: secret, meta: { token: secret, nested: [secret] } },
  );
  const cacheDir = join(dir, ".async/cache");
  for (const path of await listTree(cacheDir)) {
    const full = join(cacheDir, path);
    if ((await Deno.stat(full)).isFile) {
      assert.equal((await readFile(full, "utf8")).includes(secret), false, path);
    }
  }
});

Deno.test("task without outputs stores no outputs.json", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const result = await execute(cacheFor(pipeline, dir), lookupInput(pipeline, "check", dir));
  const key = result.lookup.status === "miss" ? result.lookup.key : "";
  assert.deepEqual(await listTree(join(dir, ".async/cache/tasks/local", key)), [
    "files",
    "manifest.json",
    "result.json",
  ]);
});

Deno.test("commits leave no temporary entries", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  await execute(
    cacheFor(pipeline, dir),
    lookupInput(pipeline, "build", dir),
    () => writeFiles(dir, { "dist/a.js": "a" }),
  );
  assert.deepEqual(await readdir(join(dir, ".async/cache/tasks/local/.tmp")), []);
});

Deno.test("store removed mid-run still saves", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const hooks = cacheFor(pipeline, dir);
  await execute(hooks, lookupInput(pipeline, "check", dir));
  await rm(join(dir, ".async/cache/tasks"), { recursive: true });
  const second = await execute(
    hooks,
    lookupInput(pipeline, "build", dir),
    () => writeFiles(dir, { "dist/a.js": "a" }),
  );
  assert.deepEqual(second.saved, { stored: true });
  const again = await execute(cacheFor(pipeline, dir), lookupInput(pipeline, "build", dir));
  assert.equal(again.lookup.status, "hit");
});

Deno.test("concurrent writers of one key", async () => {
  const dir = await makeProject({ "src/a.ts": "a", "dist/a.js": "built" });
  const input = lookupInput(pipeline, "build", dir);
  const probe = await cacheFor(pipeline, dir).lookup(input);
  assert.equal(probe.status, "miss");
  const key = probe.status === "miss" ? probe.key : "";

  const writers = Array.from({ length: 8 }, async (_, index) => {
    const hooks = cacheFor(pipeline, dir);
    await hooks.lookup(input);
    return await hooks.save({
      task: input.task,
      cwd: dir,
      key,
      lookup: input,
      stdout: `writer ${index}`,
      stderr: "",
      meta: {},
      durationMs: 1,
    });
  });
  const readers = Array.from({ length: 8 }, async () => {
    const found = await cacheFor(pipeline, dir).lookup(input);
    return found.status === "miss" ? String(found.reason.kind) : found.status;
  });
  const saved = await Promise.all(writers);
  const seen = await Promise.all(readers);
  assert.deepEqual(saved.map((result) => result.stored), Array(8).fill(true));
  for (const status of seen) assert.ok(["hit", "no-entry"].includes(status), status);

  const final = await cacheFor(pipeline, dir).lookup(input);
  assert.equal(final.status, "hit");
  assert.match(final.status === "hit" ? final.stdout : "", /^writer [0-7]$/);
  assert.deepEqual(await readdir(join(dir, ".async/cache/tasks/local/.tmp")), []);
  const entries = (await readdir(join(dir, ".async/cache/tasks/local")))
    .filter((name) => !name.startsWith("."));
  assert.deepEqual(entries, [key]);
});

Deno.test("store ttl applies to its tasks", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const caches = defineCache({
    default: "short:main",
    stores: { short: fileCache({ ttlMs: "1m" }), memory: memoryCache() },
  });
  const withTtl = makePipeline({ t: task({ inputs: ["src/**"] }, sh`t`) }, { cache: caches });
  let clock = Date.parse("2030-01-01T00:00:00Z");
  const hooks = cacheFor(withTtl, dir, { now: () => clock });
  await execute(hooks, lookupInput(withTtl, "t", dir));
  clock += 61_000;
  const result = await execute(hooks, lookupInput(withTtl, "t", dir));
  assert.equal(result.lookup.status === "miss" && result.lookup.reason.kind, "expired");
});

Deno.test("memory hit needs unchanged outputs", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const memory = makePipeline({
    t: task({ inputs: ["src/**"], outputs: ["dist/**"], cache: "memory:local" }, sh`t`),
  });
  const hooks = cacheFor(memory, dir);
  const input = lookupInput(memory, "t", dir);
  await execute(hooks, input, () => writeFiles(dir, { "dist/a.js": "a" }));
  assert.equal((await execute(hooks, input)).lookup.status, "hit");
  assert.equal((await execute(cacheFor(memory, dir), input)).lookup.status, "hit");
  await writeFiles(dir, { "dist/a.js": "edited" });
  const changed = await execute(hooks, input, () => writeFiles(dir, { "dist/a.js": "a" }));
  assert.deepEqual(changed.lookup.status === "miss" && changed.lookup.reason, {
    kind: "restore-failed",
    reason: "the output dist/a.js is missing or changed since the entry was recorded",
  });
  assert.equal(changed.lookup.status === "miss" && changed.lookup.warning, undefined);
  assert.equal((await execute(hooks, input)).lookup.status, "hit");
});

Deno.test("hit records last use", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  let clock = Date.parse("2030-01-01T00:00:00Z");
  const hooks = cacheFor(pipeline, dir, { now: () => clock });
  const first = await execute(hooks, lookupInput(pipeline, "check", dir));
  const key = first.lookup.status === "miss" ? first.lookup.key : "";
  clock = Date.parse("2030-02-01T00:00:00Z");
  assert.equal((await execute(hooks, lookupInput(pipeline, "check", dir))).ran, false);
  const entry = await Deno.stat(join(dir, ".async/cache/tasks/local", key));
  assert.equal(entry.mtime?.getTime(), clock);
});
