/** `ctx.command` and `ctx.meta` fail once their function step ended or its attempt was stopped. */

import assert from "node:assert/strict";
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, job, task } from "../mod.ts";
import type { FunctionStep, TaskContext } from "../mod.ts";
import { ErrorCode, isPipelineError, PipelineError } from "../core/errors.ts";
import { runJob } from "../node/mod.ts";
import { executeRun } from "../node/runner/run_job.ts";
import { StepScope } from "../node/runner/step_scope.ts";
import { baseEnv } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function exists(path: string): Promise<boolean> {
  return await access(path).then(() => true, () => false);
}

/** A promise with its resolve function, for what a step does after it ended. */
function later<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => resolve = done);
  return { promise, resolve };
}

/** Returns the error that `call` rejects or throws with, or fails. */
async function errorOf(call: () => unknown): Promise<PipelineError> {
  try {
    await call();
  } catch (error) {
    assert.ok(isPipelineError(error), `expected a PipelineError, got ${String(error)}`);
    return error;
  }
  assert.fail("the call did not fail");
}

function pipelineOf(step: FunctionStep, options: { timeout?: string; retry?: number } = {}) {
  return definePipeline({
    name: "scope",
    tasks: { t: task({ cache: false, ...options }, step) },
    jobs: { j: job({ target: "t" }) },
  });
}

Deno.test("StepScope is open while the step runs", () => {
  const scope = new StepScope("t", "run", new AbortController().signal);
  assert.equal(scope.closedError("ctx.command did not run `ls`"), undefined);
});

Deno.test("StepScope after return names the step", () => {
  const scope = new StepScope("t", "run", new AbortController().signal);
  scope.close();
  const error = scope.closedError("ctx.command did not run `ls`");
  assert.equal(error?.code, ErrorCode.INTERRUPTED);
  assert.equal(
    error?.message,
    'Task "t": ctx.command did not run `ls`, because function step run() had already returned.',
  );
});

Deno.test("StepScope after a timeout", () => {
  const controller = new AbortController();
  const scope = new StepScope("t", "run", controller.signal);
  controller.abort(new DOMException('Task "t" timed out after 1s.', "TimeoutError"));
  const error = scope.closedError("ctx.command did not run `ls`");
  assert.equal(error?.code, ErrorCode.TASK_TIMEOUT);
  assert.match(error!.message, /attempt of function step run\(\) ended: Task "t" timed out/);
  assert.match(error?.hint ?? "", /ctx\.signal/);
});

Deno.test("StepScope keeps a pipeline error code", () => {
  const controller = new AbortController();
  const scope = new StepScope("t", "run", controller.signal);
  controller.abort(new PipelineError(ErrorCode.TASK_FAILED, "uncaught exception"));
  assert.equal(scope.closedError("x")?.code, ErrorCode.TASK_FAILED);
});

Deno.test("StepScope after an interrupt", () => {
  const controller = new AbortController();
  const scope = new StepScope("t", "run", controller.signal);
  controller.abort("stop");
  const error = scope.closedError("x");
  assert.equal(error?.code, ErrorCode.INTERRUPTED);
  assert.match(error!.message, /ended: The run was interrupted\.$/);
});

Deno.test("StepScope keeps its closing reason", () => {
  const controller = new AbortController();
  const scope = new StepScope("t", "run", controller.signal);
  scope.close();
  controller.abort(new DOMException("timed out", "TimeoutError"));
  assert.equal(scope.closedError("x")?.code, ErrorCode.INTERRUPTED);
});

Deno.test("ctx.command after a timeout starts nothing", async () => {
  const cwd = await tempDir();
  const late = later<PipelineError>();
  const pipeline = pipelineOf(async (ctx) => {
    await sleep(300);
    late.resolve(await errorOf(() => ctx.command(["sh", "-c", "echo ran > late.txt"])));
  }, { timeout: "100ms" });

  const record = await runJob(pipeline, { id: "j", cwd, env: baseEnv() });
  const error = await late.promise;

  assert.equal(record.tasks[0].status, "failed");
  assert.equal(error.code, ErrorCode.TASK_TIMEOUT);
  assert.match(error.message, /ctx\.command did not run `sh -c 'echo ran > late\.txt'`/);
  assert.match(error.message, /timed out after 100ms/);
  assert.equal(await exists(join(cwd, "late.txt")), false);
});

Deno.test("ctx.command of a timed-out attempt during a retry", async () => {
  const cwd = await tempDir();
  const errors: PipelineError[] = [];
  const firstTried = later<void>();
  let attempts = 0;
  const pipeline = pipelineOf(async (ctx) => {
    attempts++;
    if (attempts === 1) {
      // The first attempt outlives its timeout and tries a command while the second runs.
      await sleep(1_300);
      errors.push(await errorOf(() => ctx.command(["sh", "-c", "echo 1 >> runs.txt"])));
      firstTried.resolve();
      return;
    }
    await firstTried.promise;
    await ctx.command(["sh", "-c", "echo 2 >> runs.txt"]);
  }, { timeout: "1s", retry: 2 });

  const record = await runJob(pipeline, { id: "j", cwd, env: baseEnv() });

  assert.equal(record.tasks[0].status, "passed");
  assert.equal(record.tasks[0].attempts, 2);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].code, ErrorCode.TASK_TIMEOUT);
  assert.equal(await readFile(join(cwd, "runs.txt"), "utf8"), "2\n");
});

