/** The warning for a task whose input patterns match no file. */

import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, env, job, sh, task } from "../mod.ts";
import { planJob, runJob } from "../node/mod.ts";
import type { ExecutionRecord } from "../node/types.ts";
import { makeProject } from "./cache_fixture.ts";
import { baseEnv } from "./support/projects.ts";

/** Runs a one-task pipeline whose task has `inputs`, and returns the task's warnings. */
async function warningsOf(dir: string, inputs?: string[]): Promise<string[] | undefined> {
  const pipeline = definePipeline({
    name: "inputs",
    cache: "file:local",
    tasks: { build: task({ ...(inputs ? { inputs } : {}) }, sh`true`) },
    jobs: { verify: job({ target: "build" }) },
  });
  const record: ExecutionRecord = await runJob(pipeline, {
    id: "verify",
    cwd: dir,
    env: baseEnv(),
  });
  return record.tasks[0].warnings;
}

const MISSPELLED =
  'task "build": its inputs (srcc/**) match no file, so no edit can change its cache key. Check the patterns, or write inputs: [] for a task that reads no file.';

Deno.test("unmatched inputs warn on a miss", async () => {
  const dir = await makeProject({ "src/a.ts": "a\n" });
  assert.deepEqual(await warningsOf(dir, ["srcc/**"]), [MISSPELLED]);
});

Deno.test("unmatched inputs warn on a hit", async () => {
  const dir = await makeProject({ "src/a.ts": "a\n" });
  await warningsOf(dir, ["srcc/**"]);
  assert.deepEqual(await warningsOf(dir, ["srcc/**"]), [MISSPELLED]);
});

Deno.test("unmatched inputs warn in a dry run", async () => {
  const dir = await makeProject({ "src/a.ts": "a\n" });
  const pipeline = definePipeline({
    name: "inputs",
    cache: "file:local",
    tasks: { build: task({ inputs: ["srcc/**"] }, sh`true`) },
    jobs: { verify: job({ target: "build" }) },
  });
  const plan = await planJob(pipeline, { id: "verify", cwd: dir, env: baseEnv() });
  assert.deepEqual(plan.tasks[0].warnings, [MISSPELLED]);
});

Deno.test("matched inputs do not warn", async () => {
  const dir = await makeProject({ "src/a.ts": "a\n" });
  assert.equal(await warningsOf(dir, ["src/**", "test/**"]), undefined);
});

Deno.test("empty inputs do not warn", async () => {
  const dir = await makeProject({ "src/a.ts": "a\n" });
  assert.equal(await warningsOf(dir, []), undefined);
});

Deno.test("an absent named input does not warn", async () => {
  const dir = await makeProject({ "src/a.ts": "a\n" });
  assert.equal(await warningsOf(dir, ["config.json"]), undefined);
});

Deno.test("default inputs do not warn", async () => {
  const dir = await makeProject({ "src/a.ts": "a\n" });
  assert.equal(await warningsOf(dir), undefined);
});

Deno.test("unmatched inputs still warn after a replaced secret key", async () => {
  const dir = await makeProject({ "src/a.ts": "a\n" });
  const pipeline = definePipeline({
    name: "inputs",
    cache: "file:local",
    env: { TOKEN: env.secret("UNMATCHED_TOKEN") },
    tasks: { build: task({ inputs: ["srcc/**"] }, sh`echo "$TOKEN" > /dev/null`) },
    jobs: { verify: job({ target: "build" }) },
  });
  const options = {
    id: "verify",
    cwd: dir,
    env: baseEnv({ UNMATCHED_TOKEN: "unmatched-secret-value-7" }),
  };
  await runJob(pipeline, options);
  await rm(join(dir, ".async/cache/secret.key"));
  const record = await runJob(pipeline, options);
  const warnings = record.tasks[0].warnings ?? [];
  assert.equal(warnings.length, 1, warnings.join("\n"));
  assert.match(warnings[0], /^task "build": its inputs \(srcc\/\*\*\) match no file/);
  assert.match(record.warnings?.join("\n") ?? "", /secret\.key was missing and was replaced/);
});
