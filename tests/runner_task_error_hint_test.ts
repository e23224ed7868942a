import assert from "node:assert/strict";
import { readFile, realpath, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { command, definePipeline, env, job, PipelineError, task } from "../mod.ts";
import { runPipelineCli } from "../cli/run_pipeline_cli.ts";
import { runJob } from "../node/runner/run_job.ts";
import type { ExecutionRecord } from "../node/types.ts";
import { tempDir } from "./support/temp_files.ts";

const MOD_URL = new URL("../mod.ts", import.meta.url).href;
const PATH = Deno.env.get("PATH") ?? "";
const ENVIRONMENT_HINT =
  "Set ASYNC_PIPELINE_ENVIRONMENT=release where this command is meant to run.";

async function storedRecord(cwd: string, record: ExecutionRecord): Promise<ExecutionRecord> {
  const path = join(cwd, ".async", "runs", record.id, "execution.json");
  return JSON.parse(await readFile(path, "utf8"));
}

const publishing = definePipeline({
  name: "publishing",
  commands: command.policy({
    rules: [
      command.rule({ prefix: ["npm", "publish"], action: command.requireEnvironment("release") }),
    ],
  }),
  tasks: {
    publish: task({
      async run(ctx) {
        await ctx.command(["npm", "publish", "--access", "public"]);
      },
    }),
    plain: task({
      run() {
        throw Object.assign(new Error("plain failure"), { hint: "not a pipeline hint" });
      },
    }),
    secret: task({
      run(ctx) {
        throw new PipelineError("ASYNC_PIPELINE_TASK_FAILED", "no token", {
          hint: `Check the token ${ctx.env.TOKEN}.`,
        });
      },
    }),
  },
  jobs: {
    publish: job({ target: "publish" }),
    plain: job({ target: "plain" }),
    secret: job({ target: "secret", env: { TOKEN: env.secret("TOKEN") } }),
  },
});

Deno.test("a denied ctx.command keeps its hint in the task error and the stored record", async () => {
  const cwd = await realpath(await tempDir());

  const record = await runJob(publishing, { id: "publish", cwd, env: { PATH } });

  assert.equal(record.status, "failed");
  const error = record.tasks[0].error;
  assert.equal(error?.code, "ASYNC_PIPELINE_COMMAND_DENIED");
  assert.match(error?.message ?? "", /is denied by commands\.rules\[0\]/);
  assert.equal(error?.hint, ENVIRONMENT_HINT);
  assert.deepEqual((await storedRecord(cwd, record)).tasks[0].error, error);
});

Deno.test("an error without an ASYNC_PIPELINE code keeps no hint", async () => {
  const cwd = await realpath(await tempDir());

  const record = await runJob(publishing, { id: "plain", cwd, env: { PATH } });

  assert.equal(record.tasks[0].error?.code, "ASYNC_PIPELINE_TASK_FAILED");
  assert.equal(record.tasks[0].error?.hint, undefined);
  assert.equal("hint" in (record.tasks[0].error ?? {}), false);
});

Deno.test("a secret in a task error's hint is masked", async () => {
  const cwd = await realpath(await tempDir());

  const record = await runJob(publishing, {
    id: "secret",
    cwd,
    env: { PATH, TOKEN: "tok-hint-secret" },
  });

  assert.equal(record.tasks[0].error?.hint, "Check the token ***.");
  const stored = await readFile(join(cwd, ".async", "runs", record.id, "execution.json"), "utf8");
  assert.equal(stored.includes("tok-hint-secret"), false);
});

async function projectWith(source: string): Promise<string> {
  const cwd = await realpath(await tempDir());
  await writeFile(join(cwd, "pipeline.ts"), source.replaceAll("@mod", MOD_URL));
  return cwd;
}

Deno.test("the run summary shows a denied command's code and hint", async () => {
  const cwd = await projectWith(`
import { command, definePipeline, job, task } from "@mod";

export default definePipeline({
  name: "cli",
  commands: command.policy({
    rules: [
      command.rule({ prefix: ["npm", "publish"], action: command.requireEnvironment("release") }),
    ],
  }),
  tasks: {
    publish: task({
      async run(ctx) {
        await ctx.command(["npm", "publish", "--access", "public"]);
      },
    }),
  },
  jobs: { publish: job({ target: "publish" }) },
});
`);

  const result = await runPipelineCli({ args: ["run", "publish"], cwd, env: { PATH } });

  assert.equal(result.code, 1);
  assert.match(
    result.stdout,
    /\nFailed: publish: \[ASYNC_PIPELINE_COMMAND_DENIED\] Task "publish" failed: function step run\(\) threw: Command "npm publish --access public" is denied .*\n {2}hint: Set ASYNC_PIPELINE_ENVIRONMENT=release where this command is meant to run\.\n/,
  );
});

Deno.test("the run summary shows a sandbox's code and fix once", async () => {
  const cwd = await projectWith(`
import { definePipeline, job, sandbox, sh, task } from "@mod";

export default definePipeline({
  name: "cli",
  sandboxes: { docker: sandbox.docker({ image: "node:24" }) },
  tasks: { hello: task({ run: sh\`echo hello\` }) },
  jobs: { verify: job({ target: "hello" }) },
});
`);
  const emptyBin = await tempDir();

  const result = await runPipelineCli({
    args: ["run", "verify", "--sandbox", "docker"],
    cwd,
    env: { PATH: emptyBin },
  });

  assert.equal(result.code, 1);
  const failed = result.stdout.split("\n").filter((line) => line.startsWith("Failed: hello: "));
  assert.equal(failed.length, 1, result.stdout);
  assert.match(failed[0], /^Failed: hello: \[ASYNC_PIPELINE_SANDBOX_UNAVAILABLE\] Task "hello"/);
  assert.match(result.stdout, /\n {2}hint: .*Install Docker/);
  assert.equal(result.stdout.split("Install Docker").length, 2, "the fix is printed once");
});

Deno.test("the run summary leaves the plain failure code out", async () => {
  const cwd = await projectWith(`
import { definePipeline, job, sh, task } from "@mod";

export default definePipeline({
  name: "cli",
  tasks: { broken: task({ run: sh\`exit 3\` }) },
  jobs: { broken: job({ target: "broken" }) },
});
`);

  const result = await runPipelineCli({ args: ["run", "broken"], cwd, env: { PATH } });

  assert.equal(result.code, 1);
  assert.match(
    result.stdout,
    /\nFailed: broken: Task "broken" failed: `exit 3` exited with code 3\.\n/,
  );
  assert.equal(result.stdout.includes("ASYNC_PIPELINE_TASK_FAILED"), false);
  assert.equal(result.stdout.includes("hint:"), false);
});
