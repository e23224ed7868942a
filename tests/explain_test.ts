/** Why a task missed the cache: each reason as a real run records it and `explain` prints it. */

import assert from "node:assert/strict";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, env, job, sh, task } from "../mod.ts";
import { runJob } from "../node/mod.ts";
import type { ExecutionRecord, RunOptions, TaskResult } from "../node/types.ts";
import { makeProject, writeFiles } from "./cache_fixture.ts";
import { cli, MOD_URL } from "./helpers/cli.ts";
import { baseEnv } from "./support/projects.ts";

/** Builds a pipeline whose `build` copies `src/` into `dist/` with `command`, and `app` after it. */
function pipelineWith(command = "cp -R src dist", cache: unknown = "file:local") {
  return definePipeline({
    name: "explain",
    env: { MODE: env.var("MODE", { default: "dev" }) },
    tasks: {
      build: task(
        { inputs: ["src/**"], outputs: ["dist/**"], cache: cache as "file:local" },
        sh`rm -rf dist && ${sh.raw(command)}`,
      ),
      app: task({ dependsOn: ["build"], inputs: ["app/**"], cache: "file:local" }, sh`true`),
    },
    jobs: {
      app: job({ target: "app" }),
      build: job({ target: "build", env: { TOKEN: env.secret("DEPLOY_TOKEN") } }),
    },
  });
}

async function project(): Promise<string> {
  return await makeProject({ "src/a.txt": "a1\n", "src/b.txt": "b1\n", "app/main.txt": "m\n" });
}

function options(dir: string, id = "app", extra: Partial<RunOptions> = {}): RunOptions {
  return { id, cwd: dir, env: baseEnv({ DEPLOY_TOKEN: "token-value-1" }), ...extra };
}

function resultOf(record: ExecutionRecord, id: string): TaskResult {
  const result = record.tasks.find((task) => task.id === id);
  assert.ok(result, `task ${id} is in the record`);
  return result;
}

/** Runs `explain` in text and json form and returns both. */
async function explain(dir: string, args: string[]) {
  const text = await cli(dir, ["explain", ...args]);
  assert.equal(text.code, 0, text.stderr);
  const json = await cli(dir, ["explain", ...args, "--format", "json"]);
  assert.equal(json.code, 0, json.stderr);
  return { text: text.stdout, json: JSON.parse(json.stdout) };
}

const NOTHING_CHANGED = {
  inputs: { added: [], removed: [], changed: [] },
  env: [],
  dependencies: [],
  command: false,
  definition: false,
};

Deno.test("explain an edited input", async () => {
  const dir = await project();
  await runJob(pipelineWith(), options(dir));
  await writeFiles(dir, { "src/a.txt": "a2\n" });
  const record = await runJob(pipelineWith(), options(dir));

  assert.deepEqual(resultOf(record, "build").cacheMiss, {
    kind: "changed",
    ...NOTHING_CHANGED,
    inputs: { added: [], removed: [], changed: ["src/a.txt"] },
  });
  const { text, json } = await explain(dir, ["build"]);
  assert.match(text, /^build in run \S+ \(app, passed, started \S+\)\nStatus: passed\n/);
  assert.match(
    text,
    /It ran because its key differs from the task's most recent cache entry:\n {2}input changed: src\/a\.txt\nKey: [0-9a-f]{64}\n$/,
  );
  assert.equal(json.summary, "input changed: src/a.txt");
  assert.equal(json.runId, record.id);
  assert.equal(json.cacheKey, resultOf(record, "build").cacheKey);
});

Deno.test("explain an added and a deleted input", async () => {
  const dir = await project();
  await runJob(pipelineWith(), options(dir));
  await writeFiles(dir, { "src/c.txt": "c1\n" });
  await rm(join(dir, "src/b.txt"));
  const record = await runJob(pipelineWith(), options(dir));

  assert.deepEqual(resultOf(record, "build").cacheMiss, {
    kind: "changed",
    ...NOTHING_CHANGED,
    inputs: { added: ["src/c.txt"], removed: ["src/b.txt"], changed: [] },
  });
  const { text, json } = await explain(dir, ["build"]);
  assert.match(text, /\n {2}input added: src\/c\.txt\n {2}input removed: src\/b\.txt\n/);
  assert.equal(json.summary, "input added: src/c.txt (+1 more)");
});

