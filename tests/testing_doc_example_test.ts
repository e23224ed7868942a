import assert from "node:assert/strict";
import { readFile, realpath } from "node:fs/promises";
import { join } from "node:path";
import { command, definePipeline, env, job, sh, task } from "../mod.ts";
import { RecordingExecutor, runJob } from "../node/mod.ts";
import { tempDir } from "./support/temp_files.ts";

const PATH = Deno.env.get("PATH") ?? "";

/** The pipeline of testing.md's example: a shell build, then a publish through `ctx.command`. */
const pipeline = definePipeline({
  name: "app",
  tasks: {
    build: task({ run: sh`npm run build` }),
    publish: task({
      dependsOn: ["build"],
      async run(ctx) {
        const result = await ctx.command(["npm", "publish", "--access", "public"]);
        if (result.code !== 0) throw new Error(result.stderr);
      },
    }),
    spawn: task({
      async run(ctx) {
        await ctx.command(["sh", "-c", "echo spawned > spawned.txt"]);
      },
    }),
    inline: task({ run: sh`npm publish --token ${env.secret("NPM_TOKEN")}` }),
  },
  jobs: {
    publish: job({ target: "publish", env: { NODE_AUTH_TOKEN: env.secret("NPM_TOKEN") } }),
    spawn: job({ target: "spawn" }),
    inline: job({ target: "inline", env: { NODE_AUTH_TOKEN: env.secret("NPM_TOKEN") } }),
  },
});

const mockEverything = command.policy({
  rules: [
    command.rule({
      prefix: ["npm", "publish"],
      action: command.mock({ stdout: "+ app@1.0.0\n" }),
    }),
  ],
  fallback: command.mock({ code: 1, stderr: "not scripted in this test\n" }),
  record: true,
});

Deno.test("testing doc example mocks ctx.command", async () => {
  const cwd = await tempDir();
  const executor = new RecordingExecutor();

  const record = await runJob(pipeline, {
    id: "publish",
    cwd,
    executor,
    commands: mockEverything,
    env: { NPM_TOKEN: "fake" },
  });

  assert.equal(record.status, "passed", JSON.stringify(record.tasks));
  assert.deepEqual(executor.calls.map((call) => call.command), ["npm run build"]);
  assert.deepEqual(record.commands?.map((entry) => [entry.args, entry.action]), [
    [["npm", "publish", "--access", "public"], "mock"],
  ]);
});

Deno.test("testing doc fallback stops any command", async () => {
  const cwd = await realpath(await tempDir());

  const record = await runJob(pipeline, {
    id: "spawn",
    cwd,
    executor: new RecordingExecutor(),
    commands: mockEverything,
    env: { PATH },
  });

  assert.equal(record.status, "passed");
  assert.deepEqual(record.commands?.map((entry) => [entry.action, entry.code]), [["mock", 1]]);
  await assert.rejects(readFile(join(cwd, "spawned.txt")), { code: "ENOENT" });
});

Deno.test("recording executor alone lets ctx.command spawn", async () => {
  const cwd = await realpath(await tempDir());

  const record = await runJob(pipeline, {
    id: "spawn",
    cwd,
    executor: new RecordingExecutor(),
    env: { PATH },
  });

  assert.equal(record.status, "passed");
  assert.equal(await readFile(join(cwd, "spawned.txt"), "utf8"), "spawned\n");
});

Deno.test("inline secret needs its source key", async () => {
  const cwd = await tempDir();

  await assert.rejects(
    runJob(pipeline, {
      id: "inline",
      cwd,
      executor: new RecordingExecutor(),
      env: { NODE_AUTH_TOKEN: "fake" },
    }),
    { code: "ASYNC_PIPELINE_MISSING_SECRET", message: /secret "NPM_TOKEN" is not set/ },
  );
});
