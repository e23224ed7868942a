/** Symbolic links among a task's inputs: links to directories above the walk, and link cycles. */

import assert from "node:assert/strict";
import { rm, symlink } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, job, sh, task } from "../mod.ts";
import { runJob } from "../node/mod.ts";
import type { TaskResult } from "../node/types.ts";
import { walkPatternsSync } from "../node/cache/walk.ts";
import { FileStateIndex } from "../node/cache/file_index.ts";
import { type InputDigests, resolveInputs } from "../node/cache/inputs.ts";
import { makePipeline, makeProject, settled } from "./cache_fixture.ts";
import { baseEnv } from "./support/projects.ts";

/** Returns the paths a walk that follows directory links selects. */
function followed(dir: string, patterns: string[]): string[] {
  return walkPatternsSync(dir, patterns, { followDirectoryLinks: true }).entries
    .map((entry) => entry.path);
}

/** Returns the input digests of a task with `inputs: ["src/**"]` in `dir`. */
async function inputsOf(dir: string): Promise<InputDigests> {
  const pipeline = makePipeline({ t: task({ cache: true, inputs: ["src/**"] }, sh`true`) });
  const index = await FileStateIndex.load(join(await makeProject(), "index.json"), settled);
  return await resolveInputs(pipeline.tasks.t, dir, index);
}

/** Runs the job `b` of a pipeline whose task `build` has `inputs` and runs `command`. */
async function runBuild(dir: string, inputs: string[], command: string): Promise<TaskResult> {
  const pipeline = definePipeline({
    name: "links",
    cache: "file:local",
    tasks: { build: task({ inputs, outputs: ["out/**"] }, sh`sh -c ${command}`) },
    jobs: { b: job({ target: "build" }) },
  });
  const record = await runJob(pipeline, { id: "b", cwd: dir, env: baseEnv() });
  assert.equal(record.status, "passed");
  return record.tasks[0];
}

Deno.test("walk skips a link to the parent", async () => {
  const dir = await makeProject({ "src/a.txt": "a", "out/b.txt": "b" });
  await symlink("..", join(dir, "src/up"));
  assert.deepEqual(followed(dir, ["src/**"]), ["src", "src/a.txt", "src/up"]);
});

Deno.test("walk skips links above the project", async () => {
  const dir = await makeProject({ "src/a.txt": "a" });
  await symlink("../..", join(dir, "src/top"));
  await symlink("/", join(dir, "src/root"));
  assert.deepEqual(followed(dir, ["src/**"]), ["src", "src/a.txt", "src/root", "src/top"]);
});

Deno.test("walk skips a root link to itself", async () => {
  const dir = await makeProject({ "src/a.txt": "a" });
  await symlink(".", join(dir, "here"));
  assert.deepEqual(followed(dir, ["here/**"]), ["here"]);
});

Deno.test("walk enters a link to a sibling", async () => {
  const dir = await makeProject({ "src/a.txt": "a", "lib/util.txt": "u" });
  await symlink("../lib", join(dir, "src/lib"));
  assert.deepEqual(followed(dir, ["src/**"]), ["src", "src/a.txt", "src/lib", "src/lib/util.txt"]);
});

Deno.test("ancestor link keeps the task cached", async () => {
  const dir = await makeProject({ "src/a.txt": "a" });
  await symlink("..", join(dir, "src/up"));
  const stamp = "mkdir -p out && date +%s%N > out/stamp.txt";
  const first = await runBuild(dir, ["src/**"], stamp);
  assert.equal(first.warnings, undefined);
  const second = await runBuild(dir, ["src/**"], stamp);
  assert.equal(second.cacheHit, true, JSON.stringify(second.cacheMiss));
});

Deno.test("link cycle keeps the task cached", async () => {
  const dir = await makeProject({ "src/a.txt": "a" });
  await symlink("cyc2", join(dir, "src/cyc1"));
  await symlink("cyc1", join(dir, "src/cyc2"));
  const copy = "mkdir -p out && cat src/a.txt > out/a.txt";
  const first = await runBuild(dir, ["src/**"], copy);
  assert.equal(first.warnings, undefined);
  assert.equal(first.cacheMiss?.kind, "no-entry");
  const second = await runBuild(dir, ["src/**"], copy);
  assert.equal(second.cacheHit, true, JSON.stringify(second.cacheMiss));
});

Deno.test("link cycle is keyed by target text", async () => {
  const dir = await makeProject({ "src/a.txt": "a" });
  await symlink("cyc2", join(dir, "src/cyc1"));
  await symlink("cyc1", join(dir, "src/cyc2"));
  const before = await inputsOf(dir);
  await rm(join(dir, "src/cyc2"));
  await symlink("cyc1/", join(dir, "src/cyc2"));
  const after = await inputsOf(dir);
  assert.deepEqual(Object.keys(before), ["src/a.txt", "src/cyc1", "src/cyc2"]);
  assert.match(before["src/cyc2"], /^link:[0-9a-f]{64}$/);
  assert.equal(after["src/cyc1"], before["src/cyc1"]);
  assert.notEqual(after["src/cyc2"], before["src/cyc2"]);
});
