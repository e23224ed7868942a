/**
 * Output files a task did not write: a hand-written file in an output
 * directory stays as the user left it when a hit restores an entry stored
 * before or after it was written, as on a switch between branches.
 */

import assert from "node:assert/strict";
import { readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, job, sh, task } from "../mod.ts";
import { runJob } from "../node/mod.ts";
import type { ExecutionRecord } from "../node/types.ts";
import { isForeign, isFound, type OutputRecord } from "../node/cache/entry.ts";
import { makeProject, readText, writeFiles } from "./cache_fixture.ts";
import { baseEnv } from "./support/projects.ts";

/** `gen` copies `src/in.txt` to `gen/out.txt`; its outputs are everything under `gen/`. */
const generator = definePipeline({
  name: "foreign-outputs",
  cache: "file:local",
  tasks: {
    gen: task(
      { inputs: ["src/**"], outputs: ["gen/**"] },
      sh`mkdir -p gen && cat src/in.txt > gen/out.txt`,
    ),
  },
  jobs: { gen: job({ target: "gen" }) },
});

/** `build` rewrites `gen/a.txt` each run but writes `gen/b.txt` only when it is missing. */
const incremental = definePipeline({
  name: "incremental-outputs",
  cache: "file:local",
  tasks: {
    build: task(
      { inputs: ["src/**"], outputs: ["gen/**"] },
      sh`mkdir -p gen && cat src/a.txt > gen/a.txt && { [ -f gen/b.txt ] || cat src/b.txt > gen/b.txt; }`,
    ),
  },
  jobs: { build: job({ target: "build" }) },
});

async function run(
  dir: string,
  pipeline = generator,
  id = "gen",
): Promise<{ record: ExecutionRecord; hit: boolean }> {
  const record = await runJob(pipeline, { id, cwd: dir, env: baseEnv(), concurrency: 1 });
  assert.equal(record.status, "passed");
  return { record, hit: record.tasks[0].cacheHit === true };
}

/** Returns the output records of the entry the run's task stored or restored, by path. */
async function storedOutputs(
  dir: string,
  record: ExecutionRecord,
): Promise<Map<string, OutputRecord>> {
  const key = record.tasks[0].cacheKey;
  assert.ok(key, "the task has a cache key");
  const text = await readFile(join(dir, ".async/cache/tasks/local", key, "outputs.json"), "utf8");
  const entries = JSON.parse(text).entries as OutputRecord[];
  return new Map(entries.map((entry) => [entry.path, entry]));
}

async function exists(path: string): Promise<boolean> {
  return await stat(path).then(() => true, () => false);
}

Deno.test("entry marks a hand-written output foreign", async () => {
  const dir = await makeProject({ "src/in.txt": "1\n" });
  await run(dir);
  await writeFiles(dir, { "src/in.txt": "2\n", "gen/NOTES.md": "draft\n" });

  const { record } = await run(dir);

  const outputs = await storedOutputs(dir, record);
  const notes = outputs.get("gen/NOTES.md");
  assert.ok(notes, "the entry lists gen/NOTES.md");
  assert.equal(isForeign(notes), true);
  assert.equal(Object.hasOwn(outputs.get("gen/out.txt") ?? {}, "foreign"), false);
});

Deno.test("older entry hit keeps a later hand-written file", async () => {
  const dir = await makeProject({ "src/in.txt": "1\n" });
  await run(dir);
  await writeFiles(dir, { "src/in.txt": "2\n", "gen/NOTES.md": "draft\n" });
  await run(dir);
  await writeFiles(dir, { "src/in.txt": "1\n" });

  const back = await run(dir);

  assert.equal(back.hit, true);
  assert.equal(await readText(dir, "gen/out.txt"), "1\n");
  assert.equal(await readText(dir, "gen/NOTES.md"), "draft\n");
});

Deno.test("older entry hit keeps a newer hand-written edit", async () => {
  const dir = await makeProject({ "src/in.txt": "0\n" });
  await run(dir);
  await writeFiles(dir, { "src/in.txt": "3\n", "gen/NOTES.md": "notes v0\n" });
  await run(dir);
  await writeFiles(dir, { "src/in.txt": "4\n", "gen/NOTES.md": "notes v1\n" });
  await run(dir);
  await writeFiles(dir, { "src/in.txt": "3\n" });

  const back = await run(dir);

  assert.equal(back.hit, true);
  assert.equal(await readText(dir, "gen/out.txt"), "3\n");
  assert.equal(await readText(dir, "gen/NOTES.md"), "notes v1\n");
});

Deno.test("hit leaves a removed hand-written file out", async () => {
  const dir = await makeProject({ "src/in.txt": "0\n" });
  await run(dir);
  await writeFiles(dir, { "src/in.txt": "1\n", "gen/NOTES.md": "draft\n" });
  await run(dir);
  await rm(join(dir, "gen"), { recursive: true });

  const hit = await run(dir);

  assert.equal(hit.hit, true);
  assert.equal(await readText(dir, "gen/out.txt"), "1\n");
  assert.equal(await exists(join(dir, "gen/NOTES.md")), false);
});

