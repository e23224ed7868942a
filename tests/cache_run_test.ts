/** The task cache end to end: runJob and the CLI with real processes and files. */

import assert from "node:assert/strict";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, env, job, sh, task } from "../mod.ts";
import { runJob } from "../node/mod.ts";
import { hostJobRunner } from "../cli/commands/github.ts";
import { BufferSink } from "../cli/io.ts";
import type { ExecutionRecord, TaskResult } from "../node/types.ts";
import { makeProject as makeCacheProject, readText, writeFiles } from "./cache_fixture.ts";
import { baseEnv, makeProject, readLatestRecord, runCli } from "./support/projects.ts";

/** Builds a pipeline whose tasks append their id to `log` each time they really run. */
function graphPipeline(log: string) {
  return definePipeline({
    name: "cached-graph",
    cache: "file:local",
    tasks: {
      lib: task(
        { inputs: ["lib/**"], outputs: ["dist/lib/**"] },
        sh`mkdir -p dist/lib && cp lib/index.txt dist/lib/index.txt && chmod 755 dist/lib/index.txt && echo lib >> ${log} && echo built lib`,
      ),
      app: task(
        { dependsOn: ["lib"], inputs: ["app/**"], outputs: ["dist/app.txt"] },
        sh`cat dist/lib/index.txt app/main.txt > dist/app.txt && echo app >> ${log}`,
      ),
      docs: task({ inputs: ["docs/**"] }, sh`echo docs >> ${log}`),
    },
    jobs: { all: job({ target: ["app", "docs"] }) },
  });
}

async function graphProject() {
  const dir = await makeCacheProject({
    "lib/index.txt": "lib v1\n",
    "app/main.txt": "app v1\n",
    "docs/readme.md": "docs\n",
  });
  const log = join(await makeCacheProject(), "runs.log");
  await writeFile(log, "");
  return { dir, log, pipeline: graphPipeline(log) };
}

/** Returns the task ids logged since `before` lines, sorted. */
async function ranSince(log: string, before: number): Promise<string[]> {
  const lines = (await readFile(log, "utf8")).split("\n").filter((line) => line !== "");
  return lines.slice(before).sort();
}

async function logLength(log: string): Promise<number> {
  return (await readFile(log, "utf8")).split("\n").filter((line) => line !== "").length;
}

function byId(record: ExecutionRecord): Record<string, TaskResult> {
  return Object.fromEntries(record.tasks.map((result) => [result.id, result]));
}

Deno.test("runJob second run is all cached", async () => {
  const { dir, log, pipeline } = await graphProject();
  const first = await runJob(pipeline, { id: "all", cwd: dir, env: baseEnv() });
  assert.equal(first.status, "passed");
  assert.deepEqual(await ranSince(log, 0), ["app", "docs", "lib"]);
  for (const result of first.tasks) {
    assert.equal(result.cacheHit, false);
    assert.deepEqual(result.cacheMiss, { kind: "no-entry" });
    assert.match(result.cacheKey ?? "", /^[0-9a-f]{64}$/);
  }

  const second = await runJob(pipeline, { id: "all", cwd: dir, env: baseEnv() });
  assert.equal(second.status, "passed");
  assert.deepEqual(await ranSince(log, 3), []);
  for (const result of second.tasks) {
    assert.equal(result.cacheHit, true, result.id);
    assert.equal(result.attempts, 0);
    assert.equal(result.cacheMiss, undefined);
  }
  assert.equal(byId(second).lib.cacheKey, byId(first).lib.cacheKey);
  const { dir: runDir } = await readLatestRecord(dir);
  assert.equal(await readFile(join(runDir, byId(second).lib.logs!.stdout!), "utf8"), "built lib\n");
});

Deno.test("runJob force reruns and refreshes", async () => {
  const { dir, log, pipeline } = await graphProject();
  await runJob(pipeline, { id: "all", cwd: dir, env: baseEnv() });
  const forced = await runJob(pipeline, { id: "all", cwd: dir, env: baseEnv(), force: true });
  assert.deepEqual(await ranSince(log, 3), ["app", "docs", "lib"]);
  for (const result of forced.tasks) {
    assert.equal(result.cacheHit, false);
    assert.deepEqual(result.cacheMiss, { kind: "forced" });
  }
  const after = await runJob(pipeline, { id: "all", cwd: dir, env: baseEnv() });
  assert.ok(after.tasks.every((result) => result.cacheHit));
});

