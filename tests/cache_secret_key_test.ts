/** A replaced secret-digest key: one warning, and misses that name the key instead of the env. */

import assert from "node:assert/strict";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, env, job, sh, task } from "../mod.ts";
import { runJob } from "../node/mod.ts";
import type { ExecutionRecord, TaskResult } from "../node/types.ts";
import { makeProject } from "./cache_fixture.ts";
import { cli } from "./helpers/cli.ts";
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

Deno.test("replaced secret key warns once per run", async () => {
  const dir = await makeProject({ "src/a.txt": "a\n" });
  await run(dir);
  await rm(join(dir, KEY_FILE));
  const record = await run(dir);
  const warnings = record.tasks.flatMap((result) => result.warnings ?? []);
  assert.deepEqual(warnings, [
    `the secret-digest key ${KEY_FILE} was missing and was replaced, so each task whose cache key contains a secret misses once and stores a new entry.`,
  ]);
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