Deno.test("ctx.command after an interrupt starts nothing", async () => {
  const cwd = await tempDir();
  const controller = new AbortController();
  const late = later<PipelineError>();
  const pipeline = pipelineOf(async (ctx) => {
    controller.abort(new Error("Interrupted by SIGINT."));
    await sleep(50);
    late.resolve(await errorOf(() => ctx.command(["sh", "-c", "echo ran > late.txt"])));
  });

  const record = await executeRun(pipeline, { id: "j", cwd, env: baseEnv() }, {
    signal: controller.signal,
  });
  const error = await late.promise;

  assert.equal(record.tasks[0].error?.code, ErrorCode.INTERRUPTED);
  assert.equal(error.code, ErrorCode.INTERRUPTED);
  assert.match(error.message, /ended: Interrupted by SIGINT\.$/);
  assert.equal(await exists(join(cwd, "late.txt")), false);
});

Deno.test("ctx.command after the step returned", async () => {
  const cwd = await tempDir();
  const late = later<PipelineError>();
  const pipeline = pipelineOf((ctx) => {
    setTimeout(() => {
      errorOf(() => ctx.command(["sh", "-c", "echo ran > late.txt"])).then(late.resolve);
    }, 20);
  });

  const record = await runJob(pipeline, { id: "j", cwd, env: baseEnv() });
  const error = await late.promise;

  assert.equal(record.tasks[0].status, "passed");
  assert.equal(error.code, ErrorCode.INTERRUPTED);
  assert.match(error.message, /function step anonymous\(\) had already returned\.$/);
  assert.match(error.hint ?? "", /Await the work inside the step/);
  assert.equal(await exists(join(cwd, "late.txt")), false);
});

Deno.test("ctx.command while the step runs", async () => {
  const cwd = await tempDir();
  const pipeline = pipelineOf(async (ctx) => {
    const result = await ctx.command(["sh", "-c", "echo ran > now.txt"]);
    assert.equal(result.code, 0);
  });
  const record = await runJob(pipeline, { id: "j", cwd, env: baseEnv() });
  assert.equal(record.tasks[0].status, "passed");
  assert.equal(await exists(join(cwd, "now.txt")), true);
});

Deno.test("ctx.meta after the step returned throws", async () => {
  const cwd = await tempDir();
  const late = later<PipelineError>();
  let context: TaskContext | undefined;
  const pipeline = pipelineOf((ctx) => {
    context = ctx;
    ctx.meta({ early: 1 });
  });

  const record = await runJob(pipeline, { id: "j", cwd, env: baseEnv() });
  late.resolve(await errorOf(() => context!.meta({ late: true, other: 2 })));
  const error = await late.promise;

  assert.deepEqual(record.tasks[0].meta, { early: 1 });
  assert.equal(error.code, ErrorCode.INTERRUPTED);
  assert.equal(
    error.message,
    'Task "t": ctx.meta did not record "late", "other", because function step ' +
      "anonymous() had already returned.",
  );
});

Deno.test("ctx.meta after a timeout throws", async () => {
  const cwd = await tempDir();
  const late = later<PipelineError>();
  const pipeline = pipelineOf(async (ctx) => {
    await sleep(300);
    late.resolve(await errorOf(() => ctx.meta({ late: true })));
  }, { timeout: "100ms" });

  const record = await runJob(pipeline, { id: "j", cwd, env: baseEnv() });
  const error = await late.promise;

  assert.equal(error.code, ErrorCode.TASK_TIMEOUT);
  assert.deepEqual(record.tasks[0].meta, {});
});

Deno.test("late ctx.meta in a timer warns", async () => {
  const cwd = await tempDir();
  const pipeline = definePipeline({
    name: "scope",
    tasks: {
      t: task({ cache: false }, (ctx) => {
        setTimeout(() => ctx.meta({ late: true }), 20);
      }),
      wait: task({ cache: false }, () => sleep(300)),
    },
    jobs: { j: job({ target: ["t", "wait"] }) },
  });

  const record = await runJob(pipeline, { id: "j", cwd, env: baseEnv() });

  assert.equal(record.status, "passed");
  assert.deepEqual(record.tasks.find((result) => result.id === "t")?.meta, {});
  assert.deepEqual(record.warnings, [
    'An uncaught exception in the code of task "t", after its step ended, was ignored; the run ' +
    'goes on: Task "t": ctx.meta did not record "late", because function step anonymous() had ' +
    "already returned.",
  ]);
});

Deno.test("uncaught stray ctx.command spares the retry", async () => {
  const cwd = await tempDir();
  const strayDone = later<void>();
  let attempts = 0;
  const pipeline = pipelineOf(async (ctx) => {
    attempts++;
    if (attempts === 1) {
      // The first attempt outlives its timeout and leaves its command's rejection unhandled.
      await sleep(1_300);
      void ctx.command(["sh", "-c", "echo 1 >> runs.txt"]);
      setTimeout(() => strayDone.resolve(), 100);
      return;
    }
    await strayDone.promise;
    await ctx.command(["sh", "-c", "echo 2 >> runs.txt"]);
  }, { timeout: "1s", retry: 2 });

  const record = await runJob(pipeline, { id: "j", cwd, env: baseEnv() });

  assert.equal(record.tasks[0].status, "passed");
  assert.equal(record.tasks[0].attempts, 2);
  assert.equal(await readFile(join(cwd, "runs.txt"), "utf8"), "2\n");
  assert.match(record.warnings?.join("\n") ?? "", /ctx\.command did not run/);
});
