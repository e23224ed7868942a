/** Secret values in input and output paths: such tasks are not cached, and nothing stores the value. */

import assert from "node:assert/strict";
import { rm, symlink } from "node:fs/promises";
import { join } from "node:path";
import { sh } from "../core/sh.ts";
import { task } from "../core/task.ts";
import type { TaskCacheHooks } from "../node/cache_seam.ts";
import { createTaskCache } from "../node/cache/task_cache.ts";
import {
  backdate,
  execute,
  type Execution,
  filesContaining,
  lookupInput,
  makePipeline,
  makeProject,
  settled,
  writeFiles,
} from "./cache_fixture.ts";

const SECRET = "s3cr3t-VALUE-42";

const pipeline = makePipeline({
  scan: task({ inputs: ["sin/**"], cache: "file:local" }, sh`ls sin`),
  build: task({ inputs: [], outputs: ["out/**"], cache: "file:local" }, sh`build`),
});

function cacheOf(dir: string): TaskCacheHooks {
  return createTaskCache({ pipeline, rootDir: dir, runId: crypto.randomUUID(), now: settled });
}

/** Checks that a run stored nothing, warned with `warning` and left the secret out of `.async`. */
async function assertRefused(dir: string, saved: Execution["saved"], warning: string) {
  assert.equal(saved?.stored, false);
  assert.equal(saved?.warning, warning);
  assert.deepEqual(await filesContaining(dir, SECRET), []);
}

/**
 * Stores an entry of `build` with the output `out/<name>` while the name is
 * no secret of the run, then removes its stored copies and the output.
 */
async function damagedEntry(dir: string, name: string): Promise<void> {
  const first = await runOnce(
    dir,
    "build",
    [],
    () => writeFiles(dir, { [`out/${name}`]: "plain" }),
  );
  assert.equal(first.saved?.stored, true);
  const key = first.lookup.status === "miss" ? first.lookup.key : "";
  await rm(join(dir, ".async/cache/tasks/local", key, "files"), { recursive: true });
  await rm(join(dir, "out"), { recursive: true });
}

/** Runs `taskId` once through a new cache, knowing `secrets`, and closes the cache. */
async function runOnce(
  dir: string,
  taskId: string,
  secrets: readonly string[],
  work?: () => Promise<void>,
) {
  const cache = cacheOf(dir);
  const result = await execute(
    cache,
    lookupInput(pipeline, taskId, dir, { secretValues: secrets }),
    work,
  );
  await cache.close();
  return result;
}

Deno.test("secret input name runs uncached", async () => {
  const dir = await makeProject({ [`sin/in-${SECRET}.txt`]: "x", "sin/plain.txt": "y" });
  await backdate(dir);
  const result = await runOnce(dir, "scan", [SECRET]);
  assert.equal(result.lookup.status, "disabled");
  assert.deepEqual(result.lookup.status === "disabled" && result.lookup.reason, {
    kind: "uncacheable",
    secretInName: "sin/in-***.txt",
  });
  assert.equal(
    result.lookup.warning,
    'task "scan" runs uncached: the name of its input sin/in-***.txt contains a secret value, ' +
      "and cache entries never store secrets.",
  );
});

Deno.test("secret input name leaves no trace", async () => {
  const dir = await makeProject({ [`sin/in-${SECRET}.txt`]: "x", "sin/plain.txt": "y" });
  await backdate(dir);
  await runOnce(dir, "scan", [SECRET]);
  await runOnce(dir, "scan", [SECRET]);
  assert.deepEqual(await filesContaining(dir, SECRET), []);
});

Deno.test("secret input name purges saved index", async () => {
  const dir = await makeProject({ [`sin/in-${SECRET}.txt`]: "x", "sin/plain.txt": "y" });
  await backdate(dir);
  const first = await runOnce(dir, "scan", []);
  assert.equal(first.saved?.stored, true);
  const before = await filesContaining(dir, SECRET);
  assert.ok(before.includes(".async/cache/file-index.json"), before.join(", "));
  assert.ok(before.includes(".async/cache/file-index.memos.json"), before.join(", "));
  const again = await runOnce(dir, "scan", [SECRET]);
  assert.equal(again.lookup.status, "disabled");
  const after = await filesContaining(dir, SECRET);
  assert.ok(!after.includes(".async/cache/file-index.json"), after.join(", "));
  assert.ok(!after.includes(".async/cache/file-index.memos.json"), after.join(", "));
});

Deno.test("secret input name during run", async () => {
  const dir = await makeProject({ "sin/plain.txt": "y" });
  await backdate(dir);
  const result = await runOnce(
    dir,
    "scan",
    [SECRET],
    () => writeFiles(dir, { [`sin/new-${SECRET}.txt`]: "z" }),
  );
  assert.equal(result.lookup.status, "miss");
  await assertRefused(
    dir,
    result.saved,
    'task "scan" was not cached: the name of its input sin/new-***.txt contains a ' +
      "secret value, and cache entries never store secrets.",
  );
});

Deno.test("secret output name not cached", async () => {
  const dir = await makeProject();
  const result = await runOnce(
    dir,
    "build",
    [SECRET],
    () => writeFiles(dir, { [`out/name-${SECRET}.txt`]: "plain" }),
  );
  await assertRefused(
    dir,
    result.saved,
    'task "build" was not cached: the name of its output out/name-***.txt contains a ' +
      "secret value, and cache entries never store secrets.",
  );
});

Deno.test("secret output link target not cached", async () => {
  const dir = await makeProject();
  const result = await runOnce(dir, "build", [SECRET], async () => {
    await writeFiles(dir, { "out/plain.txt": "plain" });
    await symlink(`/nowhere/${SECRET}`, join(dir, "out/link"));
  });
  await assertRefused(
    dir,
    result.saved,
    'task "build" was not cached: its output out/link is a link whose target contains ' +
      "a secret value, and cache entries never store secrets.",
  );
});

Deno.test("secret output content not cached", async () => {
  const dir = await makeProject();
  const result = await runOnce(
    dir,
    "build",
    [SECRET],
    () => writeFiles(dir, { "out/a.txt": `token ${SECRET}` }),
  );
  assert.match(String(result.saved?.warning), /its output out\/a\.txt contains a secret value/);
  assert.equal(result.saved?.stored, false);
});

Deno.test("damaged entry masks secret name", async () => {
  const dir = await makeProject();
  await damagedEntry(dir, `name-${SECRET}.txt`);

  const cache = cacheOf(dir);
  const lookup = await cache.lookup(
    lookupInput(pipeline, "build", dir, { secretValues: [SECRET] }),
  );
  assert.equal(lookup.status, "miss");
  const reason = lookup.status === "miss" ? lookup.reason : undefined;
  assert.equal(reason?.kind, "restore-failed");
  const text = JSON.stringify([reason, lookup.warning]);
  assert.ok(text.includes("out/name-***.txt"), text);
  assert.ok(!text.includes(SECRET), text);
});

Deno.test("escaped secret in name is masked", async () => {
  const secret = 'p@ss"w\\rd';
  const dir = await makeProject();
  await damagedEntry(dir, `q-${secret}.txt`);

  const cache = cacheOf(dir);
  const lookup = await cache.lookup(
    lookupInput(pipeline, "build", dir, { secretValues: [secret] }),
  );
  const text = [lookup.warning, lookup.status === "miss" ? JSON.stringify(lookup.reason) : ""]
    .join("\n");
  assert.ok(text.includes("***"), text);
  assert.ok(!text.includes(JSON.stringify(secret).slice(1, -1)), text);
  assert.ok(!text.includes(secret), text);
});