Deno.test("explain changed env by name", async () => {
  const dir = await project();
  const first = options(dir, "build", {
    env: baseEnv({ MODE: "alpha-mode-value", DEPLOY_TOKEN: "first-token-value" }),
  });
  await runJob(pipelineWith(), first);
  const second = options(dir, "build", {
    env: baseEnv({ MODE: "beta-mode-value", DEPLOY_TOKEN: "second-token-value" }),
  });
  const record = await runJob(pipelineWith(), second);

  assert.deepEqual(resultOf(record, "build").cacheMiss, {
    kind: "changed",
    ...NOTHING_CHANGED,
    env: ["MODE", "TOKEN"],
  });
  const { text, json } = await explain(dir, ["build"]);
  assert.match(text, /\n {2}env changed: MODE\n {2}env changed: TOKEN\n/);
  assert.equal(json.summary, "env changed: MODE, TOKEN");
  const stored = await readFile(join(dir, ".async/runs", record.id, "execution.json"), "utf8");
  for (const output of [text, JSON.stringify(json), stored]) {
    for (const value of ["alpha-mode", "beta-mode", "first-token", "second-token"]) {
      assert.equal(output.includes(value), false, value);
    }
  }
});

Deno.test("explain a changed dependency", async () => {
  const dir = await project();
  await runJob(pipelineWith(), options(dir));
  await writeFiles(dir, { "src/a.txt": "a2\n" });
  const record = await runJob(pipelineWith(), options(dir));

  assert.deepEqual(resultOf(record, "app").cacheMiss, {
    kind: "changed",
    ...NOTHING_CHANGED,
    dependencies: ["build"],
  });
  const { text, json } = await explain(dir, ["app"]);
  assert.match(text, /\n {2}dependency changed: build \(its cache fingerprint differs\)\n/);
  assert.equal(json.summary, "dependency changed: build");
});

Deno.test("explain names an uncached dependency", async () => {
  const dir = await project();
  await runJob(pipelineWith("cp -R src dist", false), options(dir));
  const record = await runJob(pipelineWith("cp -R src dist", false), options(dir));

  assert.deepEqual(resultOf(record, "app").cacheMiss, {
    kind: "changed",
    ...NOTHING_CHANGED,
    dependencies: ["build"],
  });
  const { text, json } = await explain(dir, ["app"]);
  assert.match(
    text,
    /\n {2}dependency changed: build \(it is not cached, so its fingerprint is new each run\)\n/,
  );
  assert.equal(json.summary, "dependency changed: build");
});

Deno.test("explain a changed command", async () => {
  const dir = await project();
  await runJob(pipelineWith("cp -R src dist"), options(dir));
  const record = await runJob(pipelineWith("cp -R src dist && touch dist/.done"), options(dir));

  assert.deepEqual(resultOf(record, "build").cacheMiss, {
    kind: "changed",
    ...NOTHING_CHANGED,
    command: true,
  });
  const { text, json } = await explain(dir, ["build"]);
  assert.match(text, /\n {2}command changed: the rendered step text differs\n/);
  assert.doesNotMatch(text, /definition changed/);
  assert.equal(json.summary, "command changed");
});

Deno.test("explain a forced run", async () => {
  const dir = await project();
  await runJob(pipelineWith(), options(dir));
  const record = await runJob(pipelineWith(), options(dir, "app", { force: true }));

  assert.deepEqual(resultOf(record, "build").cacheMiss, { kind: "forced" });
  const { text, json } = await explain(dir, ["build"]);
  assert.match(text, /\nIt ran because --force \(or force: true\) ignored its cache entry\.\n/);
  assert.equal(json.summary, "forced to run");
});

