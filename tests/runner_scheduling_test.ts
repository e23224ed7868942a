import assert from "node:assert/strict";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, job, sh, task } from "../mod.ts";
import { runJob } from "../node/mod.ts";
import { defaultTaskCache, executeRun } from "../node/runner/run_job.ts";
import type { RunEvent } from "../node/runner/events.ts";
import { baseEnv } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

async function project(): Promise<string> {
  return await tempDir("async-pipeline-sched-");
}

Deno.test("runJob runs dependencies first", async () => {
  const cwd = await project();
  const pipeline = definePipeline({
    name: "order",
    tasks: {
      build: task({ run: sh`echo build >> order.txt` }),
      test: task({ dependsOn: ["build"], run: sh`echo test >> order.txt` }),
      lint: task({ run: sh`echo lint >> lint.txt` }),
    },
    jobs: { verify: job({ target: ["test", "lint"] }) },
  });
  const record = await runJob(pipeline, { id: "verify", cwd, env: baseEnv(), concurrency: 1 });
  assert.equal(record.status, "passed");
  assert.equal(record.jobId, "verify");
  assert.equal(record.pipelineName, "order");
  assert.equal(record.schemaVersion, 1);
  assert.equal(record.pid, Deno.pid);
  assert.deepEqual(record.tasks.map((result) => [result.id, result.status]), [
    ["build", "passed"],
    ["lint", "passed"],
    ["test", "passed"],
  ]);
  assert.equal(await readFile(join(cwd, "order.txt"), "utf8"), "build\ntest\n");
  const stored = JSON.parse(
    await readFile(join(cwd, ".async/runs", record.id, "execution.json"), "utf8"),
  );
  assert.deepEqual(stored, record);
});

Deno.test("runJob bounds running tasks by concurrency", async () => {
  const cwd = await project();
  // Each task creates a slot directory while it runs, so mkdir fails when two tasks overlap.
  const slotTask = () => task({ run: sh`mkdir slot || exit 9; sleep 0.2; rmdir slot` });
  const pipeline = definePipeline({
    name: "slots",
    tasks: { a: slotTask(), b: slotTask(), c: slotTask() },
    jobs: { all: job({ target: ["a", "b", "c"] }) },
  });
  const serial = await runJob(pipeline, { id: "all", cwd, env: baseEnv(), concurrency: 1 });
  assert.equal(serial.status, "passed");
  const parallel = await runJob(pipeline, { id: "all", cwd, env: baseEnv(), concurrency: 3 });
  assert.equal(parallel.status, "failed");
  assert.ok(parallel.tasks.some((result) => result.exitCode === 9));
});

Deno.test("runJob bounds running commands while later tasks look ahead", async () => {
  const cwd = await project();
  // Two slot directories: a third command running at once finds both taken.
  const slotTask = () =>
    task({
      run:
        sh`if mkdir s1 2>/dev/null; then s=s1; elif mkdir s2 2>/dev/null; then s=s2; else exit 9; fi
sleep 0.1; rmdir $s`,
    });
  const tasks = Object.fromEntries(["a", "b", "c", "d", "e", "f"].map((id) => [id, slotTask()]));
  const pipeline = definePipeline({
    name: "slots",
    tasks,
    jobs: { all: job({ target: Object.keys(tasks) }) },
  });
  const record = await runJob(pipeline, { id: "all", cwd, env: baseEnv(), concurrency: 2 });
  assert.equal(record.status, "passed");
  const overlapping = record.tasks.filter((result) => result.exitCode === 9);
  assert.deepEqual(overlapping, []);
});

