/** Outputs written through a symbolic link, such as `out -> /elsewhere` with `outputs: ["out/**"]`. */

import assert from "node:assert/strict";
import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, job, sh, task } from "../mod.ts";
import { runJob } from "../node/mod.ts";
import type { TaskResult } from "../node/types.ts";
import { outputLinkOf } from "../node/cache/output_links.ts";
import { missDetails, missSummary } from "../cli/presenters/miss.ts";
import { makeProject, readText, writeFiles } from "./cache_fixture.ts";
import { baseEnv } from "./support/projects.ts";

/** Runs a task `build` with `outputs` and `command`, and returns its result. */
async function runBuild(dir: string, outputs: string[], command: string): Promise<TaskResult> {
  const pipeline = definePipeline({
    name: "outlink",
    cache: "file:local",
    tasks: { build: task({ inputs: ["src/**"], outputs }, sh`sh -c ${command}`) },
    jobs: { b: job({ target: "build" }) },
  });
  const record = await runJob(pipeline, { id: "b", cwd: dir, env: baseEnv() });
  assert.equal(record.status, "passed");
  return record.tasks[0];
}

/** Creates a project whose `out` is a link to a directory outside it. */
async function linkedProject(): Promise<string> {
  const dir = await makeProject({ "src/a.txt": "v1\n" });
  await symlink(await makeProject(), join(dir, "out"));
  return dir;
}

/** Runs `build` for the inputs v1, v2 and v1 again, and returns the last result. */
async function editAndReturn(dir: string, outputs: string[]): Promise<TaskResult> {
  const copy = "cat src/a.txt > out/a.txt";
  await runBuild(dir, outputs, copy);
  await writeFiles(dir, { "src/a.txt": "v2\n" });
  await runBuild(dir, outputs, copy);
  await writeFiles(dir, { "src/a.txt": "v1\n" });
  return await runBuild(dir, outputs, copy);
}

const WARNING =
  'task "build" runs uncached: out, on the path of its outputs (out/**), is a symbolic link, and the cache stores and restores no file through a link. Make out a directory to cache the task.';

Deno.test("linked output directory with out/**", async () => {
  const dir = await linkedProject();
  const last = await editAndReturn(dir, ["out/**"]);
  assert.equal(last.cacheHit, false);
  assert.deepEqual(last.cacheMiss, { kind: "uncacheable", outputLink: "out" });
  assert.deepEqual(last.warnings, [WARNING]);
  assert.equal(await readText(dir, "out/a.txt"), "v1\n");
});

Deno.test("linked output directory with out/*.txt", async () => {
  const dir = await linkedProject();
  const last = await editAndReturn(dir, ["out/*.txt"]);
  assert.equal(last.cacheHit, false);
  assert.deepEqual(last.cacheMiss, { kind: "uncacheable", outputLink: "out" });
  assert.match(last.warnings?.[0] ?? "", /out, on the path of its outputs \(out\/\*\.txt\)/);
  assert.equal(await readText(dir, "out/a.txt"), "v1\n");
});

Deno.test("link above a nested output pattern", async () => {
  const dir = await linkedProject();
  const result = await runBuild(dir, ["out/gen/**"], "mkdir -p out/gen && echo x > out/gen/x");
  assert.deepEqual(result.cacheMiss, { kind: "uncacheable", outputLink: "out" });
});

Deno.test("link made by the run is not stored", async () => {
  const dir = await makeProject({ "src/a.txt": "v1\n" });
  const target = await makeProject();
  const command = `ln -s ${target} out && cat src/a.txt > out/a.txt`;
  const result = await runBuild(dir, ["out/**"], command);
  assert.deepEqual(result.cacheMiss, { kind: "no-entry" });
  assert.deepEqual(result.warnings, [
    'task "build" was not cached: out, on the path of its outputs (out/**), is a symbolic link, and the cache stores and restores no file through a link. Make out a directory to cache the task.',
  ]);
});

Deno.test("a named link output is stored as a link", async () => {
  const dir = await makeProject({ "src/a.txt": "v1\n" });
  const command = "mkdir -p builds/1 && ln -sfn builds/1 current";
  const first = await runBuild(dir, ["current"], command);
  assert.equal(first.warnings, undefined);
  const second = await runBuild(dir, ["current"], command);
  assert.equal(second.cacheHit, true);
});

Deno.test("a link inside the output tree is stored", async () => {
  const dir = await makeProject({ "src/a.txt": "v1\n", "assets/logo.svg": "<svg/>" });
  const command = "mkdir -p dist && ln -sfn ../assets dist/assets";
  const first = await runBuild(dir, ["dist/**"], command);
  assert.equal(first.warnings, undefined);
  const second = await runBuild(dir, ["dist/**"], command);
  assert.equal(second.cacheHit, true);
});

Deno.test("output link check looks at fixed parts only", async () => {
  const dir = await makeProject({ "real/x.txt": "x" });
  await mkdir(join(dir, "dist"));
  await symlink("../real", join(dir, "dist/linked"));
  await symlink("real", join(dir, "top"));
  assert.equal(outputLinkOf(dir, ["dist/**"]), undefined);
  assert.equal(outputLinkOf(dir, ["dist/linked"]), undefined);
  assert.equal(outputLinkOf(dir, ["!top/**", "missing/**"]), undefined);
  assert.deepEqual(outputLinkOf(dir, ["dist/linked/*.txt"]), {
    path: "dist/linked",
    pattern: "dist/linked/*.txt",
  });
  assert.deepEqual(outputLinkOf(dir, ["top/x.txt"]), { path: "top", pattern: "top/x.txt" });
});

Deno.test("output link miss is explained", () => {
  const reason = { kind: "uncacheable", outputLink: "out" } as const;
  assert.equal(missSummary(reason), "outputs written through a symbolic link: out");
  assert.deepEqual(missDetails(reason), [
    "It ran without the cache: its outputs are written through the symbolic link out, and the cache stores and restores no file through a link.",
  ]);
});