Deno.test("explain an expired entry", async () => {
  const dir = await project();
  const pipeline = pipelineWith("cp -R src dist", { store: "file:local", ttlMs: 1 });
  await runJob(pipeline, options(dir));
  const record = await runJob(pipeline, options(dir));

  const miss = resultOf(record, "build").cacheMiss;
  assert.equal(miss?.kind, "expired");
  assert.ok(miss?.kind === "expired");
  assert.equal(miss.ttlMs, 1);
  assert.ok(miss.ageMs >= 1);
  const { text, json } = await explain(dir, ["build"]);
  assert.match(
    text,
    /\nIt ran because its cache entry expired: created at \S+, \d+(ms|\.\ds) before the lookup, with a ttl of 1ms\.\n/,
  );
  assert.match(json.summary, /^cache entry expired \(\d+(ms|\.\ds) old, ttl 1ms\)$/);
});

Deno.test("explain a damaged entry", async () => {
  const dir = await project();
  const first = await runJob(pipelineWith(), options(dir));
  const entry = join(dir, ".async/cache/tasks/local", resultOf(first, "build").cacheKey!);
  const text = await readFile(join(entry, "result.json"), "utf8");
  await writeFile(join(entry, "result.json"), text.slice(0, 40));
  const record = await runJob(pipelineWith(), options(dir));

  const reason = "result.json is not valid JSON (truncated or overwritten)";
  assert.deepEqual(resultOf(record, "build").cacheMiss, { kind: "restore-failed", reason });
  const explained = await explain(dir, ["build"]);
  assert.match(
    explained.text,
    /\nIt ran because its cache entry could not be restored: result\.json is not valid JSON \(truncated or overwritten\)\.\n/,
  );
  assert.match(explained.text, /\nwarning: cache entry [0-9a-f]{12} of task "build" is damaged/);
  assert.equal(explained.json.summary, `restore failed: ${reason}`);
});

Deno.test("explain a hit and an older run", async () => {
  const dir = await project();
  const first = await runJob(pipelineWith(), options(dir));
  const second = await runJob(pipelineWith(), options(dir));
  assert.equal(resultOf(second, "build").cacheHit, true);

  const latest = await explain(dir, ["build"]);
  assert.match(latest.text, /^build in run \S+ .*\nStatus: passed \(cache hit\)\n/);
  assert.match(latest.text, /\nIt was restored from the cache instead of running\.\n/);
  assert.equal(latest.json.runId, second.id);
  assert.equal(latest.json.cacheHit, true);
  assert.equal(latest.json.summary, undefined);

  const older = await explain(dir, ["build", "--run", first.id]);
  assert.equal(older.json.runId, first.id);
  assert.deepEqual(older.json.cacheMiss, { kind: "no-entry" });
  assert.match(
    older.text,
    /\nIt ran because its cache store has no entry for the task: none was stored yet/,
  );
});

Deno.test("explain warns about an unreadable newer record", async () => {
  const dir = await project();
  const first = await runJob(pipelineWith(), options(dir));
  const second = await runJob(pipelineWith(), options(dir));
  await writeFile(join(dir, ".async/runs", second.id, "execution.json"), '{"trunc');

  const result = await cli(dir, ["explain", "build"]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`^build in run ${first.id} `));
  assert.match(
    result.stderr,
    new RegExp(`^warning: passed over the unreadable record of newer runs \\(${second.id}\\)`),
  );
});

Deno.test("explain names an only unreadable record", async () => {
  const dir = await project();
  const only = await runJob(pipelineWith(), options(dir));
  await writeFile(join(dir, ".async/runs", only.id, "execution.json"), '{"trunc');

  const result = await cli(dir, ["explain", "build"]);

  assert.equal(result.code, 1);
  assert.ok(
    result.stderr.startsWith(
      'error[ASYNC_PIPELINE_UNKNOWN_TASK]: No readable recorded run includes task "build". ' +
        `The records of these runs could not be read and were passed over: ${only.id}.\n`,
    ),
    result.stderr,
  );
  assert.match(result.stderr, /hint: `async-pipeline explain build --run <id>` names the error/);
  const doctor = await cli(dir, ["doctor", "--format", "json"]);
  assert.deepEqual(JSON.parse(doctor.stdout).runs.unreadable, [only.id]);
});

/** Writes a pipeline file with tasks `build` and `hang` and runs job `b`, which builds only. */
async function projectWithPipelineFile(): Promise<string> {
  const dir = await makeProject({
    "pipeline.ts": `import { definePipeline, job, sh, task } from ${JSON.stringify(MOD_URL)};
export default definePipeline({
  name: "explain",
  tasks: { build: task({ run: sh\`true\` }), hang: task({ run: sh\`true\` }) },
  jobs: { b: job({ target: "build" }) },
});
`,
  });
  const run = await cli(dir, ["run", "b"], baseEnv());
  assert.equal(run.code, 0, run.stderr);
  return dir;
}