Deno.test("executeRun skips a task that waited for a slot when another failed", async () => {
  const cwd = await project();
  const pipeline = definePipeline({
    name: "waiting",
    tasks: {
      fails: task({ run: sh`sleep 0.2; exit 4` }),
      slow: task({ run: sh`sleep 1` }),
      waits: task({ run: sh`echo ran > waits.txt` }),
    },
    jobs: { all: job({ target: ["fails", "slow", "waits"] }) },
  });
  const events: RunEvent[] = [];
  const record = await executeRun(pipeline, { id: "all", cwd, env: baseEnv(), concurrency: 2 }, {
    onEvent: (event) => events.push(event),
  });
  const waits = record.tasks.find((result) => result.id === "waits");
  assert.equal(waits?.status, "skipped");
  assert.equal(waits?.startedAt, undefined);
  assert.deepEqual(waits?.warnings, ["Skipped: an earlier task failed."]);
  await assert.rejects(readFile(join(cwd, "waits.txt")), { code: "ENOENT" });
  assert.ok(
    events.some((event) => event.type === "task-skipped" && event.taskId === "waits"),
  );
  assert.ok(
    !events.some((event) => event.type === "task-started" && event.taskId === "waits"),
  );
});

Deno.test("runJob stops starting tasks after a failure", async () => {
  const cwd = await project();
  const pipeline = definePipeline({
    name: "stop",
    tasks: {
      fails: task({ run: sh`echo broken; exit 4` }),
      slow: task({ run: sh`sleep 0.5; echo slow > slow.txt` }),
      later: task({ dependsOn: ["slow"], run: sh`echo later > later.txt` }),
      after: task({ dependsOn: ["fails"], run: sh`echo after > after.txt` }),
    },
    jobs: { all: job({ target: ["later", "after"] }) },
  });
  const record = await runJob(pipeline, { id: "all", cwd, env: baseEnv(), concurrency: 2 });
  const status = Object.fromEntries(record.tasks.map((result) => [result.id, result.status]));
  assert.deepEqual(status, { fails: "failed", slow: "passed", later: "skipped", after: "skipped" });
  assert.equal(record.status, "failed");
  assert.equal(await readFile(join(cwd, "slow.txt"), "utf8"), "slow\n");
  await assert.rejects(readFile(join(cwd, "later.txt")), { code: "ENOENT" });
  const failed = record.tasks.find((result) => result.id === "fails");
  assert.equal(failed?.exitCode, 4);
  assert.equal(failed?.error?.code, "ASYNC_PIPELINE_TASK_FAILED");
  assert.match(failed?.error?.message ?? "", /exited with code 4/);
});

Deno.test("runJob retries until an attempt passes", async () => {
  const cwd = await project();
  await writeFile(
    join(cwd, "flaky.sh"),
    'n=$(cat count 2>/dev/null || echo 0)\nn=$((n + 1))\necho $n > count\necho "attempt $n"\n[ "$n" -ge 3 ]\n',
  );
  const pipeline = definePipeline({
    name: "retry",
    tasks: { flaky: task({ retry: { attempts: 3, delayMs: 20 }, run: sh`sh flaky.sh` }) },
    jobs: { flaky: job({ target: "flaky" }) },
  });
  const events: RunEvent[] = [];
  const record = await executeRun(pipeline, { id: "flaky", cwd, env: baseEnv() }, {
    onEvent: (event) => events.push(event),
  });
  const [result] = record.tasks;
  assert.equal(record.status, "passed");
  assert.equal(result.attempts, 3);
  assert.deepEqual(result.attemptLog.map((attempt) => attempt.exitCode), [1, 1, 0]);
  assert.deepEqual(result.attemptLog.map((attempt) => attempt.attempt), [1, 2, 3]);
  const retried = events.filter((event) => event.type === "task-retried");
  assert.equal(retried.length, 2);
  assert.deepEqual(retried.map((event) => event.type === "task-retried" && event.delayMs), [
    20,
    20,
  ]);
  const log = await readFile(join(cwd, ".async/runs", record.id, result.logs!.stdout!), "utf8");
  assert.equal(log, "attempt 1\nattempt 2\nattempt 3\n");
});

