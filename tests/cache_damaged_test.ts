/** Damaged file store entries: each is a logged miss that gets replaced, never a crash. */

import assert from "node:assert/strict";
import { readdir, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { sh } from "../core/sh.ts";
import { task } from "../core/task.ts";
import { sha256 } from "../node/cache/digest.ts";
import {
  cacheFor,
  execute,
  lookupInput,
  makePipeline,
  makeProject,
  readText,
  writeFiles,
} from "./cache_fixture.ts";

const pipeline = makePipeline({
  build: task({ inputs: ["src/**"], outputs: ["dist/**"], cache: "file:local" }, sh`build`),
});

/** Stores one entry with two outputs and returns its directory. */
async function storedEntry(dir: string): Promise<string> {
  const first = await execute(
    cacheFor(pipeline, dir),
    lookupInput(pipeline, "build", dir),
    () => writeFiles(dir, { "dist/a.js": "alpha", "dist/b.js": "beta" }),
  );
  assert.equal(first.lookup.status, "miss");
  return join(
    dir,
    ".async/cache/tasks/local",
    first.lookup.status === "miss" ? first.lookup.key : "",
  );
}

/** Looks the task up again; a miss reruns it with `work`. */
function rerun(dir: string, work: () => Promise<void> = () => Promise.resolve()) {
  return execute(cacheFor(pipeline, dir), lookupInput(pipeline, "build", dir), work);
}

Deno.test("truncated result.json is replaced", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const entry = await storedEntry(dir);
  const text = await readFile(join(entry, "result.json"), "utf8");
  await writeFile(join(entry, "result.json"), text.slice(0, text.length / 2));

  const damaged = await rerun(
    dir,
    () => writeFiles(dir, { "dist/a.js": "alpha", "dist/b.js": "beta" }),
  );
  assert.equal(damaged.ran, true);
  assert.deepEqual(damaged.lookup.status === "miss" && damaged.lookup.reason, {
    kind: "restore-failed",
    reason: "result.json is not valid JSON (truncated or overwritten)",
  });
  assert.match(
    String(damaged.lookup.status === "miss" && damaged.lookup.warning),
    /^cache entry [0-9a-f]{12} of task "build" is damaged \(result\.json is not valid JSON/,
  );
  assert.deepEqual(damaged.saved, { stored: true });
  assert.equal((await rerun(dir)).lookup.status, "hit");
});

Deno.test("empty result.json is a miss", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const entry = await storedEntry(dir);
  await truncate(join(entry, "result.json"), 0);
  const damaged = await rerun(dir);
  assert.equal(damaged.lookup.status === "miss" && damaged.lookup.reason.kind, "restore-failed");
});

Deno.test("result.json of another schema is a miss", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const entry = await storedEntry(dir);
  const result = JSON.parse(await readFile(join(entry, "result.json"), "utf8"));
  await writeFile(join(entry, "result.json"), JSON.stringify({ ...result, schemaVersion: 0 }));
  const damaged = await rerun(dir);
  assert.deepEqual(damaged.lookup.status === "miss" && damaged.lookup.reason, {
    kind: "restore-failed",
    reason: "result.json has schemaVersion 0, expected 1",
  });
});

Deno.test("result.json of a newer schema names the version", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const entry = await storedEntry(dir);
  const result = JSON.parse(await readFile(join(entry, "result.json"), "utf8"));
  await writeFile(join(entry, "result.json"), JSON.stringify({ ...result, schemaVersion: 2 }));

  const newer = await rerun(dir);

  assert.deepEqual(newer.lookup.status === "miss" && newer.lookup.reason, {
    kind: "restore-failed",
    reason:
      "written by a newer version of @async/pipeline (result.json has schemaVersion 2, this version reads 1)",
  });
  assert.match(
    newer.lookup.warning ?? "",
    /^cache entry [0-9a-f]{12} of task "build" was written by a newer version of @async\/pipeline \(.*\); the task runs and its new entry replaces it\.$/,
  );
});

Deno.test("result.json with meta nested too deep is a miss", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const entry = await storedEntry(dir);
  const result = JSON.parse(await readFile(join(entry, "result.json"), "utf8"));
  const deep = "[".repeat(5000) + "]".repeat(5000);
  const text = JSON.stringify({ ...result, meta: { deep: "DEEP" } }).replace('"DEEP"', deep);
  await writeFile(join(entry, "result.json"), text);
  const damaged = await rerun(dir);
  assert.deepEqual(damaged.lookup.status === "miss" && damaged.lookup.reason, {
    kind: "restore-failed",
    reason: "result.json has meta nested more than 100 levels deep",
  });
});

Deno.test("damaged outputs.json is a miss", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const entry = await storedEntry(dir);
  await truncate(join(entry, "outputs.json"), 10);
  const damaged = await rerun(dir);
  assert.deepEqual(damaged.lookup.status === "miss" && damaged.lookup.reason, {
    kind: "restore-failed",
    reason: "outputs.json does not match the digest in result.json",
  });
});

Deno.test("damaged manifest.json still hits", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const entry = await storedEntry(dir);
  await truncate(join(entry, "manifest.json"), 10);
  assert.equal((await rerun(dir)).lookup.status, "hit");
});

Deno.test("damaged manifest.json leaves misses unexplained", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const entry = await storedEntry(dir);
  await writeFile(join(entry, "manifest.json"), "{}");
  await writeFiles(dir, { "src/a.ts": "edited" });
  const edited = await rerun(dir, () => writeFiles(dir, { "dist/a.js": "alpha" }));
  assert.deepEqual(edited.lookup.status === "miss" && edited.lookup.reason, { kind: "no-entry" });
});

