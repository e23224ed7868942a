/** Once another task failed, a task starts no further attempt. */

import assert from "node:assert/strict";
import { definePipeline, job, sh, task } from "../mod.ts";
import { executeRun } from "../node/runner/run_job.ts";
import { baseEnv } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

const STOPPED =
  /Attempts 2 to 4 did not run: task "failfast" failed, and once a task failed no task starts another attempt\./;

Deno.test("retry delay ends when another task fails", async () => {
  const cwd = await tempDir();
  const pipeline = definePipeline({
    name: "retry",
    tasks: {
      failfast: task({ cache: false, run: sh`sleep 1; exit 1` }),
      flaky: task({ cache: false, retry: { attempts: 4, delayMs: 20_000 }, run: sh`exit 7` }),
    },
    jobs: { j: job({ target: ["failfast", "flaky"] }) },
  });
  const started = Date.now();
  const record = await executeRun(pipeline, { id: "j", cwd, env: baseEnv(), concurrency: 2 }, {});
  assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started}ms`);
  const flaky = record.tasks.find((result) => result.id === "flaky")!;
  assert.equal(flaky.status, "failed");
  assert.equal(flaky.attempts, 1);
  assert.equal(flaky.attemptLog.length, 1);
  assert.equal(flaky.exitCode, 7);
  assert.equal(flaky.error?.code, "ASYNC_PIPELINE_TASK_FAILED");
  assert.match(flaky.warnings?.join("\n") ?? "", STOPPED);
});

Deno.test("running attempt finishes after another task fails", async () => {
  const cwd = await tempDir();
  const pipeline = definePipeline({
    name: "retry",
    tasks: {
      failfast: task({ cache: false, run: sh`exit 1` }),
      flaky: task({
        cache: false,
        retry: { attempts: 4, delayMs: 0 },
        run: sh`sleep 1; echo finished; exit 7`,
      }),
    },
    jobs: { j: job({ target: ["failfast", "flaky"] }) },
  });
  const record = await executeRun(pipeline, { id: "j", cwd, env: baseEnv(), concurrency: 2 }, {});
  const flaky = record.tasks.find((result) => result.id === "flaky")!;
  assert.equal(flaky.attempts, 1);
  assert.equal(flaky.attemptLog[0].exitCode, 7);
  assert.match(flaky.warnings?.join("\n") ?? "", STOPPED);
});

Deno.test("retries go on while no other task failed", async () => {
  const cwd = await tempDir();
  const pipeline = definePipeline({
    name: "retry",
    tasks: {
      ok: task({ cache: false, run: sh`true` }),
      flaky: task({ cache: false, retry: { attempts: 3, delayMs: 0 }, run: sh`exit 7` }),
    },
    jobs: { j: job({ target: ["ok", "flaky"] }) },
  });
  const record = await executeRun(pipeline, { id: "j", cwd, env: baseEnv(), concurrency: 2 }, {});
  const flaky = record.tasks.find((result) => result.id === "flaky")!;
  assert.equal(flaky.attempts, 3);
  assert.equal(flaky.warnings, undefined);
});