Deno.test("runJob fails after the last attempt", async () => {
  const cwd = await project();
  const pipeline = definePipeline({
    name: "retry",
    tasks: { broken: task({ retry: 2, run: sh`exit 7` }) },
    jobs: { broken: job({ target: "broken" }) },
  });
  const record = await runJob(pipeline, { id: "broken", cwd, env: baseEnv() });
  assert.equal(record.status, "failed");
  assert.equal(record.tasks[0].attempts, 2);
  assert.equal(record.tasks[0].exitCode, 7);
});

Deno.test("runJob times out a task with 124", async () => {
  const cwd = await project();
  const pipeline = definePipeline({
    name: "timeout",
    tasks: { slow: task({ timeout: "300ms", run: sh`echo started; sleep 30` }) },
    jobs: { slow: job({ target: "slow" }) },
  });
  const record = await runJob(pipeline, { id: "slow", cwd, env: baseEnv() });
  const [result] = record.tasks;
  assert.equal(record.status, "failed");
  assert.equal(result.exitCode, 124);
  assert.equal(result.attemptLog[0].timedOut, true);
  assert.equal(result.error?.code, "ASYNC_PIPELINE_TASK_TIMEOUT");
  assert.match(result.error?.message ?? "", /timed out after 300ms/);
});

Deno.test("runJob names a timeout in its declared unit", async () => {
  const cwd = await project();
  const pipeline = definePipeline({
    name: "timeout",
    tasks: { slow: task({ timeout: "1s", run: sh`sleep 30` }) },
    jobs: { slow: job({ target: "slow" }) },
  });
  const record = await runJob(pipeline, { id: "slow", cwd, env: baseEnv() });
  assert.equal(record.tasks[0].error?.message, 'Task "slow" timed out after 1s.');
});

Deno.test("runJob times out a function step", async () => {
  const cwd = await project();
  let aborted = false;
  const pipeline = definePipeline({
    name: "timeout",
    tasks: {
      wait: task({
        timeout: 200,
        run: (ctx) =>
          new Promise<void>((resolve) => {
            ctx.signal.addEventListener("abort", () => {
              aborted = true;
              resolve();
            });
          }),
      }),
    },
    jobs: { wait: job({ target: "wait" }) },
  });
  const record = await runJob(pipeline, { id: "wait", cwd, env: baseEnv() });
  assert.equal(record.tasks[0].exitCode, 124);
  assert.equal(aborted, true);
});

Deno.test("run-task runs a task with its dependencies", async () => {
  const cwd = await project();
  const pipeline = definePipeline({
    name: "single",
    tasks: {
      build: task({ run: sh`echo build >> ran.txt` }),
      test: task({ dependsOn: ["build"], run: sh`echo test >> ran.txt` }),
      other: task({ run: sh`echo other >> ran.txt` }),
    },
  });
  const record = await executeRun(pipeline, { id: "test", cwd, env: baseEnv() }, {
    target: "task",
  });
  assert.equal(record.jobId, "task:test");
  assert.deepEqual(record.tasks.map((result) => result.id), ["build", "test"]);
  assert.equal(await readFile(join(cwd, "ran.txt"), "utf8"), "build\ntest\n");
});

Deno.test("runJob rejects unknown jobs and bad concurrency", async () => {
  const cwd = await project();
  const pipeline = definePipeline({
    name: "p",
    tasks: { a: task({ run: sh`true` }) },
    jobs: { verify: job({ target: "a" }) },
  });
  await assert.rejects(
    runJob(pipeline, { id: "verfy", cwd }),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, "ASYNC_PIPELINE_UNKNOWN_JOB");
      assert.match(error.message + String((error as { hint?: string }).hint), /verify/);
      return true;
    },
  );
  await assert.rejects(runJob(pipeline, { id: "verify", cwd, concurrency: 0 }), {
    code: "ASYNC_PIPELINE_INVALID_FIELD",
  });
});

