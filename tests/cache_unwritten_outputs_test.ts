/** The warning for a task whose output patterns match no file after it ran. */

import assert from "node:assert/strict";
import { definePipeline, job, sh, task } from "../mod.ts";
import { runJob } from "../node/mod.ts";
import type { TaskResult } from "../node/types.ts";
import { unwrittenOutputsWarning } from "../node/cache/save_result.ts";
import { makeProject } from "./cache_fixture.ts";
import { baseEnv } from "./support/projects.ts";

/** Runs a task `build` with `outputs` and `command` on the store `cache`, and returns its result. */
async function runBuild(
  dir: string,
  outputs: string[],
  command: string,
  cache = "file:local",
): Promise<TaskResult> {
  const pipeline = definePipeline({
    name: "noout",
    cache,
    tasks: { build: task({ inputs: ["src/**"], outputs }, sh`sh -c ${command}`) },
    jobs: { b: job({ target: "build" }) },
  });
  const record = await runJob(pipeline, { id: "b", cwd: dir, env: baseEnv() });
  assert.equal(record.status, "passed");
  return record.tasks[0];
}

const DIST_WARNING =
  'task "build" declares outputs (dist/**) but its run wrote no file there, so its cache entry contains no output file. Check the patterns against the paths the task writes.';

Deno.test("unwritten outputs warn after the run", async () => {
  const dir = await makeProject({ "src/a.txt": "v1\n" });
  const command = "mkdir -p build && cat src/a.txt > build/a.txt";
  const result = await runBuild(dir, ["dist/**"], command);
  assert.deepEqual(result.warnings, [DIST_WARNING]);
});

Deno.test("unwritten outputs warn in a memory store", async () => {
  const dir = await makeProject({ "src/a.txt": "v1\n" });
  const result = await runBuild(dir, ["dist/**"], "true", "memory:local");
  assert.deepEqual(result.warnings, [DIST_WARNING]);
});

Deno.test("an empty output directory warns", async () => {
  const dir = await makeProject({ "src/a.txt": "v1\n" });
  const result = await runBuild(dir, ["dist/**", "!dist/keep"], "mkdir -p dist/sub");
  assert.deepEqual(result.warnings, [
    'task "build" declares outputs (dist/**) but its run wrote no file there, so its cache entry contains no output file. Check the patterns against the paths the task writes.',
  ]);
});

Deno.test("a written output does not warn", async () => {
  const dir = await makeProject({ "src/a.txt": "v1\n" });
  const result = await runBuild(dir, ["dist/**", "build/**"], "mkdir -p dist && echo x > dist/x");
  assert.equal(result.warnings, undefined);
});

Deno.test("unwritten outputs warning needs patterns", () => {
  assert.equal(unwrittenOutputsWarning("t", [], []), undefined);
  assert.equal(unwrittenOutputsWarning("t", ["!dist/x"], []), undefined);
  const link = { path: "dist/l", kind: "symlink", target: "x" } as const;
  assert.equal(unwrittenOutputsWarning("t", ["dist/**"], [link]), undefined);
  const directory = { path: "dist", kind: "directory", mode: 0o755 } as const;
  assert.match(unwrittenOutputsWarning("t", ["dist/**"], [directory]) ?? "", /^task "t" declares/);
});