Deno.test("runJob edited input reruns dependents only", async () => {
  const { dir, log, pipeline } = await graphProject();
  await runJob(pipeline, { id: "all", cwd: dir, env: baseEnv() });

  await writeFiles(dir, { "app/main.txt": "app v2\n" });
  let before = await logLength(log);
  const appEdit = await runJob(pipeline, { id: "all", cwd: dir, env: baseEnv() });
  assert.deepEqual(await ranSince(log, before), ["app"]);
  assert.deepEqual(byId(appEdit).app.cacheMiss, {
    kind: "changed",
    inputs: { added: [], removed: [], changed: ["app/main.txt"] },
    env: [],
    dependencies: [],
    command: false,
    definition: false,
  });
  assert.equal(await readText(dir, "dist/app.txt"), "lib v1\napp v2\n");

  await writeFiles(dir, { "lib/index.txt": "lib v2\n" });
  before = await logLength(log);
  const libEdit = await runJob(pipeline, { id: "all", cwd: dir, env: baseEnv() });
  assert.deepEqual(await ranSince(log, before), ["app", "lib"]);
  assert.equal(byId(libEdit).docs.cacheHit, true);
  assert.deepEqual(
    (byId(libEdit).app.cacheMiss as { dependencies: string[] }).dependencies,
    ["lib"],
  );
  assert.equal(await readText(dir, "dist/app.txt"), "lib v2\napp v2\n");
});

Deno.test("runJob restores deleted outputs", async () => {
  const { dir, log, pipeline } = await graphProject();
  await runJob(pipeline, { id: "all", cwd: dir, env: baseEnv() });
  await rm(join(dir, "dist"), { recursive: true });
  const restored = await runJob(pipeline, { id: "all", cwd: dir, env: baseEnv() });
  assert.deepEqual(await ranSince(log, 3), []);
  assert.ok(restored.tasks.every((result) => result.cacheHit));
  assert.equal(await readText(dir, "dist/lib/index.txt"), "lib v1\n");
  assert.equal((await stat(join(dir, "dist/lib/index.txt"))).mode & 0o777, 0o755);
  assert.equal(await readText(dir, "dist/app.txt"), "lib v1\napp v1\n");
});

Deno.test("runJob does not store inputs edited mid-run", async () => {
  const dir = await makeCacheProject({ "src/a.txt": "a" });
  const pipeline = definePipeline({
    name: "self-editing",
    tasks: {
      touchy: task({ inputs: ["src/**"], cache: true }, sh`echo more >> src/a.txt`),
    },
    jobs: { touchy: job({ target: "touchy" }) },
  });
  const record = await runJob(pipeline, { id: "touchy", cwd: dir, env: baseEnv() });
  assert.equal(record.status, "passed");
  assert.deepEqual(record.tasks[0].warnings, [
    'inputs of task "touchy" changed while it ran (src/a.txt), so its result was not cached.',
  ]);
  const again = await runJob(pipeline, { id: "touchy", cwd: dir, env: baseEnv() });
  assert.equal(again.tasks[0].cacheHit, false);
  assert.deepEqual(again.tasks[0].cacheMiss, { kind: "no-entry" });
});

Deno.test("runJob secret env enters key masked", async () => {
  const dir = await makeCacheProject({ "src/a.txt": "a" });
  const pipeline = definePipeline({
    name: "secret-key",
    tasks: { deploy: task({ inputs: ["src/**"], cache: true }, sh`echo "token $TOKEN"`) },
    jobs: {
      deploy: job({ target: "deploy", env: { TOKEN: env.secret("DEPLOY_TOKEN") } }),
    },
  });
  const withToken = (token: string) => baseEnv({ DEPLOY_TOKEN: token });
  await runJob(pipeline, { id: "deploy", cwd: dir, env: withToken("first-secret-value") });
  const same = await runJob(pipeline, {
    id: "deploy",
    cwd: dir,
    env: withToken("first-secret-value"),
  });
  assert.equal(same.tasks[0].cacheHit, true);
  const rotated = await runJob(pipeline, {
    id: "deploy",
    cwd: dir,
    env: withToken("second-secret-value"),
  });
  assert.equal(rotated.tasks[0].cacheHit, false);
  assert.deepEqual((rotated.tasks[0].cacheMiss as { env: string[] }).env, ["TOKEN"]);
  const cacheFiles = await Array.fromAsync(Deno.readDir(join(dir, ".async/cache/tasks/local")));
  for (const entry of cacheFiles.filter((item) => item.isDirectory && item.name.length === 64)) {
    const text = await readFile(
      join(dir, ".async/cache/tasks/local", entry.name, "result.json"),
      "utf8",
    );
    assert.equal(text.includes("secret-value"), false);
  }
});

const CLI_PIPELINE = `
import { definePipeline, job, sh, task } from "@mod";

export default definePipeline({
  name: "cli-cache",
  cache: "file:local",
  tasks: {
    build: task(
      { inputs: ["src/**"], outputs: ["dist/**"] },
      sh\`mkdir -p dist && cp src/a.txt dist/a.txt && echo building\`,
    ),
    test: task({ dependsOn: ["build"], inputs: ["test/**"] }, sh\`cat dist/a.txt\`),
  },
  jobs: { verify: job({ target: "test" }) },
});
`;

