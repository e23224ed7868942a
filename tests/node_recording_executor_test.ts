import assert from "node:assert/strict";
import { definePipeline, env, job, sh, task } from "../mod.ts";
import { RecordingExecutor, runJob } from "../node/mod.ts";
import { tempDir } from "./support/temp_files.ts";

const pipeline = definePipeline({
  name: "app",
  tasks: {
    build: task({ run: sh`pnpm build` }),
    publish: task({
      dependsOn: ["build"],
      retry: { attempts: 2, delayMs: 0 },
      timeout: "1m",
      run: sh`npm publish --tag ${env.var("TAG", { default: "latest" })}`,
    }),
  },
  jobs: {
    publish: job({ target: "publish", env: { NODE_AUTH_TOKEN: env.secret("NPM_TOKEN") } }),
  },
});

Deno.test("recording executor records commands", async () => {
  const cwd = await tempDir();
  const executor = new RecordingExecutor();
  const record = await runJob(pipeline, {
    id: "publish",
    cwd,
    executor,
    env: { PATH: "/usr/bin", NPM_TOKEN: "fake-token" },
  });
  assert.equal(record.status, "passed");
  assert.deepEqual(executor.calls, [
    {
      taskId: "build",
      command: "pnpm build",
      cwd,
      envNames: ["NODE_AUTH_TOKEN", "PATH", "NPM_TOKEN"].sort(),
    },
    {
      taskId: "publish",
      command: "npm publish --tag latest",
      cwd,
      envNames: ["NODE_AUTH_TOKEN", "NPM_TOKEN", "PATH"],
      timeoutMs: executor.calls[1]?.timeoutMs,
    },
  ]);
  assert.ok((executor.calls[1].timeoutMs ?? 0) > 59_000);
});

Deno.test("recording executor returns scripted results", async () => {
  const cwd = await tempDir();
  const executor = new RecordingExecutor({
    results: [
      { match: "npm publish", code: 1, stderr: "E503\n", times: 1 },
      { match: /^npm publish/, stdout: "+ app@1.0.0\n" },
    ],
  });
  const record = await runJob(pipeline, {
    id: "publish",
    cwd,
    executor,
    env: { NPM_TOKEN: "fake-token" },
  });
  const publish = record.tasks.find((result) => result.id === "publish");
  assert.equal(record.status, "passed");
  assert.deepEqual(publish?.attemptLog.map((attempt) => attempt.exitCode), [1, 0]);
  assert.equal(executor.calls.filter((call) => call.taskId === "publish").length, 2);
});

Deno.test("recording executor scripts timeouts", async () => {
  const cwd = await tempDir();
  const executor = new RecordingExecutor({ results: [{ match: "pnpm build", timedOut: true }] });
  const record = await runJob(pipeline, {
    id: "publish",
    cwd,
    executor,
    env: { NPM_TOKEN: "fake-token" },
  });
  assert.equal(record.status, "failed");
  assert.equal(record.tasks[0].exitCode, 124);
  assert.equal(record.tasks[1].status, "skipped");
});

Deno.test("recording executor checkTool follows tools", async () => {
  assert.equal(await new RecordingExecutor().checkTool("anything"), true);
  const limited = new RecordingExecutor({ tools: ["node"] });
  assert.equal(await limited.checkTool("node"), true);
  assert.equal(await limited.checkTool("pnpm"), false);
});

Deno.test("recorded timeoutMs is the time left in the attempt", async () => {
  const cwd = await tempDir();
  const timed = definePipeline({
    name: "app",
    tasks: {
      build: task({ timeout: "5s" }, [
        sh`first`,
        () => new Promise<void>((resolve) => setTimeout(resolve, 300)),
        sh`second`,
      ]),
    },
    jobs: { build: job({ target: "build" }) },
  });
  const executor = new RecordingExecutor();

  await runJob(timed, { id: "build", cwd, executor, env: {} });

  const [first, second] = executor.calls.map((call) => call.timeoutMs ?? Infinity);
  assert.ok(first <= 5000, `first: ${first}`);
  assert.ok(first > 4000, `first: ${first}`);
  assert.ok(second <= first - 300, `first: ${first}, second: ${second}`);
});
