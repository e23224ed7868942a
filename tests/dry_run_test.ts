/** Dry runs: predictions against the real run that follows, and a dry run's lack of effects. */

import assert from "node:assert/strict";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, env, job, sh, task } from "../mod.ts";
import { planJob, runJob } from "../node/mod.ts";
import type { JobPlan } from "../node/mod.ts";
import { acquireRunLock, RUN_LOCK_PATH } from "../node/lock.ts";
import type { ExecutionRecord } from "../node/types.ts";
import { makeProject, writeFiles } from "./cache_fixture.ts";
import { snapshot } from "./support/snapshot.ts";
import { cli, MOD_URL } from "./helpers/cli.ts";
import { baseEnv } from "./support/projects.ts";

/**
 * lib -> app -> deploy (not cached), docs -> check. `app` reads what `lib`
 * writes, and `check` reads nothing that `docs` writes.
 */
function graphPipeline() {
  return definePipeline({
    name: "dry-graph",
    cache: "file:local",
    tasks: {
      lib: task(
        { inputs: ["lib/**"], outputs: ["dist/lib/**"] },
        sh`mkdir -p dist/lib && cp lib/index.txt dist/lib/index.txt && chmod 755 dist/lib/index.txt`,
      ),
      app: task(
        { dependsOn: ["lib"], inputs: ["app/**", "dist/lib/**"], outputs: ["dist/app.txt"] },
        sh`cat dist/lib/index.txt app/main.txt > dist/app.txt`,
      ),
      deploy: task({ dependsOn: ["app"], cache: false }, sh`echo deploying`),
      docs: task(
        { inputs: ["docs/**"], outputs: ["site/**"] },
        sh`mkdir -p site && cp docs/* site/`,
      ),
      check: task({ dependsOn: ["docs"], inputs: ["check/**"] }, sh`echo checked`),
    },
    jobs: { all: job({ target: ["deploy", "check"] }) },
  });
}

async function graphProject(): Promise<string> {
  return await makeProject({
    "lib/index.txt": "lib v1\n",
    "app/main.txt": "app v1\n",
    "docs/guide.md": "guide\n",
    "check/rules.txt": "rules\n",
  });
}

/** Asserts that `plan` predicted what `record` shows, task by task. */
function assertPredicted(plan: JobPlan, record: ExecutionRecord): void {
  assert.deepEqual(plan.tasks.map((task) => task.id), record.tasks.map((result) => result.id));
  for (const [position, planned] of plan.tasks.entries()) {
    const result = record.tasks[position];
    assert.equal(planned.certain, true, `${planned.id} is certain`);
    assert.equal(planned.cacheHit, result.cacheHit, `${planned.id} cache hit`);
    assert.equal(planned.cacheMiss?.kind, result.cacheMiss?.kind, `${planned.id} miss kind`);
    if (planned.cacheKey !== undefined) {
      assert.equal(planned.cacheKey, result.cacheKey, `${planned.id} key`);
      assert.deepEqual(planned.cacheMiss, result.cacheMiss, `${planned.id} miss reason`);
    }
  }
}

function byId(plan: JobPlan) {
  return Object.fromEntries(plan.tasks.map((task) => [task.id, task]));
}

/** Maps each planned task id to its predicted cache hit. */
function hits(plan: JobPlan): Record<string, boolean> {
  return Object.fromEntries(plan.tasks.map((task) => [task.id, task.cacheHit]));
}

function keyOf(record: ExecutionRecord, id: string): string | undefined {
  return record.tasks.find((result) => result.id === id)?.cacheKey;
}

Deno.test("dry run predicts the half-cached run", async () => {
  const dir = await graphProject();
  const pipeline = graphPipeline();
  const options = { id: "all", cwd: dir, env: baseEnv() };
  await runJob(pipeline, options);

  // lib misses, so app and deploy run; docs and check come from the cache,
  // and docs must first put back its deleted output.
  await writeFiles(dir, { "lib/index.txt": "lib v2\n" });
  await rm(join(dir, "site"), { recursive: true });
  const plan = await planJob(pipeline, options);
  const record = await runJob(pipeline, options);
  assertPredicted(plan, record);

  const tasks = byId(plan);
  assert.deepEqual(hits(plan), {
    lib: false,
    app: false,
    deploy: false,
    docs: true,
    check: true,
  });
  assert.deepEqual(tasks.lib.cacheMiss, {
    kind: "changed",
    inputs: { added: [], removed: [], changed: ["lib/index.txt"] },
    env: [],
    dependencies: [],
    command: false,
    definition: false,
  });
  assert.equal(tasks.app.cacheKey, undefined);
  assert.match(tasks.app.note ?? "", /"lib" writes its inputs first/);
  assert.deepEqual(tasks.deploy.cacheMiss, { kind: "uncacheable" });
  assert.equal(tasks.check.cacheKey, keyOf(record, "check"));
});

