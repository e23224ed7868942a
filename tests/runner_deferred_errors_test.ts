import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, env, job, sh, task } from "../mod.ts";
import type { TaskConfig } from "../core/mod.ts";
import { runJob } from "../node/mod.ts";
import type { ExecutionRecord } from "../node/types.ts";
import {
  baseEnv,
  makeProject,
  readLatestRecord,
  readRunFiles,
  runCli,
} from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

const SECRET = "deferred-secret-value-3";

/** Runs job `j` of a pipeline whose only task is built from `config`, with the secret `TOKEN` in its env. */
async function runTask(config: TaskConfig): Promise<ExecutionRecord> {
  const pipeline = definePipeline({
    name: "deferred",
    tasks: { d: task(config) },
    jobs: { j: job({ target: "d", env: { TOKEN: env.secret("DEFERRED_TOKEN") } }) },
  });
  const cwd = await tempDir();
  return await runJob(pipeline, { id: "j", cwd, env: baseEnv({ DEFERRED_TOKEN: SECRET }) });
}

Deno.test("a throwing deferred callback fails an attempt", async () => {
  const record = await runTask({
    cache: false,
    run: sh((ctx) => {
      throw new Error(`deferred boom ${ctx.env.TOKEN}`);
    }),
  });
  const [d] = record.tasks;
  assert.equal(d.status, "failed");
  assert.equal(d.attempts, 1);
  assert.equal(d.error?.code, "ASYNC_PIPELINE_TASK_FAILED");
  const message = 'Task "d" failed: the sh callback of step 1 threw: deferred boom ***';
  assert.equal(d.error?.message, message);
  assert.equal(d.attemptLog.length, 1);
  assert.equal(d.attemptLog[0].error, message);
  assert.equal(d.attemptLog[0].exitCode, undefined);
});

Deno.test("retry calls a throwing deferred callback again", async () => {
  let calls = 0;
  const record = await runTask({
    cache: false,
    retry: 3,
    run: sh(() => {
      calls++;
      if (calls < 3) throw new Error(`not ready ${calls}`);
      return sh`echo ready`;
    }),
  });
  const [d] = record.tasks;
  assert.equal(d.status, "passed");
  assert.equal(calls, 3);
  assert.equal(d.attempts, 3);
  assert.deepEqual(d.attemptLog.map((attempt) => [attempt.attempt, attempt.exitCode]), [
    [1, undefined],
    [2, undefined],
    [3, 0],
  ]);
  assert.match(d.attemptLog[1].error ?? "", /the sh callback of step 1 threw: not ready 2$/);
});

Deno.test("retry stops at the last attempt of a throwing callback", async () => {
  let calls = 0;
  const record = await runTask({
    cache: false,
    retry: { attempts: 2, delayMs: 1 },
    run: sh(() => {
      calls++;
      throw new Error("always");
    }),
  });
  assert.equal(record.tasks[0].status, "failed");
  assert.equal(record.tasks[0].attempts, 2);
  assert.equal(calls, 2);
});

Deno.test("retry reuses the command a callback returned", async () => {
  let calls = 0;
  const cwd = await tempDir();
  const pipeline = definePipeline({
    name: "deferred",
    tasks: {
      d: task({
        cache: false,
        retry: 3,
        run: sh(() => {
          calls++;
          return sh`test -e marker || { touch marker; exit 5; }`;
        }),
      }),
    },
    jobs: { j: job({ target: "d" }) },
  });
  const record = await runJob(pipeline, { id: "j", cwd, env: baseEnv() });
  assert.equal(record.tasks[0].status, "passed");
  assert.equal(record.tasks[0].attempts, 2);
  assert.equal(calls, 1);
});

Deno.test("a throwing callback names its step", async () => {
  const record = await runTask({
    cache: false,
    steps: [
      sh`true`,
      sh(() => {
        throw "plain string";
      }),
    ],
  });
  assert.equal(
    record.tasks[0].error?.message,
    'Task "d" failed: the sh callback of step 2 threw: plain string',
  );
});

Deno.test("a thrown object is inspected and masked", async () => {
  const record = await runTask({
    cache: false,
    run: sh((ctx) => {
      throw { weird: ctx.env.TOKEN };
    }),
  });
  assert.equal(
    record.tasks[0].error?.message,
    "Task \"d\" failed: the sh callback of step 1 threw: { weird: '***' }",
  );
});

