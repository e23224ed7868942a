/** The executor in the cache key: recording and sandbox runs never share entries with host runs. */

import assert from "node:assert/strict";
import { join } from "node:path";
import { mkdir, readFile } from "node:fs/promises";
import { definePipeline, job, sandbox, sh, task } from "../mod.ts";
import { HostCommandExecutor } from "../node/executor/host.ts";
import { planJob, RecordingExecutor, runJob } from "../node/mod.ts";
import type { ExecutionRecord, TaskResult } from "../node/types.ts";
import { diffManifests, type KeyManifest } from "../node/cache/manifest.ts";
import { makeProject } from "./cache_fixture.ts";
import { baseEnv } from "./support/projects.ts";
import { writeStandIns } from "./support/standins.ts";
import { missSummary } from "../cli/presenters/miss.ts";

const pipeline = definePipeline({
  name: "executors",
  cache: "file:local",
  tasks: {
    build: task(
      { inputs: ["src/**"], outputs: ["dist/**"] },
      sh`mkdir -p dist && cp src/a.ts dist/a.js && echo real-build`,
    ),
  },
  jobs: { verify: job({ target: "build" }) },
});

/** Returns a recording executor whose build prints `fake` and writes nothing. */
function recording(): RecordingExecutor {
  return new RecordingExecutor({ results: [{ match: "mkdir", stdout: "fake\n" }] });
}

/** Runs the job in `dir`, on the host unless an executor is given. */
function run(dir: string, executor?: RecordingExecutor): Promise<ExecutionRecord> {
  return runJob(pipeline, {
    id: "verify",
    cwd: dir,
    env: baseEnv(),
    executor: executor ?? new HostCommandExecutor({ path: baseEnv().PATH }),
  });
}

function build(record: ExecutionRecord): TaskResult {
  const result = record.tasks.find((task) => task.id === "build");
  assert.ok(result, "the record has a build task");
  return result;
}

Deno.test("host run after a recording run builds for real", async () => {
  const dir = await makeProject({ "src/a.ts": "export const a = 1;\n" });
  assert.equal(build(await run(dir, recording())).status, "passed");
  const host = build(await run(dir));
  assert.equal(host.cacheHit, false);
  assert.equal(await readFile(join(dir, "dist/a.js"), "utf8"), "export const a = 1;\n");
});

Deno.test("host miss after a recording run names the executors", async () => {
  const dir = await makeProject({ "src/a.ts": "a\n" });
  await run(dir, recording());
  const host = build(await run(dir));
  assert.deepEqual(host.cacheMiss, {
    kind: "changed",
    inputs: { added: [], removed: [], changed: [] },
    env: [],
    dependencies: [],
    command: false,
    definition: false,
    executor: { before: "recording", after: "host" },
  });
});

Deno.test("recording run after a host run misses", async () => {
  const dir = await makeProject({ "src/a.ts": "a\n" });
  await run(dir);
  const recorded = build(await run(dir, recording()));
  assert.equal(recorded.cacheHit, false);
  assert.equal(recorded.cacheMiss?.kind, "changed");
});

/** Creates a project whose build may run in a docker sandbox, with stand-in programs on PATH. */
async function sandboxProject() {
  const dir = await makeProject({ "src/a.ts": "a\n" });
  const bin = join(dir, ".bin");
  await mkdir(bin);
  const standIns = await writeStandIns(bin);
  const withSandbox = definePipeline({
    name: "executors",
    cache: "file:local",
    sandboxes: { docker: sandbox.docker({ image: "node:24" }) },
    tasks: { build: task({ inputs: ["src/**"] }, sh`cat src/a.ts`) },
    jobs: { verify: job({ target: "build" }) },
  });
  return { withSandbox, options: { id: "verify", cwd: dir, env: standIns.env() } };
}

Deno.test("docker sandbox run after a host run misses", async () => {
  const { withSandbox, options } = await sandboxProject();
  await runJob(withSandbox, options);
  const docker = build(await runJob(withSandbox, { ...options, sandbox: "docker" }));
  assert.equal(docker.cacheHit, false);
  assert.deepEqual(
    docker.cacheMiss?.kind === "changed" && docker.cacheMiss.executor,
    { before: "host", after: "docker" },
  );
});

Deno.test("dry run with a sandbox predicts the sandbox run's key", async () => {
  const project = await sandboxProject();
  const withSandbox = project.withSandbox;
  const options = { ...project.options, sandbox: "docker" };
  const plan = await planJob(withSandbox, options);
  const docker = build(await runJob(withSandbox, options));
  assert.equal(plan.tasks[0].cacheKey, docker.cacheKey);
  const again = await planJob(withSandbox, options);
  assert.equal(again.tasks[0].cacheHit, true);
});

Deno.test("manifest diff treats a missing executor as the host", () => {
  const base: KeyManifest = {
    keyVersion: 2,
    taskId: "build",
    command: "c",
    definition: "d",
    inputs: {},
    env: {},
    dependencies: {},
  };
  assert.equal(diffManifests(base, base).executor, undefined);
  assert.deepEqual(diffManifests(base, { ...base, executor: "docker" }).executor, {
    before: "host",
    after: "docker",
  });
});

Deno.test("run summary names an executor change", () => {
  const reason = {
    kind: "changed" as const,
    inputs: { added: [], removed: [], changed: [] },
    env: [],
    dependencies: [],
    command: false,
    definition: false,
    executor: { before: "recording", after: "host" },
  };
  assert.equal(missSummary(reason), "executor changed: recording -> host");
  assert.equal(
    missSummary({ ...reason, executor: undefined, secretKeyReplaced: "missing" }),
    "secret key replaced",
  );
});
