/** Symbolic links among a task's inputs: links to directories above the walk, and link cycles. */

import assert from "node:assert/strict";
import { symlink } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, job, sh, task } from "../mod.ts";
import { runJob } from "../node/mod.ts";
import type { TaskResult } from "../node/types.ts";
import { walkPatternsSync } from "../node/cache/walk.ts";
import { makeProject } from "./cache_fixture.ts";
import { baseEnv } from "./support/projects.ts";

/** Returns the paths a walk that follows directory links selects. */
function followed(dir: string, patterns: string[]): string[] {
  return walkPatternsSync(dir, patterns, { followDirectoryLinks: true }).entries
    .map((entry) => entry.path);
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