Deno.test("a thrown pipeline code is kept", async () => {
  const record = await runTask({
    cache: false,
    run: sh(() => {
      throw Object.assign(new Error("no tool"), { code: "ASYNC_PIPELINE_MISSING_TOOL" });
    }),
  });
  assert.equal(record.tasks[0].error?.code, "ASYNC_PIPELINE_MISSING_TOOL");
  assert.equal(record.tasks[0].attempts, 1);
});

Deno.test("a thrown foreign code becomes task failed", async () => {
  const record = await runTask({
    cache: false,
    run: sh(() => {
      throw Object.assign(new Error("gone"), { code: "ENOENT" });
    }),
  });
  assert.equal(record.tasks[0].error?.code, "ASYNC_PIPELINE_TASK_FAILED");
});

Deno.test("a callback returning no command fails without an attempt", async () => {
  const record = await runTask({
    cache: false,
    retry: 3,
    run: sh(() => 42 as unknown as string),
  });
  assert.equal(record.tasks[0].status, "failed");
  assert.equal(record.tasks[0].error?.code, "ASYNC_PIPELINE_INVALID_FIELD");
  assert.equal(record.tasks[0].attempts, 0);
});

Deno.test("a callback naming an unset secret fails without an attempt", async () => {
  const record = await runTask({
    cache: false,
    retry: 3,
    run: sh(() => sh`echo ${env.secret("DEFERRED_UNSET_TOKEN")}`),
  });
  assert.equal(record.tasks[0].status, "failed");
  assert.equal(record.tasks[0].error?.code, "ASYNC_PIPELINE_MISSING_SECRET");
  assert.equal(record.tasks[0].attempts, 0);
});

Deno.test("a passing retry of a callback is cached", async () => {
  let calls = 0;
  const cwd = await tempDir();
  const pipeline = definePipeline({
    name: "deferred",
    cache: "file:local",
    tasks: {
      d: task({
        retry: 2,
        inputs: [],
        outputs: ["out.txt"],
        run: sh(() => {
          calls++;
          if (calls === 1) throw new Error("first call");
          return sh`echo built > out.txt`;
        }),
      }),
    },
    jobs: { j: job({ target: "d" }) },
  });
  const first = await runJob(pipeline, { id: "j", cwd, env: baseEnv() });
  assert.equal(first.tasks[0].status, "passed");
  assert.equal(first.tasks[0].attempts, 2);
  const second = await runJob(pipeline, { id: "j", cwd, env: baseEnv() });
  assert.equal(second.tasks[0].cacheHit, true);
  assert.equal(second.tasks[0].attempts, 0);
  assert.equal(await readFile(join(cwd, "out.txt"), "utf8"), "built\n");
});

Deno.test("cli shows a throwing callback's retries masked", async () => {
  const cwd = await makeProject(`import { definePipeline, env, job, sh, task } from "@mod";
export default definePipeline({
  name: "deferred",
  tasks: {
    d: task({ cache: false, retry: 2, run: sh((ctx) => { throw new Error("boom " + ctx.env.TOKEN); }) }),
  },
  jobs: { j: job({ target: "d", env: { TOKEN: env.secret("DEFERRED_TOKEN") } }) },
});
`);
  const result = await runCli(cwd, ["run", "j"], { DEFERRED_TOKEN: SECRET });
  assert.equal(result.code, 1);
  const message = 'Task "d" failed: the sh callback of step 1 threw: boom ***';
  assert.ok(result.stdout.includes(`d attempt 1 of 2 failed, retrying: ${message}`), result.stdout);
  assert.ok(result.stdout.includes(`Failed: d: ${message}`), result.stdout);
  assert.ok(!(result.stdout + result.stderr).includes(SECRET));
  const { dir } = await readLatestRecord(cwd);
  assert.ok(!(await readRunFiles(dir)).includes(SECRET));
});

Deno.test("a deferred callback that returns no command names its task", async () => {
  const record = await runTask({
    cache: false,
    run: sh(() => 42 as unknown as string),
  });
  const [d] = record.tasks;
  assert.equal(d.status, "failed");
  assert.equal(d.error?.code, "ASYNC_PIPELINE_INVALID_FIELD");
  assert.equal(
    d.error?.message,
    'Task "d": the sh callback of step 1 returned a number, but it must return sh`...` or a string.',
  );
});
