/** Miss explanations against the newest used entry, and secrets kept out of stored manifests. */

import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, env, job, sh, task } from "../mod.ts";
import { runJob } from "../node/mod.ts";
import { secretKeyTextDigest } from "../node/cache_seam.ts";
import {
  changesOf,
  execute,
  lookupInput,
  makePipeline,
  makeProject,
  writeFiles,
} from "./cache_fixture.ts";
import { cacheFor } from "./cache_fixture.ts";
import { baseEnv } from "./support/projects.ts";

Deno.test("miss compares with the newest used entry", async () => {
  const dir = await makeProject({ "src/a.txt": "a1", "src/b.txt": "b1" });
  const pipeline = makePipeline({ build: task({ inputs: ["src/**"], cache: true }, sh`build`) });
  const hooks = cacheFor(pipeline, dir);
  const input = lookupInput(pipeline, "build", dir);

  await execute(hooks, input);
  await writeFiles(dir, { "src/a.txt": "a2" });
  await execute(hooks, input);
  // Back to the first content: a hit on the first entry, which becomes the newest used.
  await writeFiles(dir, { "src/a.txt": "a1" });
  assert.equal((await execute(hooks, input)).ran, false);

  await writeFiles(dir, { "src/b.txt": "b2" });
  const result = await execute(hooks, input);
  assert.deepEqual(changesOf(result.lookup)?.inputs, {
    added: [],
    removed: [],
    changed: ["src/b.txt"],
  });
});

Deno.test("memory store newest entry follows hits", async () => {
  const dir = await makeProject({ "src/a.txt": "a1", "src/b.txt": "b1" });
  const pipeline = makePipeline({
    build: task({ inputs: ["src/**"], cache: "memory:reasons" }, sh`build`),
  });
  const input = lookupInput(pipeline, "build", dir);
  await execute(cacheFor(pipeline, dir), input);
  await writeFiles(dir, { "src/a.txt": "a2" });
  await execute(cacheFor(pipeline, dir), input);
  await writeFiles(dir, { "src/a.txt": "a1" });
  assert.equal((await execute(cacheFor(pipeline, dir), input)).ran, false);
  await writeFiles(dir, { "src/b.txt": "b2" });
  const result = await execute(cacheFor(pipeline, dir), input);
  assert.deepEqual(changesOf(result.lookup)?.inputs.changed, ["src/b.txt"]);
});

/** Reads every file of the file store into one string. */
async function storeText(dir: string): Promise<string> {
  const root = join(dir, ".async/cache/tasks");
  const parts: string[] = [];
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) parts.push(await readFile(join(entry.parentPath, entry.name), "utf8"));
  }
  return parts.join("\n");
}

Deno.test("secret in a command is digested with the key", async () => {
  const dir = await makeProject({ "src/a.txt": "a" });
  const pipeline = definePipeline({
    name: "secret-command",
    cache: "file:local",
    tasks: {
      deploy: task({ inputs: ["src/**"] }, sh`echo deploying ${env.secret("DEPLOY_TOKEN")}`),
      plain: task({ inputs: ["src/**"] }, sh`echo plain`),
    },
    jobs: { deploy: job({ target: ["deploy", "plain"] }) },
  });
  const secret = "command-secret-4711";
  const record = await runJob(pipeline, {
    id: "deploy",
    cwd: dir,
    env: baseEnv({ DEPLOY_TOKEN: secret }),
  });
  assert.equal(record.status, "passed");

  const stored = await storeText(dir);
  assert.equal(stored.includes(secret), false);
  assert.equal(stored.includes(secretKeyTextDigest(secret)), false);
  // Each entry's manifest.json is one line of the store's text.
  const manifests = stored.split("\n").filter((line) => line.startsWith('{"keyVersion"'))
    .map((line) => JSON.parse(line));
  const byTask = Object.fromEntries(manifests.map((manifest) => [manifest.taskId, manifest]));
  assert.match(byTask.deploy.command, /^hmac-[0-9a-f]{64}$/);
  assert.match(byTask.plain.command, /^[0-9a-f]{64}$/);

  const rotated = await runJob(pipeline, {
    id: "deploy",
    cwd: dir,
    env: baseEnv({ DEPLOY_TOKEN: "command-secret-0815" }),
  });
  const deploy = rotated.tasks.find((result) => result.id === "deploy");
  assert.equal(deploy?.cacheMiss?.kind === "changed" && deploy.cacheMiss.command, true);
  assert.equal(rotated.tasks.find((result) => result.id === "plain")?.cacheHit, true);
});
