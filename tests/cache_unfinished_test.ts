/** Unfinished entries that a killed store leaves in `.tmp/`: counted by `cache clear` and `gc`. */

import assert from "node:assert/strict";
import { mkdir, readdir, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { makeProject } from "./cache_fixture.ts";
import { cliCall } from "./support/cli.ts";

/** Writes an unfinished entry of 3000 bytes, `ageMs` old, as a killed store leaves it. */
async function unfinishedEntry(dir: string, ageMs: number): Promise<string> {
  const temp = join(dir, ".async/cache/tasks/local/.tmp/0b5e4c1e-8d2a-4f1b-9c3e-5a6b7c8d9e0f");
  await mkdir(join(temp, "files"), { recursive: true });
  await writeFile(join(temp, "files", "blob"), "x".repeat(3000));
  const when = new Date(Date.now() - ageMs);
  await utimes(temp, when, when);
  return temp;
}

Deno.test("cache clear counts unfinished entries", async () => {
  const dir = await makeProject();
  await unfinishedEntry(dir, 0);

  const result = await cliCall(dir, ["cache", "clear"]);

  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stdout,
    "Removed 0 cache entries and 1 unfinished entry, freeing 2.9 KiB.\n",
  );
});

Deno.test("gc counts stale unfinished entries", async () => {
  const dir = await makeProject();
  await unfinishedEntry(dir, 2 * 60 * 60 * 1000);

  const result = await cliCall(dir, ["gc", "--keep", "1"]);

  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stdout,
    "Removed 0 run records (0 bytes) and 0 cache entries and 1 unfinished entry (2.9 KiB).\n",
  );
  assert.deepEqual(await readdir(join(dir, ".async/cache/tasks/local/.tmp")), []);
});

Deno.test("gc keeps a recent unfinished entry", async () => {
  const dir = await makeProject();
  const temp = await unfinishedEntry(dir, 0);

  const result = await cliCall(dir, ["gc", "--keep", "1"]);

  assert.equal(result.stdout, "Removed 0 run records (0 bytes) and 0 cache entries (0 bytes).\n");
  assert.deepEqual(await readdir(join(temp, "files")), ["blob"]);
});

Deno.test("cache clear leaves a foreign .tmp", async () => {
  const dir = await makeProject();
  const foreign = join(dir, ".async/cache/tasks/notes/.tmp/draft");
  await mkdir(foreign, { recursive: true });

  const result = await cliCall(dir, ["cache", "clear"]);

  assert.equal(result.stdout, "Removed 0 cache entries, freeing 0 bytes.\n");
  assert.deepEqual(await readdir(foreign), []);
});

Deno.test("doctor reports unfinished entries", async () => {
  const dir = await makeProject();
  await unfinishedEntry(dir, 0);

  const json = await cliCall(dir, ["doctor", "--format", "json"]);
  const text = await cliCall(dir, ["doctor"]);

  assert.deepEqual(JSON.parse(json.stdout).cache.unfinished, { entries: 1, bytes: 3000 });
  assert.match(
    text.stdout,
    /\(\.async\/cache\); 2\.9 KiB in 1 unfinished entry of killed stores \(gc removes them after an hour, cache clear at once\)\n/,
  );
});
