/** A replaced secret-digest key: one warning, and misses that name the key instead of the env. */

import assert from "node:assert/strict";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, env, job, sh, task } from "../mod.ts";
import { runJob } from "../node/mod.ts";
import type { ExecutionRecord, TaskResult } from "../node/types.ts";
import { createTaskCache } from "../node/cache/task_cache.ts";
import { SecretKeyUnreadableError } from "../node/cache/paths.ts";
import { execute, lookupInput, makePipeline, makeProject } from "./cache_fixture.ts";
import { cli, MOD_URL } from "./helpers/cli.ts";
import { baseEnv } from "./support/projects.ts";

const KEY_FILE = ".async/cache/secret.key";

/** Runs `deploy` and `notify` with the same token each time. */
function run(dir: string): Promise<ExecutionRecord> {
  const both = definePipeline({
    name: "secret-key",
    cache: "file:local",
    env: { TOKEN: env.secret("DEPLOY_TOKEN") },
    tasks: {
      deploy: task({ inputs: ["src/**"] }, sh`echo "deploy $TOKEN"`),
      notify: task({ inputs: ["src/**"], dependsOn: [] }, sh`echo "notify $TOKEN"`),
      both: task({ dependsOn: ["deploy", "notify"], cache: false }, sh`true`),
    },
    jobs: { verify: job({ target: "both" }) },
  });
  return runJob(both, {
    id: "verify",
    cwd: dir,
    env: baseEnv({ DEPLOY_TOKEN: "same-secret-value" }),
    concurrency: 1,
  });
}

function resultOf(record: ExecutionRecord, id: string): TaskResult {
  const result = record.tasks.find((task) => task.id === id);
  assert.ok(result, `the record has task ${id}`);
  return result;
}

Deno.test("deleted secret key explains the miss as a replaced key", async () => {
  const dir = await makeProject({ "src/a.txt": "a\n" });
  await run(dir);
  await rm(join(dir, KEY_FILE));
  const deploy = resultOf(await run(dir), "deploy");
  assert.equal(deploy.cacheHit, false);
  assert.deepEqual(deploy.cacheMiss, {
    kind: "changed",
    inputs: { added: [], removed: [], changed: [] },
    env: [],
    dependencies: [],
    command: false,
    definition: false,
    secretKeyReplaced: "missing",
  });
});

Deno.test("invalid secret key is reported as invalid", async () => {
  const dir = await makeProject({ "src/a.txt": "a\n" });
  await run(dir);
  await writeFile(join(dir, KEY_FILE), "abc");
  const deploy = resultOf(await run(dir), "deploy");
  assert.equal(
    deploy.cacheMiss?.kind === "changed" && deploy.cacheMiss.secretKeyReplaced,
    "invalid",
  );
});

const MISSING_WARNING =
  `the secret-digest key ${KEY_FILE} was missing and was replaced, so each task whose cache key contains a secret misses once and stores a new entry.`;

Deno.test("replaced key warns in the record's warnings", async () => {
  const dir = await makeProject({ "src/a.txt": "a\n" });
  await run(dir);
  await rm(join(dir, KEY_FILE));
  const record = await run(dir);
  assert.deepEqual(record.warnings, [MISSING_WARNING]);
});

Deno.test("replaced key warning is on no task", async () => {
  const dir = await makeProject({ "src/a.txt": "a\n" });
  await run(dir);
  await rm(join(dir, KEY_FILE));
  const record = await run(dir);
  assert.deepEqual(record.tasks.flatMap((result) => result.warnings ?? []), []);
});

/** Stores entries for two secret-keyed tasks, then deletes the secret key. */
async function storedThenKeyDeleted() {
  const dir = await makeProject({ "src/a.txt": "a\n" });
  const pipeline = makePipeline({
    deploy: task({ inputs: ["src/**"] }, sh`echo "deploy $TOKEN"`),
    notify: task({ inputs: ["src/**"] }, sh`echo "notify $TOKEN"`),
  }, { cache: "file:local" });
  const secret = { env: { TOKEN: "tok-value" }, envKeys: ["TOKEN"], secretValues: ["tok-value"] };
  const inputs = ["deploy", "notify"].map((id) => lookupInput(pipeline, id, dir, secret));
  const first = createTaskCache({ pipeline, rootDir: dir, runId: "run-1" });
  for (const input of inputs) await execute(first, input);
  await first.close();
  await rm(join(dir, KEY_FILE));
  return { dir, pipeline, inputs };
}

Deno.test("cache without onWarning warns on first miss", async () => {
  const { dir, pipeline, inputs } = await storedThenKeyDeleted();
  const cache = createTaskCache({ pipeline, rootDir: dir, runId: "run-2" });
  const deploy = await cache.lookup(inputs[0]);
  const notify = await cache.lookup(inputs[1]);
  assert.deepEqual([deploy.warning, notify.warning], [MISSING_WARNING, undefined]);
});

