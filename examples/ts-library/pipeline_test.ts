/**
 * Tests of this project's pipeline that run no command: a recording
 * executor replaces the shell. Run them with
 * `deno test -A examples/ts-library/pipeline_test.ts` from the repository root.
 */

import assert from "node:assert/strict";
// In your own project: import { RecordingExecutor, runJob } from "@async/pipeline/node";
import { RecordingExecutor, runJob } from "../../node/mod.ts";
import pipeline from "./pipeline.ts";

Deno.test("release runs build, then pack and test", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    const executor = new RecordingExecutor();
    const record = await runJob(pipeline, {
      id: "release",
      cwd,
      executor,
      env: { PATH: "/usr/bin:/bin" },
      concurrency: 1,
    });

    assert.equal(record.status, "passed");
    assert.deepEqual(
      executor.calls.map((call) => [call.taskId, call.command]),
      [
        ["build", "rm -rf dist"],
        ["build", "../../node_modules/.bin/tsc -p tsconfig.json"],
        ["pack", "npm pack --pack-destination dist --silent"],
        ["test", "node --test --test-reporter=spec test/*.test.mjs"],
      ],
    );
    assert.ok(executor.calls.every((call) => call.cwd === cwd));
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("release stops when the build fails", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    const executor = new RecordingExecutor({
      results: [{
        match: "tsc",
        code: 2,
        stderr: "src/slug.ts(1,1): error TS1005\n",
      }],
    });
    const record = await runJob(pipeline, {
      id: "release",
      cwd,
      executor,
      env: {},
    });

    assert.equal(record.status, "failed");
    const status = Object.fromEntries(
      record.tasks.map((task) => [task.id, task.status]),
    );
    assert.deepEqual(status, {
      build: "failed",
      pack: "skipped",
      test: "skipped",
    });
    assert.equal(
      executor.calls.some((call) => call.command.startsWith("npm pack")),
      false,
    );
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("release needs npm for the pack task", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    const executor = new RecordingExecutor({ tools: ["node"] });
    await assert.rejects(
      runJob(pipeline, { id: "release", cwd, executor, env: {} }),
      { code: "ASYNC_PIPELINE_MISSING_TOOL" },
    );
    assert.deepEqual(executor.calls, []);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
