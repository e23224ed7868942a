/** Secret masking in dry runs: values are masked, the plan's structure and keys are not. */

import assert from "node:assert/strict";
import { join } from "node:path";
import { definePipeline, env, job, sh, task } from "../mod.ts";
import { planJob, runJob } from "../node/mod.ts";
import { makeProject, writeFiles } from "./cache_fixture.ts";
import { cli, MOD_URL } from "./helpers/cli.ts";
import { baseEnv } from "./support/projects.ts";

/** `build` reads `src/**` and `deploy` runs after it. Both see the secret `TOKEN`. */
const pipeline = () =>
  definePipeline({
    name: "dry-short",
    cache: "file:local",
    tasks: {
      build: task({ inputs: ["src/**"] }, sh`echo built`),
      deploy: task({ dependsOn: ["build"], cache: false }, sh`echo deployed`),
    },
    jobs: { ship: job({ target: "deploy", env: { TOKEN: env.secret("DEPLOY_TOKEN") } }) },
  });

Deno.test("one-letter secret keeps plan keys", async () => {
  const dir = await makeProject({ "src/a.txt": "a" });
  const options = { id: "ship", cwd: dir, env: baseEnv({ DEPLOY_TOKEN: "e" }) };
  const record = await runJob(pipeline(), options);
  const plan = await planJob(pipeline(), options);
  assert.deepEqual(Object.keys(plan.tasks[1]).sort(), [
    "cacheHit",
    "cacheMiss",
    "certain",
    "dependsOn",
    "id",
  ]);
  assert.deepEqual(plan.tasks[1].dependsOn, ["build"]);
  assert.equal(plan.tasks[0].cacheHit, true);
  assert.equal(plan.tasks[0].cacheKey, record.tasks[0].cacheKey);
  assert.equal(plan.schemaVersion, 1);
});

Deno.test("one-character secrets keep cache keys", async () => {
  // No hex digit in the input's path: a secret in an input name makes the task uncacheable.
  const dir = await makeProject({ "in/q.txt": "q" });
  // One secret for each hex digit, so every digit of a key is also a secret.
  const digits = [..."0123456789abcdef"];
  const names = digits.map((digit) => `HEX_${digit}`);
  const hexPipeline = definePipeline({
    name: "dry-hex",
    cache: "file:local",
    tasks: { build: task({ inputs: ["in/**"], requires: { secrets: names } }, sh`echo built`) },
    jobs: { build: job({ target: "build" }) },
  });
  const secrets = Object.fromEntries(names.map((name, index) => [name, digits[index]]));
  const options = { id: "build", cwd: dir, env: baseEnv(secrets) };
  const record = await runJob(hexPipeline, options);
  const plan = await planJob(hexPipeline, options);
  assert.match(plan.tasks[0].cacheKey ?? "", /^[0-9a-f]{64}$/);
  assert.equal(plan.tasks[0].cacheKey, record.tasks[0].cacheKey);
});

Deno.test("short secret masked in notes", async () => {
  const dir = await makeProject({ "src/a.txt": "a" });
  const plan = await planJob(pipeline(), {
    id: "ship",
    cwd: dir,
    env: baseEnv({ DEPLOY_TOKEN: "e" }),
  });
  // No secret-digest key exists yet, so the key of `build` is not final.
  assert.match(plan.tasks[0].note ?? "", /^k\*\*\*y known only/);
});

Deno.test("secret masked in an input name miss", async () => {
  const dir = await makeProject({ "src/a.txt": "a" });
  const options = { id: "ship", cwd: dir, env: baseEnv({ DEPLOY_TOKEN: "tok-5150" }) };
  await runJob(pipeline(), options);
  await writeFiles(dir, { "src/in-tok-5150.txt": "b" });
  const plan = await planJob(pipeline(), options);
  const miss = plan.tasks[0].cacheMiss;
  assert.equal(miss?.kind, "uncacheable");
  assert.equal(miss?.kind === "uncacheable" ? miss.secretInName : "", "src/in-***.txt");
  assert.doesNotMatch(JSON.stringify(plan), /tok-5150/);
});

Deno.test("CLI dry run with a short secret", async () => {
  const dir = await makeProject({ "src/a.txt": "a" });
  await writeFiles(dir, {
    "pipeline.ts": `
import { definePipeline, env, job, sh, task } from "${MOD_URL}";
export default definePipeline({
  name: "dry-short",
  tasks: {
    build: task({ cache: false }, sh\`echo built\`),
    deploy: task({ dependsOn: ["build"], cache: false }, sh\`echo deployed\`),
  },
  jobs: { ship: job({ target: "deploy", env: { TOKEN: env.secret("DEPLOY_TOKEN") } }) },
});
`,
  });
  const env = baseEnv({ DEPLOY_TOKEN: "e" });
  const config = ["--config", join(dir, "pipeline.ts")];
  const text = await cli(dir, ["run", "ship", "--dry-run", ...config], env);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /after build/);
  const json = await cli(dir, ["run", "ship", "--dry-run", "--format", "json", ...config], env);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout).tasks[1].dependsOn, ["build"]);
});