Deno.test("dry run predicts restores of inputs", async () => {
  const dir = await graphProject();
  const pipeline = graphPipeline();
  const options = { id: "all", cwd: dir, env: baseEnv() };
  await runJob(pipeline, options);

  // lib's restore puts back a file that app reads, so app is still a hit.
  await rm(join(dir, "dist"), { recursive: true });
  const plan = await planJob(pipeline, options);
  const record = await runJob(pipeline, options);
  assertPredicted(plan, record);
  assert.deepEqual(hits(plan), { lib: true, app: true, deploy: false, docs: true, check: true });
  assert.equal(byId(plan).app.cacheKey, keyOf(record, "app"));
});

Deno.test("dry run forced and uncached dependents", async () => {
  const dir = await graphProject();
  const pipeline = graphPipeline();
  const options = { id: "all", cwd: dir, env: baseEnv() };
  await runJob(pipeline, options);

  const forced = await planJob(pipeline, { ...options, force: true });
  const record = await runJob(pipeline, { ...options, force: true });
  assertPredicted(forced, record);
  assert.equal(forced.force, true);
  assert.deepEqual(
    Object.fromEntries(forced.tasks.map((task) => [task.id, task.cacheMiss?.kind])),
    { lib: "forced", app: "forced", deploy: "uncacheable", docs: "forced", check: "forced" },
  );
});

Deno.test("dry run flags an unsettled prediction", async () => {
  const dir = await graphProject();
  const pipeline = definePipeline({
    name: "ttl-graph",
    tasks: {
      lib: task(
        { inputs: ["lib/**"], outputs: ["dist/lib/**"], cache: { store: "file:local", ttlMs: 1 } },
        sh`mkdir -p dist/lib && cp lib/index.txt dist/lib/index.txt`,
      ),
      app: task(
        { dependsOn: ["lib"], inputs: ["dist/lib/**"], cache: "file:local" },
        sh`cat dist/lib/index.txt`,
      ),
    },
    jobs: { app: job({ target: "app" }) },
  });
  const options = { id: "app", cwd: dir, env: baseEnv() };
  await runJob(pipeline, options);

  // lib has expired and reruns with its old key; what it writes decides app.
  const plan = await planJob(pipeline, options);
  const [lib, app] = plan.tasks;
  assert.equal(lib.cacheMiss?.kind, "expired");
  assert.equal(lib.certain, true);
  assert.equal(app.certain, false);
  assert.equal(app.cacheHit, true);
  assert.match(app.note ?? "", /"lib" writes its inputs first.*may have to run it instead/);
  const record = await runJob(pipeline, options);
  assert.equal(record.tasks[1].cacheHit, true);
});

Deno.test("dry run changes nothing under .async", async () => {
  const dir = await graphProject();
  const pipeline = graphPipeline();
  const options = { id: "all", cwd: dir, env: baseEnv() };

  await planJob(pipeline, options);
  assert.deepEqual(await snapshot(join(dir, ".async")), ["(missing)"]);

  await runJob(pipeline, options);
  await writeFiles(dir, { "lib/index.txt": "lib v2\n", "docs/new.md": "new\n" });
  await rm(join(dir, "site"), { recursive: true });
  const before = await snapshot(join(dir, ".async"));
  const project = await snapshot(dir);
  await planJob(pipeline, options);
  await planJob(pipeline, { ...options, force: true });
  assert.deepEqual(await snapshot(join(dir, ".async")), before);
  assert.deepEqual(await snapshot(dir), project);
});

Deno.test("dry run works while a run holds the lock", async () => {
  const dir = await graphProject();
  const pipeline = graphPipeline();
  const lock = await acquireRunLock(dir, "20250102T030405678Z-9f3a1c");
  try {
    const lockText = await readFile(join(dir, RUN_LOCK_PATH), "utf8");
    const plan = await planJob(pipeline, { id: "all", cwd: dir, env: baseEnv() });
    assert.deepEqual(plan.activeRun, {
      pid: Deno.pid,
      runId: "20250102T030405678Z-9f3a1c",
      startedAt: lock.info.startedAt,
    });
    assert.equal(plan.tasks.length, 5);
    assert.equal(await readFile(join(dir, RUN_LOCK_PATH), "utf8"), lockText);
    await assert.rejects(
      runJob(pipeline, { id: "all", cwd: dir, env: baseEnv() }),
      { code: "ASYNC_PIPELINE_RUN_ACTIVE" },
    );
  } finally {
    await lock.release();
  }
  const free = await planJob(pipeline, { id: "all", cwd: dir, env: baseEnv() });
  assert.equal(free.activeRun, undefined);
});

