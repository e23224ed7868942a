import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, env, job, sandbox, sh, task } from "../mod.ts";
import { runPipelineCli } from "../cli/run_pipeline_cli.ts";
import { HostCommandExecutor } from "../node/executor/host.ts";
import { runJob } from "../node/runner/run_job.ts";
import type { ExecutionRecord } from "../node/types.ts";
import { standInProject } from "./support/standins.ts";
import { tempDir } from "./support/temp_files.ts";

const MOD_URL = new URL("../mod.ts", import.meta.url).href;

const sandboxed = definePipeline({
  name: "sandboxed",
  sandboxes: {
    docker: sandbox.docker({ image: "node:24" }),
    lima: sandbox.lima({ vm: "async-pipeline" }),
  },
  tasks: {
    build: task({
      requires: { tools: ["node"] },
      run: sh`printf 'token=%s\n' "$DEPLOY_TOKEN" > out.txt`,
    }),
    slow: task({ timeout: "2s", run: sh`sleep 30` }),
  },
  jobs: {
    build: job({ target: "build", env: { DEPLOY_TOKEN: env.secret("DEPLOY_TOKEN") } }),
    slow: job({ target: "slow" }),
  },
});

Deno.test("runJob sandbox docker by id", async () => {
  const { project, standIns } = await standInProject();

  const record = await runJob(sandboxed, {
    id: "build",
    cwd: project,
    env: standIns.env({ DEPLOY_TOKEN: "tok-secret-1" }),
    sandbox: "docker",
  });

  assert.equal(record.status, "passed", JSON.stringify(record.tasks[0].error));
  assert.equal(record.executor, "docker");
  assert.equal(await readFile(join(project, "out.txt"), "utf8"), "token=tok-secret-1\n");
  const calls = await standIns.calls();
  assert.deepEqual(calls[0].argv.slice(-5), [
    "sh",
    "-c",
    'command -v "$1" >/dev/null',
    "sh",
    "node",
  ]);
  const step = calls[1].argv;
  assert.deepEqual(step.slice(0, 3), ["run", "--rm", "--name"]);
  assert.deepEqual(step.slice(4, 8), [
    "--mount",
    `type=bind,source=${project},target=${project}`,
    "-w",
    project,
  ]);
  assert.ok(step.includes("DEPLOY_TOKEN"));
  assert.equal(step.some((arg) => arg.includes("tok-secret-1")), false);
  assert.deepEqual(step.slice(-3), [
    "sh",
    "-c",
    `printf 'token=%s\n' "$DEPLOY_TOKEN" > out.txt`,
  ]);
});

Deno.test("runJob inline lima sandbox", async () => {
  const { project, standIns } = await standInProject();

  const record = await runJob(sandboxed, {
    id: "build",
    cwd: project,
    env: standIns.env({ DEPLOY_TOKEN: "tok-secret-2" }),
    sandbox: sandbox.lima({ vm: "async-pipeline" }),
  });

  assert.equal(record.status, "passed", JSON.stringify(record.tasks[0].error));
  assert.equal(record.executor, "lima");
  assert.equal(await readFile(join(project, "out.txt"), "utf8"), "token=tok-secret-2\n");
  const shells = (await standIns.calls()).filter((call) => call.argv[0] === "shell");
  const step = shells[shells.length - 1];
  assert.deepEqual(step.argv.slice(0, 4), ["shell", "--workdir", project, "async-pipeline"]);
  assert.equal(step.argv.some((arg) => arg.includes("tok-secret-2")), false);
  assert.match(step.stdin ?? "", /^export DEPLOY_TOKEN=tok-secret-2$/m);
});

Deno.test("runJob sandbox timeout kills container", async () => {
  const { project, standIns } = await standInProject();

  const record = await runJob(sandboxed, {
    id: "slow",
    cwd: project,
    env: standIns.env(),
    sandbox: "docker",
  });

  assert.equal(record.status, "failed");
  assert.equal(record.tasks[0].exitCode, 124);
  const calls = await standIns.calls();
  assert.deepEqual(calls[1].argv, ["kill", calls[0].argv[3]]);
});

Deno.test("runJob sandbox without docker", async () => {
  const { project } = await standInProject();
  const emptyBin = await tempDir();

  await assert.rejects(
    runJob(sandboxed, {
      id: "build",
      cwd: project,
      env: { PATH: emptyBin, DEPLOY_TOKEN: "x" },
      sandbox: "docker",
    }),
    { code: "ASYNC_PIPELINE_SANDBOX_UNAVAILABLE" },
  );

  const record = await runJob(sandboxed, {
    id: "slow",
    cwd: project,
    env: { PATH: emptyBin },
    sandbox: "docker",
  });
  assert.equal(record.status, "failed");
  assert.equal(record.tasks[0].error?.code, "ASYNC_PIPELINE_SANDBOX_UNAVAILABLE");
  assert.match(record.tasks[0].error?.message ?? "", /needs the docker command/);
  assert.match(record.tasks[0].error?.hint ?? "", /Install Docker/);
});

Deno.test("runJob sandbox and executor conflict", async () => {
  const { project } = await standInProject();

  await assert.rejects(
    runJob(sandboxed, {
      id: "slow",
      cwd: project,
      sandbox: "docker",
      executor: new HostCommandExecutor(),
    }),
    { code: "ASYNC_PIPELINE_INVALID_FIELD" },
  );
});

Deno.test("cli run --sandbox uses docker", async () => {
  const { project, standIns } = await standInProject();
  await writeFile(
    join(project, "pipeline.ts"),
    `import { definePipeline, job, sandbox, sh, task } from "${MOD_URL}";
export default definePipeline({
  name: "cli",
  sandboxes: { docker: sandbox.docker({ image: "node:24", user: "1000" }) },
  tasks: { hello: task({ run: sh\`echo hello from the sandbox\` }) },
  jobs: { verify: job({ target: "hello" }) },
});
`,
  );

  const result = await runPipelineCli({
    args: ["run", "verify", "--sandbox", "docker", "--format", "json"],
    cwd: project,
    env: standIns.env(),
  });

  assert.equal(result.code, 0, result.stderr);
  const record = JSON.parse(result.stdout) as ExecutionRecord;
  assert.equal(record.executor, "docker");
  const [call] = await standIns.calls();
  assert.deepEqual(call.argv.slice(-6), [
    "--user",
    "1000",
    "node:24",
    "sh",
    "-c",
    "echo hello from the sandbox",
  ]);

  const single = await runPipelineCli({
    args: ["run-task", "hello", "--sandbox", "docker", "--format", "json"],
    cwd: project,
    env: standIns.env(),
  });
  assert.equal(single.code, 0, single.stderr);
  assert.equal((JSON.parse(single.stdout) as ExecutionRecord).executor, "docker");
  assert.equal((await standIns.calls()).length, 2);

  const unknown = await runPipelineCli({
    args: ["run", "verify", "--sandbox", "dockr"],
    cwd: project,
    env: standIns.env(),
  });
  assert.equal(unknown.code, 1);
  assert.match(
    unknown.stderr,
    /error\[ASYNC_PIPELINE_UNKNOWN_SANDBOX\]: Unknown sandbox "dockr"\. Declared sandboxes: docker\./,
  );
});
