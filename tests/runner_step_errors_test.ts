import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, env, job, task } from "../mod.ts";
import { runJob } from "../node/mod.ts";
import { createRuntime, defineRuntime, task as runtimeTask } from "../runtime/mod.ts";
import { baseEnv, makeProject, runCli } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

function throwing(value: (token: string | undefined) => unknown) {
  return definePipeline({
    name: "thrown",
    tasks: {
      t: task({
        cache: false,
        run: (ctx) => {
          throw value(ctx.env.TOKEN);
        },
      }),
    },
    jobs: { j: job({ target: "t", env: { TOKEN: env.secret("THROWN_TOKEN") } }) },
  });
}

Deno.test("a thrown plain object is shown inspected in the task error", async () => {
  const cwd = await tempDir();
  const pipeline = throwing(() => ({ code: 42, msg: "obj" }));
  const record = await runJob(pipeline, { id: "j", cwd, env: baseEnv({ THROWN_TOKEN: "x" }) });
  assert.equal(record.tasks[0].status, "failed");
  assert.match(record.tasks[0].error!.message, /threw: \{ code: 42, msg: 'obj' \}$/);
});

Deno.test("a thrown Proxy whose traps throw fails its task as task code", async () => {
  const cwd = await tempDir();
  const trap = () => {
    throw new Error("trap");
  };
  const pipeline = throwing(() =>
    new Proxy({}, { get: trap, ownKeys: trap, getPrototypeOf: trap })
  );
  const record = await runJob(pipeline, { id: "j", cwd, env: baseEnv({ THROWN_TOKEN: "x" }) });
  assert.equal(record.tasks[0].status, "failed");
  assert.equal(record.tasks[0].attempts, 1);
  assert.equal(record.tasks[0].error?.code, "ASYNC_PIPELINE_TASK_FAILED");
  assert.match(record.tasks[0].error!.message, /function step run\(\) threw: /);
});

Deno.test("an Error whose message getter throws fails its task as task code", async () => {
  const cwd = await tempDir();
  const pipeline = throwing(() => {
    const error = new Error("hidden");
    Object.defineProperty(error, "message", {
      get() {
        throw new Error("getter");
      },
    });
    return error;
  });
  const record = await runJob(pipeline, { id: "j", cwd, env: baseEnv({ THROWN_TOKEN: "x" }) });
  assert.equal(record.tasks[0].error?.code, "ASYNC_PIPELINE_TASK_FAILED");
  assert.equal(record.tasks[0].attempts, 1);
});

Deno.test("a thrown plain object holding a secret is masked", async () => {
  const cwd = await tempDir();
  const secret = "thrown-secret-value-91";
  const pipeline = throwing((token) => ({ token }));
  const record = await runJob(pipeline, { id: "j", cwd, env: baseEnv({ THROWN_TOKEN: secret }) });
  assert.match(record.tasks[0].error!.message, /threw: \{ token: '\*\*\*' \}$/);
});

Deno.test("the CLI prints a thrown plain object inspected", async () => {
  const cwd = await makeProject(`import { definePipeline, job, task } from "@mod";
export default definePipeline({
  name: "thrown",
  tasks: { t: task({ cache: false, run: () => { throw { code: 42, nested: { deep: [1, 2] } }; } }) },
  jobs: { j: job({ target: "t" }) },
});
`);
  const result = await runCli(cwd, ["run", "j"]);
  assert.equal(result.code, 1);
  assert.match(
    result.stdout + result.stderr,
    /threw: \{ code: 42, nested: \{ deep: \[ 1, 2 \] \} \}/,
  );
  assert.doesNotMatch(result.stdout + result.stderr, /\[object Object\]/);
});

Deno.test("the runtime reports a thrown plain object inspected", async () => {
  const runtime = createRuntime(defineRuntime([
    runtimeTask({ id: "t" }, () => {
      throw { code: 42 };
    }),
  ]));
  const result = await runtime.run();
  assert.equal(result.tasks[0].status, "failed");
  assert.equal(result.tasks[0].error?.message, "{ code: 42 }");
});

Deno.test("a pipeline file that throws a plain object names it", async () => {
  const cwd = await tempDir();
  await writeFile(join(cwd, "pipeline.ts"), `throw { reason: "bad config" };\n`);
  const result = await runCli(cwd, ["metadata"]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /\{ reason: 'bad config' \}/);
});

Deno.test("a step that ignores the signal does not hold the run", async () => {
  const cwd = await tempDir();
  let stepEnded = false;
  let release = () => {};
  const gate = new Promise<void>((resolve) => release = resolve);
  // Were the run to wait for the step, it would end after this timer, with the step ended.
  const timer = setTimeout(() => release(), 3000);
  const pipeline = definePipeline({
    name: "ignores",
    tasks: {
      slow: task({
        cache: false,
        timeout: "200ms",
        run: async () => {
          await gate;
          stepEnded = true;
        },
      }),
    },
    jobs: { j: job({ target: "slow" }) },
  });
  const record = await runJob(pipeline, { id: "j", cwd, env: baseEnv() });
  clearTimeout(timer);
  release();
  assert.equal(stepEnded, false);
  assert.equal(record.tasks[0].error?.code, "ASYNC_PIPELINE_TASK_TIMEOUT");
});