const secretPipeline = () =>
  definePipeline({
    name: "dry-secret",
    cache: "file:local",
    env: { TOKEN: env.secret("DEPLOY_TOKEN"), MODE: env.var("MODE", { default: "dev" }) },
    tasks: {
      publish: task({ inputs: ["src/**"] }, sh`echo publishing with ${env.secret("DEPLOY_TOKEN")}`),
    },
    jobs: { publish: job({ target: "publish" }) },
  });

Deno.test("dry run reports a missing secret as a run", async () => {
  const dir = await makeProject({ "src/a.txt": "a" });
  const options = { id: "publish", cwd: dir, env: baseEnv() };
  const runError = await runJob(secretPipeline(), options).catch((error) => error);
  const planError = await planJob(secretPipeline(), options).catch((error) => error);
  assert.equal(planError.code, "ASYNC_PIPELINE_MISSING_SECRET");
  assert.equal(planError.code, runError.code);
  assert.equal(planError.message, runError.message);
});

Deno.test("dry run never shows secret values", async () => {
  const dir = await makeProject({ "src/a.txt": "a" });
  const options = { id: "publish", cwd: dir, env: baseEnv({ DEPLOY_TOKEN: "tok-9f8e7d6c5b" }) };
  const first = await planJob(secretPipeline(), options);
  // No secret-digest key exists yet: the run creates one, so the key is not final.
  assert.equal(first.tasks[0].cacheKey, undefined);
  assert.match(first.tasks[0].note ?? "", /secret-digest key/);
  assert.deepEqual(first.env, [
    { name: "TOKEN", kind: "secret" },
    { name: "MODE", kind: "var", value: "dev" },
  ]);

  const record = await runJob(secretPipeline(), options);
  const plan = await planJob(secretPipeline(), options);
  assert.equal(plan.tasks[0].cacheHit, true);
  assert.equal(plan.tasks[0].cacheKey, record.tasks[0].cacheKey);

  const text = await cli(
    dir,
    ["run", "publish", "--dry-run", "--config", await pipelineFile(dir)],
    {
      ...options.env,
    },
  );
  const json = await cli(
    dir,
    ["run", "publish", "--dry-run", "--format", "json", "--config", await pipelineFile(dir)],
    options.env,
  );
  for (const output of [JSON.stringify(first), JSON.stringify(plan), text.stdout, json.stdout]) {
    assert.equal(output.includes("tok-9f8e7d6c5b"), false);
  }
  assert.match(text.stdout, /env: TOKEN \(secret\), MODE=dev/);
});

/** Writes the secret pipeline as a file, for CLI runs, and returns its path. */
async function pipelineFile(dir: string): Promise<string> {
  const path = join(dir, "secret.pipeline.ts");
  await writeFiles(dir, {
    "secret.pipeline.ts": `
import { definePipeline, env, job, sh, task } from "${MOD_URL}";
export default definePipeline({
  name: "dry-secret",
  cache: "file:local",
  env: { TOKEN: env.secret("DEPLOY_TOKEN"), MODE: env.var("MODE", { default: "dev" }) },
  tasks: {
    publish: task({ inputs: ["src/**"] }, sh\`echo publishing with \${env.secret("DEPLOY_TOKEN")}\`),
  },
  jobs: { publish: job({ target: "publish" }) },
});
`,
  });
  return path;
}

Deno.test("dry run keys of function and deferred steps", async () => {
  const dir = await makeProject({ "src/a.txt": "a" });
  const pipeline = definePipeline({
    name: "dry-steps",
    cache: "file:local",
    tasks: {
      fn: task({ inputs: ["src/**"] }, (ctx) => {
        ctx.meta({ checked: true });
      }),
      deferred: task(
        { dependsOn: ["fn"], inputs: ["src/**"] },
        sh((ctx) => sh`echo ${ctx.taskId} ${ctx.candidate.fingerprint.slice(0, 8)}`),
      ),
    },
    jobs: { steps: job({ target: "deferred" }) },
  });
  const options = { id: "steps", cwd: dir, env: baseEnv() };
  const cold = await planJob(pipeline, options);
  const first = await runJob(pipeline, options);
  assertPredicted(cold, first);
  assert.equal(cold.tasks[1].cacheKey, keyOf(first, "deferred"));

  const warm = await planJob(pipeline, options);
  const second = await runJob(pipeline, options);
  assertPredicted(warm, second);
  assert.deepEqual(hits(warm), { fn: true, deferred: true });
});
