/** An interrupt while a task waits to retry ends it without another attempt. */

import assert from "node:assert/strict";
import { definePipeline, job, sh, task } from "../mod.ts";
import { executeRun } from "../node/runner/run_job.ts";
import { baseEnv } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

Deno.test("interrupt in a retry delay records one attempt", async () => {
  const cwd = await tempDir();
  const pipeline = definePipeline({
    name: "retry",
    tasks: { r: task({ retry: { attempts: 3, delayMs: 10_000 } }, sh`echo try; exit 5`) },
    jobs: { j: job({ target: "r" }) },
  });
  const controller = new AbortController();
  const started = Date.now();

  const record = await executeRun(pipeline, { id: "j", cwd, env: baseEnv() }, {
    signal: controller.signal,
    onEvent: (event) => {
      if (event.type === "task-retried") controller.abort(new Error("Interrupted by SIGINT."));
    },
  });

  assert.ok(Date.now() - started < 5_000, "the delay ended at the interrupt");
  const [r] = record.tasks;
  assert.equal(r.status, "failed");
  assert.equal(r.attempts, 1);
  assert.equal(r.attemptLog.length, 1);
  assert.equal(r.attemptLog[0].exitCode, 5);
  assert.deepEqual(r.error, {
    code: "ASYNC_PIPELINE_INTERRUPTED",
    message: "Interrupted by SIGINT.",
  });
  assert.equal(r.exitCode, 5);
});
