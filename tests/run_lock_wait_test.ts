/** Waiting for another run's lock: `waitForLock` in `runJob` and `--wait` in the CLI. */

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ErrorCode, type PipelineError } from "../core/errors.ts";
import { definePipeline, job, sh, task } from "../mod.ts";
import { acquireRunLock, RUN_LOCK_PATH, waitForRunLock } from "../node/lock.ts";
import { executeRun } from "../node/runner/run_job.ts";
import { cli, MOD_URL } from "./helpers/cli.ts";
import { baseEnv } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

const pipeline = definePipeline({
  name: "wait",
  tasks: { mark: task({ run: sh`echo ran > ran.txt` }) },
  jobs: { main: job({ target: "mark" }) },
});

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes a pipeline file whose job `main` writes `ran.txt`. */
async function writePipeline(dir: string, name: string): Promise<void> {
  await writeFile(
    join(dir, "pipeline.ts"),
    `import { definePipeline, job, sh, task } from "${MOD_URL}";
export default definePipeline({
  name: "${name}",
  tasks: { mark: task({ run: sh\`echo ran > ran.txt\` }) },
  jobs: { main: job({ target: "mark" }) },
});
`,
  );
}

Deno.test("executeRun with waitForLock runs once the holder releases the lock", async () => {
  const dir = await tempDir();
  const holder = await acquireRunLock(dir, "holder-run", { jobId: "deploy" });
  const waits: PipelineError[] = [];
  const run = executeRun(pipeline, { id: "main", cwd: dir, env: baseEnv(), waitForLock: true }, {
    onLockWait: (active) => waits.push(active),
  });

  await delay(400);
  assert.equal(existsSync(join(dir, "ran.txt")), false);
  assert.equal(waits.length, 1);
  assert.match(waits[0].message, /holds .*run\.lock: pid \d+.*\(run holder-run, job deploy\)/);
  await holder.release();

  const record = await run;
  assert.equal(record.status, "passed");
  assert.equal(await readFile(join(dir, "ran.txt"), "utf8"), "ran\n");
  assert.equal(waits.length, 1);
});

Deno.test("executeRun with waitForLock stops waiting on an interrupt", async () => {
  const dir = await tempDir();
  const holder = await acquireRunLock(dir, "holder-run");
  const controller = new AbortController();
  const run = executeRun(pipeline, { id: "main", cwd: dir, env: baseEnv(), waitForLock: true }, {
    signal: controller.signal,
  });
  setTimeout(() => controller.abort(), 300);

  await assert.rejects(run, { code: ErrorCode.INTERRUPTED });
  assert.equal(existsSync(join(dir, "ran.txt")), false);
  assert.match(await readFile(join(dir, RUN_LOCK_PATH), "utf8"), /"runId": "holder-run"/);
  await holder.release();
});

Deno.test("waitForRunLock does not wait for a lock held on another host", async () => {
  const dir = await tempDir();
  await mkdir(join(dir, ".async"), { recursive: true });
  await writeFile(
    join(dir, RUN_LOCK_PATH),
    JSON.stringify({ pid: 1, startedAt: "2026-01-01T00:00:00.000Z", hostname: "elsewhere" }),
  );
  const started = Date.now();
  await assert.rejects(waitForRunLock(dir, "run-2", {}, { pollMs: 50 }), (error: PipelineError) => {
    assert.equal(error.code, ErrorCode.RUN_ACTIVE);
    assert.match(error.message, /on host "elsewhere"/);
    return true;
  });
  assert.ok(Date.now() - started < 1000);
});

Deno.test("run --wait says what it waits for, then runs", async () => {
  const dir = await tempDir();
  await writePipeline(dir, "wait");
  const holder = await acquireRunLock(dir, "holder-run", { jobId: "deploy" });
  setTimeout(() => holder.release(), 400);

  const result = await cli(dir, ["run", "main", "--wait"], baseEnv());

  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stderr,
    /^waiting for the run lock: Another run holds .*run\.lock: pid \d+, started at .* \(run holder-run, job deploy\)\.\n/,
  );
  assert.equal(await readFile(join(dir, "ran.txt"), "utf8"), "ran\n");
});

Deno.test("run without --wait still fails on a held lock", async () => {
  const dir = await tempDir();
  await writePipeline(dir, "nowait");
  const holder = await acquireRunLock(dir, "holder-run");
  const result = await cli(dir, ["run", "main"], baseEnv());
  await holder.release();

  assert.equal(result.code, 1);
  assert.match(result.stderr, /^error\[ASYNC_PIPELINE_RUN_ACTIVE\]/);
  assert.equal(existsSync(join(dir, "ran.txt")), false);
});
