import assert from "node:assert/strict";
import { readFile, realpath } from "node:fs/promises";
import { join } from "node:path";
import { command, definePipeline, env, job, task } from "../mod.ts";
import type { CommandResult } from "../core/context.ts";
import { runJob } from "../node/runner/run_job.ts";
import type { ExecutionRecord } from "../node/types.ts";
import { tempDir } from "./support/temp_files.ts";

const PATH = Deno.env.get("PATH") ?? "";

async function realTempDir(): Promise<string> {
  return await realpath(await tempDir());
}

async function storedRecord(cwd: string, record: ExecutionRecord): Promise<ExecutionRecord> {
  const path = join(cwd, ".async", "runs", record.id, "execution.json");
  return JSON.parse(await readFile(path, "utf8"));
}

const policy = command.policy({
  rules: [
    command.rule({ prefix: ["npm", "publish"], action: command.deny() }),
    command.rule({
      exact: ["gh", "release", "create", "v1"],
      action: command.mock({ code: 0, stdout: "released v1\n" }),
    }),
    command.rule({ prefix: ["git", "push"], action: command.requireEnvironment("release") }),
  ],
  record: true,
  output: { maxBytes: 16, redactSecrets: true },
});

Deno.test("ctx.command records into execution record", async () => {
  const cwd = await realTempDir();
  const results: CommandResult[] = [];
  const pipeline = definePipeline({
    name: "commands",
    commands: policy,
    tasks: {
      release: task({
        async run(ctx) {
          results.push(await ctx.command(["gh", "release", "create", "v1"]));
          results.push(await ctx.command(["sh", "-c", 'echo "token $TOKEN and more text"']));
        },
      }),
    },
    jobs: { release: job({ target: "release", env: { TOKEN: env.secret("RELEASE_TOKEN") } }) },
  });

  const record = await runJob(pipeline, {
    id: "release",
    cwd,
    env: { PATH, RELEASE_TOKEN: "tok-abc" },
  });

  assert.equal(record.status, "passed", JSON.stringify(record.tasks[0].error));
  assert.deepEqual(results[0], { code: 0, stdout: "released v1\n", stderr: "" });
  assert.equal(results[1].stdout, "token tok-abc and more text\n");
  const expected = [
    {
      args: ["gh", "release", "create", "v1"],
      action: "mock",
      rule: 1,
      code: 0,
      stdout: "released v1\n",
      stderr: "",
    },
    {
      args: ["sh", "-c", 'echo "token $TOKEN and more text"'],
      action: "allow",
      code: 0,
      stdout: "token *** and mo",
      stderr: "",
      truncated: true,
    },
  ];
  assert.deepEqual(record.commands, expected);
  assert.deepEqual((await storedRecord(cwd, record)).commands, expected);
});

Deno.test("ctx.command denied fails the task", async () => {
  const cwd = await realTempDir();
  const pipeline = definePipeline({
    name: "commands",
    commands: policy,
    tasks: {
      publish: task({ run: async (ctx) => void await ctx.command(["npm", "publish"]) }),
      push: task({ run: async (ctx) => void await ctx.command(["git", "push", "origin"]) }),
    },
    jobs: {
      publish: job({ target: "publish" }),
      push: job({ target: "push" }),
    },
  });

  const publish = await runJob(pipeline, { id: "publish", cwd, env: { PATH } });
  assert.equal(publish.status, "failed");
  assert.equal(publish.tasks[0].error?.code, "ASYNC_PIPELINE_COMMAND_DENIED");
  assert.match(
    publish.tasks[0].error?.message ?? "",
    /Command "npm publish" is denied by commands\.rules\[0\] \(prefix \["npm", "publish"\]\)\./,
  );
  assert.equal(publish.commands?.[0].action, "deny");

  const push = await runJob(pipeline, {
    id: "push",
    cwd,
    env: { PATH, ASYNC_PIPELINE_ENVIRONMENT: "laptop" },
  });
  assert.equal(push.status, "failed");
  assert.match(
    push.tasks[0].error?.message ?? "",
    /requires ASYNC_PIPELINE_ENVIRONMENT="release", but it is "laptop"\./,
  );
});

Deno.test("runJob commands option overrides pipeline", async () => {
  const cwd = await realTempDir();
  const pipeline = definePipeline({
    name: "commands",
    commands: policy,
    tasks: {
      publish: task({ run: async (ctx) => void await ctx.command(["npm", "publish"]) }),
    },
    jobs: { publish: job({ target: "publish" }) },
  });

  const record = await runJob(pipeline, {
    id: "publish",
    cwd,
    env: { PATH },
    commands: command.policy({
      rules: [command.rule({ prefix: ["npm"], action: command.mock({ stdout: "dry run" }) })],
    }),
  });

  assert.equal(record.status, "passed", JSON.stringify(record.tasks[0].error));
  assert.equal(record.commands, undefined);
});

Deno.test("ctx.command without policy runs directly", async () => {
  const cwd = await realTempDir();
  let result: CommandResult | undefined;
  const pipeline = definePipeline({
    name: "plain",
    tasks: {
      hello: task({ run: async (ctx) => void (result = await ctx.command(["echo", "hi"])) }),
    },
    jobs: { hello: job({ target: "hello" }) },
  });

  const record = await runJob(pipeline, { id: "hello", cwd, env: { PATH } });

  assert.equal(record.status, "passed");
  assert.deepEqual(result, { code: 0, stdout: "hi\n", stderr: "" });
  assert.equal(record.commands, undefined);
});