Deno.test("entry with inline manifest still works", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const entry = await storedEntry(dir);
  // The layout before manifests moved to their own file.
  const { manifestDigest: _, ...result } = JSON.parse(
    await readFile(join(entry, "result.json"), "utf8"),
  );
  const manifest = JSON.parse(await readFile(join(entry, "manifest.json"), "utf8"));
  await writeFile(join(entry, "result.json"), JSON.stringify({ ...result, manifest }));
  await rm(join(entry, "manifest.json"));
  assert.equal((await rerun(dir)).lookup.status, "hit");
  await writeFiles(dir, { "src/a.ts": "edited" });
  const edited = await rerun(dir, () => writeFiles(dir, { "dist/a.js": "alpha" }));
  assert.equal(edited.lookup.status === "miss" && edited.lookup.reason.kind, "changed");
});

Deno.test("damaged stored copy changes nothing", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const entry = await storedEntry(dir);
  const blobs = await readdir(join(entry, "files"));
  const alpha = blobs.find((name) => name === sha256("alpha"));
  assert.ok(alpha);
  await writeFile(join(entry, "files", alpha), "ALPHA");
  await rm(join(dir, "dist/b.js"));
  await writeFiles(dir, { "dist/extra.js": "extra" });

  const damaged = await rerun(dir);
  assert.deepEqual(damaged.lookup.status === "miss" && damaged.lookup.reason, {
    kind: "restore-failed",
    reason: "the stored copy of dist/a.js has the wrong content",
  });
  // Nothing was restored or removed: b.js is still missing and extra.js still there.
  await assert.rejects(stat(join(dir, "dist/b.js")), { code: "ENOENT" });
  assert.equal(await readText(dir, "dist/extra.js"), "extra");
});

Deno.test("missing stored copy is a miss", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const entry = await storedEntry(dir);
  await rm(join(entry, "files", sha256("beta")));
  const damaged = await rerun(dir);
  assert.deepEqual(damaged.lookup.status === "miss" && damaged.lookup.reason, {
    kind: "restore-failed",
    reason: "the stored copy of dist/b.js is missing",
  });
});

/** Rewrites outputs.json with one more record and fixes the digest in result.json. */
async function addRecord(entry: string, record: Record<string, unknown>): Promise<void> {
  const outputs = JSON.parse(await readFile(join(entry, "outputs.json"), "utf8"));
  outputs.entries.push(record);
  const text = JSON.stringify(outputs);
  await writeFile(join(entry, "outputs.json"), text);
  const result = JSON.parse(await readFile(join(entry, "result.json"), "utf8"));
  result.outputs = { digest: sha256(text), count: outputs.entries.length };
  await writeFile(join(entry, "result.json"), JSON.stringify(result));
}

Deno.test("snapshot path escaping root is refused", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const entry = await storedEntry(dir);
  await addRecord(entry, {
    path: "dist/../../escaped.js",
    kind: "file",
    mode: 0o644,
    size: 5,
    digest: sha256("alpha"),
  });
  await rm(join(dir, "dist"), { recursive: true });
  const refused = await rerun(dir);
  assert.deepEqual(refused.lookup.status === "miss" && refused.lookup.reason, {
    kind: "restore-failed",
    reason: 'output path "dist/../../escaped.js" escapes the project root',
  });
  await assert.rejects(stat(join(dirname(dir), "escaped.js")), { code: "ENOENT" });
  await assert.rejects(stat(join(dir, "dist")), { code: "ENOENT" });
});

Deno.test("absolute snapshot path is refused", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const entry = await storedEntry(dir);
  const outside = await makeProject();
  await addRecord(entry, { path: join(outside, "evil"), kind: "symlink", target: "/" });
  const refused = await rerun(dir);
  assert.equal(refused.lookup.status === "miss" && refused.lookup.reason.kind, "restore-failed");
  assert.deepEqual(await readdir(outside), []);
});

Deno.test("snapshot path outside patterns is refused", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const entry = await storedEntry(dir);
  await addRecord(entry, { path: "src/a.ts", kind: "symlink", target: "/etc/passwd" });
  const refused = await rerun(dir);
  assert.deepEqual(refused.lookup.status === "miss" && refused.lookup.reason, {
    kind: "restore-failed",
    reason: 'output path "src/a.ts" is not covered by the task\'s output patterns',
  });
  assert.equal(await readText(dir, "src/a.ts"), "a");
});

Deno.test("unreadable file index is rebuilt", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  await storedEntry(dir);
  await writeFile(join(dir, ".async/cache/file-index.json"), "{ not json");
  assert.equal((await rerun(dir)).lookup.status, "hit");
});

Deno.test("outputs.json of a newer schema names the version", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const entry = await storedEntry(dir);
  const outputs = JSON.parse(await readFile(join(entry, "outputs.json"), "utf8"));
  const text = JSON.stringify({ ...outputs, schemaVersion: 2 });
  await writeFile(join(entry, "outputs.json"), text);
  const result = JSON.parse(await readFile(join(entry, "result.json"), "utf8"));
  const digest = sha256(text);
  await writeFile(
    join(entry, "result.json"),
    JSON.stringify({ ...result, outputs: { ...result.outputs, digest } }),
  );
  await rm(join(dir, "dist"), { recursive: true, force: true });

  const newer = await rerun(dir);

  assert.deepEqual(newer.lookup.status === "miss" && newer.lookup.reason, {
    kind: "restore-failed",
    reason:
      "written by a newer version of @async/pipeline (outputs.json has schemaVersion 2, this version reads 1)",
  });
});
