/** `explain` for misses the shared reasons do not spell out: another executor, memory stores. */

import assert from "node:assert/strict";
import { definePipeline, job, sh, task } from "../mod.ts";
import { RecordingExecutor, runJob } from "../node/mod.ts";
import { makeProject } from "./cache_fixture.ts";
import { cli } from "./helpers/cli.ts";
import { baseEnv } from "./support/projects.ts";

const pipeline = definePipeline({
  name: "notes",
  cache: "file:local",
  tasks: { build: task({ inputs: ["src/**"] }, sh`cat src/a.txt`) },
  jobs: { verify: job({ target: "build" }) },
});

/** Runs `explain build` in text and json form and returns both. */
async function explain(dir: string) {
  const text = await cli(dir, ["explain", "build"]);
  assert.equal(text.code, 0, text.stderr);
  const json = await cli(dir, ["explain", "build", "--format", "json"]);
  assert.equal(json.code, 0, json.stderr);
  return { text: text.stdout, json: JSON.parse(json.stdout) };
}

Deno.test("explain names the executor change", async () => {
  const dir = await makeProject({ "src/a.txt": "a\n" });
  const executor = new RecordingExecutor();
  await runJob(pipeline, { id: "verify", cwd: dir, env: baseEnv(), executor });
  await runJob(pipeline, { id: "verify", cwd: dir, env: baseEnv() });
  const { text, json } = await explain(dir);
  assert.match(
    text,
    /cache entry:\n {2}executor changed: recording -> host \(entries of different executors are kept apart\)\nKey: [0-9a-f]{64}\n$/,
  );
  assert.equal(json.summary, "executor changed: recording -> host");
});

Deno.test("explain says memory stores start empty", async () => {
  const dir = await makeProject({ "src/a.txt": "a\n" });
  const inMemory = definePipeline({
    name: "notes",
    tasks: { build: task({ inputs: ["src/**"], cache: "memory:scratch" }, sh`cat src/a.txt`) },
    jobs: { verify: job({ target: "build" }) },
  });
  await runJob(inMemory, { id: "verify", cwd: dir, env: baseEnv() });
  const { text, json } = await explain(dir);
  assert.match(
    text,
    /\nIt ran because its cache store has no entry for the task\.\nMemory stores live only for one process, so every CLI run starts with an empty memory store\.\nKey: /,
  );
  assert.equal(json.summary, "no cache entry (memory stores start empty in each process)");
});