Deno.test("entry keeps an unrewritten earlier output", async () => {
  const dir = await makeProject({ "src/a.txt": "a1\n", "src/b.txt": "b\n" });
  await run(dir, incremental, "build");
  await writeFiles(dir, { "src/a.txt": "a2\n" });

  const { record } = await run(dir, incremental, "build");

  const outputs = await storedOutputs(dir, record);
  assert.equal(Object.hasOwn(outputs.get("gen/b.txt") ?? {}, "foreign"), false);
  assert.equal(Object.hasOwn(outputs.get("gen/a.txt") ?? {}, "foreign"), false);
});

Deno.test("hit overwrites an unrewritten earlier output", async () => {
  const dir = await makeProject({ "src/a.txt": "a1\n", "src/b.txt": "b1\n" });
  await run(dir, incremental, "build");
  await writeFiles(dir, { "src/a.txt": "a2\n" });
  await run(dir, incremental, "build");
  await rm(join(dir, "gen"), { recursive: true });
  await writeFiles(dir, { "src/a.txt": "a3\n", "src/b.txt": "b3\n" });
  await run(dir, incremental, "build");
  await writeFiles(dir, { "src/a.txt": "a2\n", "src/b.txt": "b1\n" });

  const back = await run(dir, incremental, "build");

  assert.equal(back.hit, true);
  assert.equal(await readText(dir, "gen/a.txt"), "a2\n");
  assert.equal(await readText(dir, "gen/b.txt"), "b1\n");
});

Deno.test("entry marks no file the task rewrote", async () => {
  const dir = await makeProject({ "src/in.txt": "new\n", "gen/out.txt": "old\n" });

  const { record } = await run(dir);

  const outputs = await storedOutputs(dir, record);
  assert.equal(Object.hasOwn(outputs.get("gen/out.txt") ?? {}, "foreign"), false);
  assert.equal(await exists(join(dir, "gen/out.txt")), true);
});

/** `upper` writes `gen/a.txt`, the upper-cased `src/a.txt`, only when the file differs from that. */
const upper = definePipeline({
  name: "up-to-date-outputs",
  cache: "file:local",
  tasks: {
    upper: task(
      { inputs: ["src/**"], outputs: ["gen/**"] },
      sh`mkdir -p gen && want="$(tr a-z A-Z < src/a.txt)" && { [ "$(cat gen/a.txt 2>/dev/null)" = "$want" ] || printf '%s\\n' "$want" > gen/a.txt; }`,
    ),
  },
  jobs: { upper: job({ target: "upper" }) },
});

Deno.test("first entry marks outputs the tool left found", async () => {
  const dir = await makeProject({ "src/a.txt": "a\n", "gen/a.txt": "A\n" });

  const { record } = await run(dir, upper, "upper");

  const outputs = await storedOutputs(dir, record);
  const generated = outputs.get("gen/a.txt");
  assert.ok(generated, "the entry lists gen/a.txt");
  assert.equal(isFound(generated), true);
  assert.equal(isForeign(generated), false);
});

Deno.test("hit keeps a found file another entry lacks", async () => {
  const dir = await makeProject({ "src/in.txt": "1\n", "gen/legacy.txt": "hand-written\n" });
  await run(dir);
  await rm(join(dir, "gen/legacy.txt"));
  await writeFiles(dir, { "src/in.txt": "2\n" });
  await run(dir);
  await writeFiles(dir, { "src/in.txt": "1\n", "gen/legacy.txt": "hand-written\n" });
  await run(dir);
  await writeFiles(dir, { "src/in.txt": "2\n" });

  const hit = await run(dir);

  assert.equal(hit.hit, true);
  assert.equal(await readText(dir, "gen/out.txt"), "2\n");
  assert.equal(await readText(dir, "gen/legacy.txt"), "hand-written\n");
});

Deno.test("hit replaces an output the tool kept up to date", async () => {
  const dir = await makeProject({ "src/a.txt": "a\n", "gen/a.txt": "A\n" });
  await run(dir, upper, "upper");
  await writeFiles(dir, { "src/a.txt": "feat\n" });
  await run(dir, upper, "upper");
  await writeFiles(dir, { "src/a.txt": "a\n" });

  const back = await run(dir, upper, "upper");

  assert.equal(back.hit, true);
  assert.equal(await readText(dir, "gen/a.txt"), "A\n");
});

Deno.test("hit replaces the task's output over a foreign record", async () => {
  const dir = await makeProject({ "src/a.txt": "a\n" });
  await run(dir, upper, "upper");
  await writeFiles(dir, { "src/a.txt": "b\n", "gen/a.txt": "B\n" });
  const handWritten = await run(dir, upper, "upper");
  const outputs = await storedOutputs(dir, handWritten.record);
  const record = outputs.get("gen/a.txt");
  assert.ok(record, "the entry lists gen/a.txt");
  assert.equal(isForeign(record), true);
  await writeFiles(dir, { "src/a.txt": "c\n" });
  await run(dir, upper, "upper");
  assert.equal(await readText(dir, "gen/a.txt"), "C\n");
  await writeFiles(dir, { "src/a.txt": "b\n" });

  const back = await run(dir, upper, "upper");

  assert.equal(back.hit, true);
  assert.equal(await readText(dir, "gen/a.txt"), "B\n");
});