Deno.test("cache with onWarning reports the key once", async () => {
  const { dir, pipeline, inputs } = await storedThenKeyDeleted();
  const warnings: string[] = [];
  const onWarning = (message: string) => warnings.push(message);
  const cache = createTaskCache({ pipeline, rootDir: dir, runId: "run-2", onWarning });
  const answers = [await cache.lookup(inputs[0]), await cache.lookup(inputs[1])];
  assert.deepEqual(answers.map((answer) => answer.warning), [undefined, undefined]);
  assert.deepEqual(warnings, [MISSING_WARNING]);
});

Deno.test("explain names the replaced secret key", async () => {
  const dir = await makeProject({ "src/a.txt": "a\n" });
  await run(dir);
  await rm(join(dir, KEY_FILE));
  await run(dir);
  const text = await cli(dir, ["explain", "deploy"]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(
    text.stdout,
    /\n {2}secret key replaced: \.async\/cache\/secret\.key was missing, so the digests of secret values differ from the entry's\nKey: /,
  );
  assert.doesNotMatch(text.stdout, /env changed: TOKEN/);
});

Deno.test("cli prints the key warning once", async () => {
  const dir = await makeProject({
    "src/a.txt": "a\n",
    "pipeline.ts": `import { definePipeline, env, job, sh, task } from "${MOD_URL}";
export default definePipeline({
  name: "secret-key",
  cache: "file:local",
  env: { TOKEN: env.secret("DEPLOY_TOKEN") },
  tasks: {
    deploy: task({ inputs: ["src/**"] }, sh\`echo "deploy $TOKEN"\`),
    notify: task({ inputs: ["src/**"] }, sh\`echo "notify $TOKEN"\`),
  },
  jobs: { verify: job({ target: ["deploy", "notify"] }) },
});
`,
  });
  const environment = baseEnv({ DEPLOY_TOKEN: "same-secret-value" });
  assert.equal((await cli(dir, ["run", "verify"], environment)).code, 0);
  await writeFile(join(dir, KEY_FILE), "junk");
  const result = await cli(dir, ["run", "verify"], environment);
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.split("\n").filter((line) => line.includes("secret-digest key"));
  assert.deepEqual(lines, [
    `warning: the secret-digest key ${KEY_FILE} was not a valid key and was replaced, so each task whose cache key contains a secret misses once and stores a new entry.`,
  ]);
});

Deno.test("secret key directory names the key", async () => {
  const dir = await makeProject({ "src/a.txt": "a\n" });
  await mkdir(join(dir, KEY_FILE), { recursive: true });
  const plain = definePipeline({
    name: "no-secrets",
    cache: "file:local",
    tasks: { build: task({ inputs: ["src/**"] }, sh`true`) },
    jobs: { verify: job({ target: "build" }) },
  });
  const record = await runJob(plain, { id: "verify", cwd: dir, env: baseEnv() });
  const build = resultOf(record, "build");
  assert.equal(build.status, "passed");
  assert.equal(build.cacheMiss?.kind, "uncacheable");
  assert.equal(build.cacheMiss?.kind === "uncacheable" && build.cacheMiss.file, KEY_FILE);
  assert.match(
    build.cacheMiss?.kind === "uncacheable" && build.cacheMiss.reason || "",
    /^EISDIR\b/,
  );
  assert.deepEqual(build.warnings, [
    `task "build" runs uncached, and so does every other cached task of this run: ` +
    `the secret-digest key ${KEY_FILE} is a directory. ` +
    `Remove it (rm -r ${KEY_FILE}), and the next run makes a new key.`,
  ]);
});

Deno.test("secret key directory warns once per run", async () => {
  const dir = await makeProject({ "src/a.txt": "a\n" });
  await mkdir(join(dir, KEY_FILE), { recursive: true });
  const pipeline = definePipeline({
    name: "two-tasks",
    cache: "file:local",
    tasks: {
      first: task({ inputs: ["src/**"] }, sh`true`),
      second: task({ dependsOn: ["first"], inputs: ["src/**"] }, sh`true`),
    },
    jobs: { verify: job({ target: "second" }) },
  });
  const record = await runJob(pipeline, { id: "verify", cwd: dir, env: baseEnv() });
  const first = resultOf(record, "first");
  const second = resultOf(record, "second");
  assert.equal(first.warnings?.length, 1);
  assert.equal(second.warnings, undefined);
  assert.equal(second.cacheMiss?.kind === "uncacheable" && second.cacheMiss.file, KEY_FILE);
});

Deno.test("unreadable key of another user explains sharing", () => {
  const cause = Object.assign(new Error("EACCES: permission denied, open 'secret.key'"), {
    code: "EACCES",
  });

  const error = new SecretKeyUnreadableError(cause, 1001);

  assert.match(
    error.message,
    /could not be read \(EACCES: permission denied, open 'secret\.key'\)\./,
  );
  assert.match(error.message, / It belongs to another user \(uid 1001\)\./);
  assert.match(error.message, /Removing it makes a new key that only this user can read\.$/);
});

Deno.test("unreadable own key says to make it readable", () => {
  const cause = Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });

  const error = new SecretKeyUnreadableError(cause);

  assert.match(error.message, /Make it readable, or remove it and the next run makes a new key\.$/);
});
