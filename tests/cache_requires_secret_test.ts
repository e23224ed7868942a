/** Secrets in the cache key: declared `env` entries count, `requires.secrets` alone does not. */

import assert from "node:assert/strict";
import { definePipeline, env, job, sh, task } from "../mod.ts";
import { runJob } from "../node/mod.ts";
import type { TaskResult } from "../node/types.ts";
import { makeProject } from "./cache_fixture.ts";
import { baseEnv } from "./support/projects.ts";

/** Runs the job `verify` with `REQ_SECRET` set to `value` and returns the result of `a`. */
async function runWith(
  pipeline: ReturnType<typeof definePipeline>,
  dir: string,
  value: string,
): Promise<TaskResult> {
  const record = await runJob(pipeline, {
    id: "verify",
    cwd: dir,
    env: baseEnv({ REQ_SECRET: value }),
  });
  const result = record.tasks.find((task) => task.id === "a");
  assert.ok(result, "the record has task a");
  return result;
}

Deno.test("secret only in requires stays out of the key", async () => {
  const dir = await makeProject();
  const pipeline = definePipeline({
    name: "requires",
    cache: "file:local",
    tasks: {
      a: task({ inputs: [], requires: { secrets: ["REQ_SECRET"] } }, sh`echo "a $REQ_SECRET"`),
    },
    jobs: { verify: job({ target: "a" }) },
  });
  await runWith(pipeline, dir, "first-secret-value");
  const second = await runWith(pipeline, dir, "second-secret-value");
  assert.equal(second.cacheHit, true);
});

Deno.test("secret declared in env enters the key", async () => {
  const dir = await makeProject();
  const pipeline = definePipeline({
    name: "requires",
    cache: "file:local",
    tasks: { a: task({ inputs: [] }, sh`echo "a $TOKEN"`) },
    jobs: { verify: job({ target: "a", env: { TOKEN: env.secret("REQ_SECRET") } }) },
  });
  await runWith(pipeline, dir, "first-secret-value");
  const second = await runWith(pipeline, dir, "second-secret-value");
  assert.equal(second.cacheHit, false);
  assert.deepEqual(second.cacheMiss?.kind === "changed" && second.cacheMiss.env, ["TOKEN"]);
});