Deno.test("cli run caches and forces", async () => {
  const dir = await makeProject(CLI_PIPELINE);
  await writeFiles(dir, { "src/a.txt": "a\n", "test/t.txt": "t\n" });
  const first = await runCli(dir, ["run", "verify", "--concurrency", "1"]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /2 passed, 0 cached, 0 failed, 0 skipped/);

  await rm(join(dir, "dist"), { recursive: true });
  const second = await runCli(dir, ["run", "verify", "--format", "json"]);
  assert.equal(second.code, 0, second.stderr);
  const record = JSON.parse(second.stdout) as ExecutionRecord;
  assert.deepEqual(record.tasks.map((result) => result.cacheHit), [true, true]);
  assert.equal(await readText(dir, "dist/a.txt"), "a\n");

  const forced = await runCli(dir, ["run", "verify", "--force", "--format", "json"]);
  assert.equal(forced.code, 0, forced.stderr);
  const forcedRecord = JSON.parse(forced.stdout) as ExecutionRecord;
  assert.deepEqual(forcedRecord.tasks.map((result) => result.cacheMiss), [
    { kind: "forced" },
    { kind: "forced" },
  ]);

  const cleared = await runCli(dir, ["cache", "clear"]);
  assert.equal(cleared.code, 0, cleared.stderr);
  assert.match(cleared.stdout, /^Removed 2 cache entries, freeing /);
  const afterClear = await runCli(dir, ["run", "verify", "--format", "json"]);
  const afterRecord = JSON.parse(afterClear.stdout) as ExecutionRecord;
  assert.deepEqual(afterRecord.tasks.map((result) => result.cacheMiss), [
    { kind: "no-entry" },
    { kind: "no-entry" },
  ]);
});

Deno.test("github job runner uses the cache", async () => {
  const { dir, log, pipeline } = await graphProject();
  const stdout = new BufferSink();
  const runner = hostJobRunner({
    cwd: dir,
    env: baseEnv(),
    stdout,
    stderr: new BufferSink(),
    signal: new AbortController().signal,
    debug: false,
  });
  const first = await runner(pipeline, { id: "all", cwd: dir, env: baseEnv() });
  assert.equal(first.status, "passed");
  const second = await runner(pipeline, { id: "all", cwd: dir, env: baseEnv() });
  assert.deepEqual(second.tasks.map((result) => result.cacheHit), [true, true, true]);
  assert.deepEqual(await ranSince(log, 3), []);
});

Deno.test("cache refuses outputs holding a secret", async () => {
  const dir = await makeCacheProject({});
  const secret = "s3cr3t-output-value-123";
  const pipeline = definePipeline({
    name: "leaky-output",
    cache: "file:local",
    tasks: {
      config: task(
        { inputs: [], outputs: ["cfg/**"] },
        sh`mkdir -p cfg && echo "token=$TOKEN" > cfg/npmrc`,
      ),
    },
    jobs: { config: job({ target: "config", env: { TOKEN: env.secret("NPM_TOKEN") } }) },
  });
  const runEnv = { ...baseEnv(), NPM_TOKEN: secret };
  const first = await runJob(pipeline, { id: "config", cwd: dir, env: runEnv });
  assert.equal(first.status, "passed");
  assert.match(
    first.tasks[0].warnings?.join("\n") ?? "",
    /output cfg\/npmrc contains a secret value/,
  );
  const second = await runJob(pipeline, { id: "config", cwd: dir, env: runEnv });
  assert.equal(second.tasks[0].cacheHit, false);
  const grep = await new Deno.Command("grep", {
    args: ["-rl", secret, join(dir, ".async/cache")],
    stdout: "piped",
  }).output();
  assert.equal(new TextDecoder().decode(grep.stdout), "");
});

Deno.test("cache keeps meta intact with short secrets", async () => {
  const dir = await makeCacheProject({});
  const pipeline = definePipeline({
    name: "short-secret",
    cache: "file:local",
    tasks: {
      check: task({ inputs: [] }, (ctx) => {
        ctx.meta({ ok: true, count: 2, label: "retry" });
      }),
    },
    jobs: { check: job({ target: "check", env: { TOKEN: env.secret("TOKEN") } }) },
  });
  const runEnv = { ...baseEnv(), TOKEN: "e" };
  const first = await runJob(pipeline, { id: "check", cwd: dir, env: runEnv });
  assert.equal(first.tasks[0].warnings, undefined);
  const second = await runJob(pipeline, { id: "check", cwd: dir, env: runEnv });
  assert.equal(second.tasks[0].cacheHit, true);
  assert.deepEqual(second.tasks[0].meta, { ok: true, count: 2, "lab***l": "r***try" });
});

Deno.test("unsavable file index warns", async () => {
  const { dir, pipeline } = await graphProject();
  // A directory where the index file belongs can never be replaced by the saved file.
  await mkdir(join(dir, ".async/cache/file-index.json", "blocker"), { recursive: true });
  const record = await runJob(pipeline, { id: "all", cwd: dir, env: baseEnv() });
  assert.equal(record.status, "passed");
  const warning = (record.warnings ?? []).find((text) => text.includes("file-state index"));
  assert.ok(warning, JSON.stringify(record.warnings));
  assert.match(warning, /could not be saved to .*file-index\.json/);
});
