/** Patterns that name a place inside `node_modules`, such as a generated Prisma client. */

import assert from "node:assert/strict";
import { join } from "node:path";
import { definePipeline, job, sh, task } from "../mod.ts";
import { runJob } from "../node/mod.ts";
import type { ExecutionRecord } from "../node/types.ts";
import { DamagedEntryError } from "../node/cache/entry.ts";
import { checkedOutputPath, listOutputs, outputMatcher } from "../node/cache/outputs.ts";
import { makeProject, readText, writeFiles } from "./cache_fixture.ts";
import { baseEnv } from "./support/projects.ts";

/** Returns the paths that `patterns` select as outputs in `dir`. */
async function listed(dir: string, patterns: string[]): Promise<string[]> {
  return (await listOutputs(dir, patterns)).map((entry) => entry.path);
}

/** Runs the job of a generator that writes `node_modules/.prisma/client.txt` and a reader of it. */
function runGenerator(dir: string): Promise<ExecutionRecord> {
  const pipeline = definePipeline({
    name: "modules",
    cache: "file:local",
    tasks: {
      gen: task(
        { inputs: ["src/**"], outputs: ["node_modules/.prisma/**"] },
        sh`mkdir -p node_modules/.prisma && cat src/schema.txt > node_modules/.prisma/client.txt`,
      ),
      use: task({ dependsOn: ["gen"], cache: false }, sh`cat node_modules/.prisma/client.txt`),
    },
    jobs: { j: job({ target: "use" }) },
  });
  return runJob(pipeline, { id: "j", cwd: dir, env: baseEnv() });
}

Deno.test("named node_modules outputs are listed", async () => {
  const dir = await makeProject({
    "node_modules/.prisma/client/index.js": "c",
    "node_modules/other/index.js": "o",
    "pkg/node_modules/.cache/x.bin": "x",
  });
  assert.deepEqual(await listed(dir, ["node_modules/.prisma/**"]), [
    "node_modules/.prisma",
    "node_modules/.prisma/client",
    "node_modules/.prisma/client/index.js",
  ]);
  assert.deepEqual(await listed(dir, ["pkg/node_modules/.cache/**"]), [
    "pkg/node_modules/.cache",
    "pkg/node_modules/.cache/x.bin",
  ]);
  assert.deepEqual(await listed(dir, ["node_modules/.prisma/client/index.js"]), [
    "node_modules/.prisma/client/index.js",
  ]);
});

Deno.test("broad outputs still skip node_modules", async () => {
  const dir = await makeProject({
    "dist/a.js": "a",
    "node_modules/.prisma/index.js": "c",
    "pkg/node_modules/q/index.js": "q",
  });
  assert.deepEqual(await listed(dir, ["**/*.js"]), ["dist/a.js"]);
});

Deno.test("a named area beside a broad pattern", async () => {
  const dir = await makeProject({
    "dist/a.js": "a",
    "node_modules/.prisma/index.js": "c",
    "node_modules/other/index.js": "o",
  });
  assert.deepEqual(await listed(dir, ["**/*.js", "node_modules/.prisma/**"]), [
    "dist/a.js",
    "node_modules/.prisma",
    "node_modules/.prisma/index.js",
  ]);
});

Deno.test("named node_modules area skips .git inside", async () => {
  const dir = await makeProject({
    "node_modules/pkg/index.js": "i",
    "node_modules/pkg/node_modules/dep/index.js": "d",
    "node_modules/pkg/.git/HEAD": "h",
  });
  assert.deepEqual(await listed(dir, ["node_modules/pkg/**"]), [
    "node_modules/pkg",
    "node_modules/pkg/index.js",
    "node_modules/pkg/node_modules",
    "node_modules/pkg/node_modules/dep",
    "node_modules/pkg/node_modules/dep/index.js",
  ]);
});

Deno.test("restore accepts paths in a named area", async () => {
  const dir = await makeProject();
  const named = outputMatcher(["node_modules/.prisma/**"]);
  assert.equal(
    checkedOutputPath(dir, "node_modules/.prisma/client.txt", named),
    join(dir, "node_modules/.prisma/client.txt"),
  );
  assert.throws(
    () => checkedOutputPath(dir, "node_modules/.prisma/.git/HEAD", named),
    DamagedEntryError,
  );
  assert.throws(() => checkedOutputPath(dir, "node_modules/x.js", outputMatcher(["**"])), {
    name: "DamagedEntryError",
    message: /not covered by the task's output patterns/,
  });
});

Deno.test("node_modules output is stored and restored", async () => {
  const dir = await makeProject({ "src/schema.txt": "v1\n" });
  assert.equal((await runGenerator(dir)).status, "passed");
  await writeFiles(dir, { "src/schema.txt": "v2\n" });
  assert.equal((await runGenerator(dir)).status, "passed");
  assert.equal(await readText(dir, "node_modules/.prisma/client.txt"), "v2\n");
  await writeFiles(dir, { "src/schema.txt": "v1\n" });
  const third = await runGenerator(dir);
  assert.equal(third.tasks.find((result) => result.id === "gen")?.cacheHit, true);
  assert.equal(await readText(dir, "node_modules/.prisma/client.txt"), "v1\n");
});

Deno.test("named node_modules input enters the key", async () => {
  const dir = await makeProject({ "node_modules/.package-lock.json": "{}" });
  const pipeline = definePipeline({
    name: "modules",
    cache: "file:local",
    tasks: { t: task({ inputs: ["node_modules/.package-lock.json"] }, sh`true`) },
    jobs: { j: job({ target: "t" }) },
  });
  const run = () => runJob(pipeline, { id: "j", cwd: dir, env: baseEnv() });
  const first = await run();
  assert.equal(first.tasks[0].warnings, undefined);
  assert.equal((await run()).tasks[0].cacheHit, true);
  await writeFiles(dir, { "node_modules/.package-lock.json": '{"v":2}' });
  const third = await run();
  assert.equal(third.tasks[0].cacheHit, false);
  assert.deepEqual(third.tasks[0].cacheMiss, {
    kind: "changed",
    inputs: { added: [], removed: [], changed: ["node_modules/.package-lock.json"] },
    env: [],
    dependencies: [],
    command: false,
    definition: false,
  });
});
