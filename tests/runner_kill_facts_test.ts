/** The exit facts of a step whose processes ignored SIGTERM and were ended by SIGKILL. */

import assert from "node:assert/strict";
import { definePipeline, job, sh, task } from "../mod.ts";
import { executeRun } from "../node/runner/run_job.ts";
import { baseEnv } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

Deno.test("group ended by SIGKILL records SIGKILL", async () => {
  const cwd = await tempDir();
  // The outer shell dies of SIGTERM, while the inner one and its sleep ignore it.
  const pipeline = definePipeline({
    name: "kill",
    tasks: { s: task({ cache: false }, sh`sh -c 'trap "" TERM INT; sleep 30'; echo after`) },
    jobs: { j: job({ target: "s" }) },
  });
  const controller = new AbortController();

  const record = await executeRun(pipeline, { id: "j", cwd, env: baseEnv() }, {
    signal: controller.signal,
    onEvent: (event) => {
      if (event.type !== "task-started") return;
      setTimeout(() => controller.abort(new Error("Interrupted by SIGINT.")), 300);
    },
  });

  const [s] = record.tasks;
  assert.equal(s.attemptLog.length, 1);
  assert.equal(s.attemptLog[0].signal, "SIGKILL");
  assert.equal(s.attemptLog[0].exitCode, 137);
  assert.equal(s.exitCode, 137);
  assert.equal(s.error?.code, "ASYNC_PIPELINE_INTERRUPTED");
});

Deno.test("leftovers ended by SIGKILL keep a passing exit", async () => {
  const cwd = await tempDir();
  // The shell exits 0 and leaves a process that ignores SIGTERM and keeps its output open.
  const pipeline = definePipeline({
    name: "leftover",
    tasks: { s: task({ cache: false }, sh`sh -c 'trap "" TERM; sleep 30' & echo started`) },
    jobs: { j: job({ target: "s" }) },
  });

  const record = await executeRun(pipeline, { id: "j", cwd, env: baseEnv() }, {});

  const [s] = record.tasks;
  assert.equal(s.status, "passed");
  assert.equal(s.exitCode, 0);
  assert.equal(s.attemptLog[0].signal, undefined);
});
