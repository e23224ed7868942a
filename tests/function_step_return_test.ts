/** A function step's return value is ignored, except a returned shell command, which fails it. */

import assert from "node:assert/strict";
import { access } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, env, job, sh, task } from "../mod.ts";
import type { FunctionStep } from "../mod.ts";
import { ErrorCode } from "../core/errors.ts";
import { runJob } from "../node/mod.ts";
import type { TaskResult } from "../node/types.ts";
import { baseEnv, makeProject, runCliUnder } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

const SECRET = "returned-secret-value-58";

/** Runs one task whose only step is `step` and returns its result. */
async function runStep(
  step: FunctionStep,
  cwd: string,
  retry = 1,
): Promise<TaskResult> {
  const pipeline = definePipeline({
    name: "returns",
    tasks: { t: task({ cache: false, retry }, step) },
    jobs: { j: job({ target: "t", env: { TOKEN: env.secret("RETURNED_TOKEN") } }) },
  });
  const record = await runJob(pipeline, {
    id: "j",
    cwd,
    env: baseEnv({ RETURNED_TOKEN: SECRET }),
  });
  return record.tasks[0];
}

async function exists(path: string): Promise<boolean> {
  return await access(path).then(() => true, () => false);
}

Deno.test("returned sh command fails the step", async () => {
  const cwd = await tempDir();
  const result = await runStep(() => sh`echo ran > returned.txt`, cwd);
  assert.equal(result.status, "failed");
  assert.equal(result.error?.code, ErrorCode.INVALID_FIELD);
  assert.equal(
    result.error?.message,
    'Task "t" failed: function step anonymous() returned sh`echo ran > returned.txt`, but a ' +
      "function step's return value is ignored, so the command did not run.",
  );
  assert.match(result.error?.hint ?? "", /ctx\.command\(\[\.\.\.\]\)/);
  assert.match(result.error?.hint ?? "", /sh\(\(ctx\) => sh`\.\.\.`\)/);
  assert.equal(await exists(join(cwd, "returned.txt")), false);
});

Deno.test("resolved sh command fails the step", async () => {
  const cwd = await tempDir();
  const result = await runStep(async () => {
    await Promise.resolve();
    return sh`echo ran > returned.txt`;
  }, cwd);
  assert.equal(result.status, "failed");
  assert.equal(result.error?.code, ErrorCode.INVALID_FIELD);
  assert.equal(await exists(join(cwd, "returned.txt")), false);
});

Deno.test("returned deferred sh fails the step", async () => {
  const cwd = await tempDir();
  const result = await runStep(() => sh(() => sh`echo ran > returned.txt`), cwd);
  assert.equal(result.status, "failed");
  assert.match(result.error!.message, /returned sh\(\(ctx\) => \.\.\.\), but/);
  assert.equal(await exists(join(cwd, "returned.txt")), false);
});

Deno.test("returned sh command is not retried", async () => {
  const cwd = await tempDir();
  let calls = 0;
  const result = await runStep(
    () => {
      calls++;
      return sh`echo ran`;
    },
    cwd,
    3,
  );
  assert.equal(result.status, "failed");
  assert.equal(result.attempts, 1);
  assert.equal(calls, 1);
});

Deno.test("returned sh command masks secrets", async () => {
  const cwd = await tempDir();
  const result = await runStep((ctx) => sh`echo ${ctx.env.TOKEN ?? ""}`, cwd);
  assert.equal(result.status, "failed");
  assert.match(result.error!.message, /returned sh`echo \*\*\*`/);
  assert.ok(!result.error!.message.includes(SECRET));
});

Deno.test("returned long sh command is cut", async () => {
  const cwd = await tempDir();
  const word = "x".repeat(500);
  const result = await runStep(() => sh`echo ${word}`, cwd);
  assert.match(result.error!.message, /returned sh`echo x{195}\.\.\.`, but/);
});

Deno.test("other return values are ignored", async () => {
  const values: unknown[] = [false, 0, "text", { kind: "text" }, [sh`echo ran`], null];
  for (const value of values) {
    const cwd = await tempDir();
    const result = await runStep(() => value, cwd);
    assert.equal(result.status, "passed", `returning ${JSON.stringify(value)}`);
  }
});

for (const runtime of ["deno", "node"] as const) {
  Deno.test(`CLI under ${runtime} fails a returned command`, async () => {
    const cwd = await makeProject(`import { definePipeline, job, sh, task } from "@mod";
export default definePipeline({
  name: "returns",
  tasks: { t: task({ cache: false }, () => sh\`echo ran > returned.txt\`) },
  jobs: { j: job({ target: "t" }) },
});
`);
    const result = await runCliUnder(runtime, cwd, ["run", "j"]);
    assert.equal(result.code, 1);
    assert.match(result.stdout + result.stderr, /\[ASYNC_PIPELINE_INVALID_FIELD\] Task "t" failed/);
    assert.match(result.stdout + result.stderr, /so the command did not run/);
    assert.equal(await exists(join(cwd, "returned.txt")), false);
  });
}