Deno.test("runJob accepts a module with a default export", async () => {
  const cwd = await project();
  const pipeline = definePipeline({
    name: "module",
    tasks: { a: task({ run: sh`true` }) },
    jobs: { a: job({ target: "a" }) },
  });
  const record = await runJob({ default: pipeline }, { id: "a", cwd, env: baseEnv() });
  assert.equal(record.status, "passed");
});

Deno.test("runJob records ci mode from CI", async () => {
  const cwd = await project();
  const pipeline = definePipeline({
    name: "mode",
    tasks: { a: task({ run: sh`true` }) },
    jobs: { a: job({ target: "a" }), manual: job({ target: "a", mode: "manual" }) },
  });
  const env = baseEnv();
  assert.equal((await runJob(pipeline, { id: "a", cwd, env })).mode, "manual");
  assert.equal((await runJob(pipeline, { id: "a", cwd, env: { ...env, CI: "true" } })).mode, "ci");
  assert.equal(
    (await runJob(pipeline, { id: "a", cwd, env: { ...env, CI: "false" } })).mode,
    "manual",
  );
  assert.equal(
    (await runJob(pipeline, { id: "a", cwd, env: { ...env, CI: "1" }, mode: "manual" })).mode,
    "manual",
  );
  assert.equal(
    (await runJob(pipeline, { id: "manual", cwd, env: { ...env, CI: "1" } })).mode,
    "manual",
  );
});

Deno.test("runJob prunes old runs", async () => {
  const cwd = await project();
  const pipeline = definePipeline({
    name: "prune",
    tasks: { a: task({ run: sh`true` }) },
    jobs: { a: job({ target: "a" }) },
  });
  const env = { ...baseEnv(), ASYNC_PIPELINE_KEEP_RUNS: "2" };
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) ids.push((await runJob(pipeline, { id: "a", cwd, env })).id);
  const remaining = [...Deno.readDirSync(join(cwd, ".async/runs"))].map((entry) => entry.name)
    .sort();
  assert.deepEqual(remaining, ids.slice(2));
});

Deno.test("runJob warns that it took over an unreadable run lock", async () => {
  const cwd = await project();
  const pipeline = definePipeline({
    name: "lock",
    tasks: { a: task({ run: sh`true` }) },
    jobs: { all: job({ target: "a" }) },
  });
  await runJob(pipeline, { id: "all", cwd, env: baseEnv() });
  await writeFile(join(cwd, ".async/run.lock"), "{ not json");
  const record = await runJob(pipeline, { id: "all", cwd, env: baseEnv() });
  assert.deepEqual(record.warnings, [
    "Took over a run lock that could not be read, which names no running process.",
  ]);
});

Deno.test("runJob with one slot stores an entry before the next task runs", async () => {
  const cwd = await project();
  const pipeline = definePipeline({
    name: "store",
    cache: "file:local",
    tasks: {
      // A 2 MB output takes a while to copy into the entry.
      a: task({
        inputs: [],
        outputs: ["a.out"],
        run: sh`head -c 2000000 /dev/zero | tr '\\0' a > a.out`,
      }),
      b: task({ cache: false, run: sh`echo clobbered > a.out` }),
    },
    jobs: { all: job({ target: ["a", "b"] }) },
  });
  const record = await runJob(pipeline, { id: "all", cwd, env: baseEnv(), concurrency: 1 });
  assert.equal(record.status, "passed");
  assert.equal(record.tasks.find((result) => result.id === "a")?.warnings, undefined);
  // A hit never overwrites the file that b changed, so the entry is read back into an empty path.
  await rm(join(cwd, "a.out"));
  const restored = await executeRun(pipeline, { id: "a", cwd, env: baseEnv() }, {
    target: "task",
    createCache: defaultTaskCache,
  });
  assert.equal(restored.tasks[0].cacheHit, true);
  const output = await readFile(join(cwd, "a.out"), "utf8");
  assert.equal(output.length, 2_000_000);
  assert.match(output, /^a+$/);
});
