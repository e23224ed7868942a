/** `ASYNC_PIPELINE_CACHE_SECRET`: a secret-digest key from the environment instead of the key file. */

import assert from "node:assert/strict";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, env, job, sh, task } from "../mod.ts";
import { planJob, runJob } from "../node/mod.ts";
import type { ExecutionRecord, TaskResult } from "../node/types.ts";
import { makeProject } from "./cache_fixture.ts";
import { baseEnv, readLatestRecord } from "./support/projects.ts";

const KEY_FILE = ".async/cache/secret.key";
const CACHE_SECRET = "0123456789abcdef0123456789abcdef0123456789abcdef";
const OTHER_SECRET = "fedcba9876543210fedcba9876543210fedcba9876543210";

const pipeline = definePipeline({
  name: "cache-secret",
  cache: "file:local",
  env: { TOKEN: env.secret("DEPLOY_TOKEN") },
  tasks: {
    deploy: task(
      { inputs: ["src/**"], outputs: ["out/**"] },
      sh`mkdir -p out && echo "\${ASYNC_PIPELINE_CACHE_SECRET-unset}" > out/seen.txt`,
    ),
  },
  jobs: { deploy: job({ target: "deploy" }) },
});

function run(dir: string, cacheSecret?: string): Promise<ExecutionRecord> {
  const extra: Record<string, string> = { DEPLOY_TOKEN: "token-value" };
  if (cacheSecret !== undefined) extra.ASYNC_PIPELINE_CACHE_SECRET = cacheSecret;
  return runJob(pipeline, { id: "deploy", cwd: dir, env: baseEnv(extra), concurrency: 1 });
}

function deployOf(record: ExecutionRecord): TaskResult {
  const result = record.tasks.find((task) => task.id === "deploy");
  assert.ok(result, "the record has task deploy");
  return result;
}

async function exists(path: string): Promise<boolean> {
  return await stat(path).then(() => true, () => false);
}

Deno.test("cache secret creates no key file", async () => {
  const dir = await makeProject({ "src/a.txt": "a\n" });

  const record = await run(dir, CACHE_SECRET);

  assert.equal(record.status, "passed");
  assert.equal(await exists(join(dir, KEY_FILE)), false);
});

Deno.test("cache secret gives hits to secret-keyed tasks", async () => {
  const dir = await makeProject({ "src/a.txt": "a\n" });
  await run(dir, CACHE_SECRET);

  const second = await run(dir, CACHE_SECRET);

  assert.equal(deployOf(second).cacheHit, true);
  assert.equal(second.warnings, undefined);
});

Deno.test("cache secret change misses on the secret env", async () => {
  const dir = await makeProject({ "src/a.txt": "a\n" });
  await run(dir, CACHE_SECRET);

  const deploy = deployOf(await run(dir, OTHER_SECRET));

  assert.equal(deploy.cacheHit, false);
  assert.deepEqual(deploy.cacheMiss?.kind === "changed" && deploy.cacheMiss.env, ["TOKEN"]);
});

Deno.test("cache secret is hidden from steps", async () => {
  const dir = await makeProject({ "src/a.txt": "a\n" });

  await run(dir, CACHE_SECRET);

  assert.equal(await readFile(join(dir, "out/seen.txt"), "utf8"), "unset\n");
});

Deno.test("cache secret is masked in output", async () => {
  const dir = await makeProject({ "src/a.txt": "a\n" });
  const printing = definePipeline({
    name: "cache-secret-print",
    tasks: {
      print: task({ cache: false }, () => {
        console.log(`value ${CACHE_SECRET}`);
      }),
    },
    jobs: { print: job({ target: "print" }) },
  });

  const record = await runJob(printing, {
    id: "print",
    cwd: dir,
    env: baseEnv({ ASYNC_PIPELINE_CACHE_SECRET: CACHE_SECRET }),
  });

  const { dir: runDir } = await readLatestRecord(dir);
  const logs = record.tasks[0].logs;
  assert.ok(logs?.stdout, "the task has a stdout log");
  assert.equal(await readFile(join(runDir, logs.stdout), "utf8"), "value ***\n");
});

Deno.test("empty cache secret uses the key file", async () => {
  const dir = await makeProject({ "src/a.txt": "a\n" });

  await run(dir, "");

  assert.equal(await exists(join(dir, KEY_FILE)), true);
  assert.equal(await readFile(join(dir, "out/seen.txt"), "utf8"), "unset\n");
});

Deno.test("short cache secret is rejected", async () => {
  const dir = await makeProject({ "src/a.txt": "a\n" });

  const error = await run(dir, "short-value").then(() => undefined, (thrown) => thrown);

  assert.equal(error?.code, "ASYNC_PIPELINE_INVALID_FIELD");
  assert.equal(error?.path, "ASYNC_PIPELINE_CACHE_SECRET");
  assert.match(error?.message, /must be at least 32 characters long, got 11\./);
  assert.doesNotMatch(`${error?.message} ${error?.hint}`, /short-value/);
  assert.match(error?.hint, /openssl rand -hex 32/);
});

Deno.test("dry run predicts hits with the cache secret", async () => {
  const dir = await makeProject({ "src/a.txt": "a\n" });
  await run(dir, CACHE_SECRET);

  const plan = await planJob(pipeline, {
    id: "deploy",
    cwd: dir,
    env: baseEnv({ DEPLOY_TOKEN: "token-value", ASYNC_PIPELINE_CACHE_SECRET: CACHE_SECRET }),
  });

  assert.equal(plan.tasks[0].cacheHit, true);
  assert.equal(await exists(join(dir, KEY_FILE)), false);
});

Deno.test("cache secret in an output is not stored", async () => {
  const dir = await makeProject({ "src/a.txt": "a\n" });
  const leaking = definePipeline({
    name: "cache-secret-leak",
    cache: "file:local",
    tasks: {
      leak: task({ inputs: ["src/**"], outputs: ["out/**"] }, async () => {
        await mkdir(join(dir, "out"), { recursive: true });
        await writeFile(join(dir, "out/copy.txt"), CACHE_SECRET);
      }),
    },
    jobs: { leak: job({ target: "leak" }) },
  });

  const record = await runJob(leaking, {
    id: "leak",
    cwd: dir,
    env: baseEnv({ ASYNC_PIPELINE_CACHE_SECRET: CACHE_SECRET }),
  });

  assert.equal(record.status, "passed");
  assert.match(record.tasks[0].warnings?.join("\n") ?? "", /was not cached/);
  assert.doesNotMatch(JSON.stringify(record), new RegExp(CACHE_SECRET));
});