Deno.test("explain names a task the pipeline lacks", async () => {
  const dir = await projectWithPipelineFile();
  const result = await cli(dir, ["explain", "buld"]);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /^error\[ASYNC_PIPELINE_UNKNOWN_TASK\]: "buld" is not a task of the pipeline in pipeline\.ts\.\n/,
  );
  assert.match(result.stderr, /hint: Did you mean "build"\?/);
});

Deno.test("explain lists tasks without a near match", async () => {
  const dir = await projectWithPipelineFile();
  const result = await cli(dir, ["explain", "nope"]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /"nope" is not a task of the pipeline/);
  assert.match(result.stderr, /hint: Tasks: build, hang\./);
});

Deno.test("explain a task no run includes yet", async () => {
  const dir = await projectWithPipelineFile();
  const result = await cli(dir, ["explain", "hang"]);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /^error\[ASYNC_PIPELINE_UNKNOWN_TASK\]: No recorded run includes task "hang"\.\n/,
  );
});

Deno.test("explain without a matching run fails", async () => {
  const dir = await project();
  const none = await cli(dir, ["explain", "build"]);
  assert.equal(none.code, 1);
  assert.match(
    none.stderr,
    /^error\[ASYNC_PIPELINE_RUN_NOT_FOUND\]: No run is recorded in \.async\/runs\./,
  );

  const record = await runJob(pipelineWith(), options(dir));
  const unknown = await cli(dir, ["explain", "biuld"]);
  assert.equal(unknown.code, 1);
  assert.match(
    unknown.stderr,
    /^error\[ASYNC_PIPELINE_UNKNOWN_TASK\]: No recorded run includes task "biuld"\.\n {2}hint: Did you mean "build"\?/,
  );
  const notInRun = await cli(dir, ["explain", "deploy", "--run", record.id]);
  assert.match(
    notInRun.stderr,
    /^error\[ASYNC_PIPELINE_UNKNOWN_TASK\]: Task "deploy" is not part of run \S+ \(app\)\.\n {2}hint: Tasks of that run: build, app\./,
  );
  const badId = await cli(dir, ["explain", "build", "--run", "../../etc"]);
  assert.match(
    badId.stderr,
    /^error\[ASYNC_PIPELINE_RUN_NOT_FOUND\]: "\.\.\/\.\.\/etc" is not a run id/,
  );
  const missing = await cli(dir, ["explain", "build", "--run", "20250102T030405678Z-9f3a1c"]);
  assert.match(
    missing.stderr,
    /^error\[ASYNC_PIPELINE_RUN_NOT_FOUND\]: Run "20250102T030405678Z-9f3a1c" has no record at /,
  );
  const usage = await cli(dir, ["explain"]);
  assert.match(
    usage.stderr,
    /^error\[ASYNC_PIPELINE_USAGE\]: explain expects one task id, got none\./,
  );
});

Deno.test("explain a task stopped by requirements", async () => {
  const dir = await makeProject({});
  const pipeline = definePipeline({
    name: "needs-tool",
    tasks: { tf: task({ requires: { tools: ["terraform-missing-tool"] } }, sh`terraform plan`) },
    jobs: { tf: job({ target: "tf" }) },
  });
  await assert.rejects(runJob(pipeline, { id: "tf", cwd: dir, env: baseEnv() }));
  await writeFile(
    join(dir, "pipeline.ts"),
    `import { definePipeline, job, sh, task } from ${
      JSON.stringify(new URL("../mod.ts", import.meta.url).href)
    };
export default definePipeline({
  name: "needs-tool",
  tasks: { tf: task({ requires: { tools: ["terraform-missing-tool"] } }, sh\`terraform plan\`) },
  jobs: { tf: job({ target: "tf" }) },
});
`,
  );
  const result = await cli(dir, ["explain", "tf"]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    /It did not run: the run stopped first\. ASYNC_PIPELINE_MISSING_TOOL: /,
  );
});
