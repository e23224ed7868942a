import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, job, sandbox, sh, task } from "../mod.ts";
import { ErrorCode, type PipelineError } from "../core/errors.ts";
import { LimaCommandExecutor } from "../node/lima/mod.ts";
import { runJob } from "../node/runner/run_job.ts";
import { resolveSandbox } from "../node/sandbox/resolve.ts";
import { standInProject } from "./support/standins.ts";

const testTask = definePipeline({
  name: "sandboxed",
  tasks: { test: task({ run: sh`true` }) },
}).tasks.test;

Deno.test("lima executor checks project mount", async () => {
  const { project, standIns } = await standInProject();
  const executor = new LimaCommandExecutor({ vm: "async-pipeline", projectDir: project });

  const result = await executor.runShell("true", {
    cwd: project,
    env: standIns.env(),
    task: testTask,
  });

  assert.equal(result.code, 0);
  const calls = (await standIns.calls()).map((call) => call.argv);
  assert.equal(calls.length, 3);
  assert.deepEqual(calls[0], ["list", "--format", "{{.Status}}", "async-pipeline"]);
  assert.deepEqual(calls[1], ["shell", "--workdir", project, "async-pipeline", "true"]);
  assert.deepEqual(calls[2].slice(0, 4), ["shell", "--workdir", project, "async-pipeline"]);
});

Deno.test("lima executor project not mounted", async () => {
  const { project, standIns } = await standInProject();
  const missing = join(project, "not-in-the-vm");
  const executor = new LimaCommandExecutor({ vm: "async-pipeline", projectDir: missing });

  await assert.rejects(
    executor.runShell("true", { cwd: project, env: standIns.env(), task: testTask }),
    (error: PipelineError) => {
      assert.equal(error.code, ErrorCode.SANDBOX_UNAVAILABLE);
      assert.match(
        error.message,
        new RegExp(
          `^Sandbox "lima": Lima VM "async-pipeline" cannot enter ${missing}, which it must mount at the same path \\(.+\\)\\.$`,
        ),
      );
      assert.match(error.hint ?? "", /`limactl edit async-pipeline`/);
      return true;
    },
  );
  const calls = await standIns.calls();
  assert.equal(calls.length, 2, "no step ran");
});

Deno.test("runJob lima sandbox uses cwd", async () => {
  const { project, standIns } = await standInProject();
  const mounted = join(project, "mounted");
  await mkdir(mounted);
  const pipeline = definePipeline({
    name: "lima-cwd",
    sandboxes: { lima: sandbox.lima({ vm: "async-pipeline", cwd: "mounted" }) },
    tasks: { hello: task({ cache: false, run: sh`echo hello` }) },
    jobs: { hello: job({ target: "hello" }) },
  });

  const record = await runJob(pipeline, {
    id: "hello",
    cwd: project,
    env: standIns.env(),
    sandbox: "lima",
  });

  assert.equal(record.status, "passed", JSON.stringify(record.tasks[0].error));
  const calls = (await standIns.calls()).map((call) => call.argv);
  assert.deepEqual(calls[1], ["shell", "--workdir", mounted, "async-pipeline", "true"]);
  assert.deepEqual(calls[2].slice(0, 4), ["shell", "--workdir", project, "async-pipeline"]);
});

Deno.test("resolveSandbox passes lima cwd", async () => {
  const { project } = await standInProject();
  await mkdir(join(project, "packages", "app"), { recursive: true });
  const pipeline = definePipeline({
    name: "app",
    sandboxes: { lima: sandbox.lima({ vm: "async-pipeline", cwd: "packages/app" }) },
    tasks: {},
  });

  const executor = resolveSandbox(pipeline, "lima", project, {});

  assert.ok(executor instanceof LimaCommandExecutor);
  assert.equal(executor.projectDir, join(project, "packages", "app"));
});
