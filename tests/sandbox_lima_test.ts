import assert from "node:assert/strict";
import { access, mkdir, readFile, realpath, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, sh, task } from "../mod.ts";
import { ErrorCode, type PipelineError } from "../core/errors.ts";
import { LimaCommandExecutor } from "../node/lima/mod.ts";
import { processExists, type StandIns, waitFor, writeStandIns } from "./support/standins.ts";
import { tempDir } from "./support/temp_files.ts";

const testTask = definePipeline({
  name: "sandboxed",
  tasks: { test: task({ run: sh`true` }) },
}).tasks.test;

async function setup(
  vms?: Record<string, string>,
): Promise<{ project: string; standIns: StandIns }> {
  const root = await realpath(await tempDir());
  const project = join(root, "project");
  const bin = join(root, "bin");
  await mkdir(project);
  await mkdir(bin);
  return { project, standIns: await writeStandIns(bin, vms) };
}

const lima = (env?: Record<string, string>) =>
  new LimaCommandExecutor({ vm: "async-pipeline", ...(env ? { env } : {}) });

Deno.test("lima executor exact command line", async () => {
  const { project, standIns } = await setup();
  const cwd = join(project, "app");
  await mkdir(cwd);
  const command = `printf '%s|%s\\n' "$GREETING" "$(pwd)"`;

  const result = await lima().runShell(command, {
    cwd,
    env: standIns.env({ GREETING: "it's here" }),
    task: testTask,
    declaredEnv: ["GREETING"],
  });

  assert.equal(result.code, 0);
  assert.equal(result.stdout, `it's here|${cwd}\n`);
  const [list, shell] = await standIns.calls();
  assert.deepEqual(list.argv, ["list", "--format", "{{.Status}}", "async-pipeline"]);
  const pidFile = shell.argv[8];
  assert.match(pidFile, /^\/tmp\/async-pipeline-[0-9a-f]{12}\.pid$/);
  assert.deepEqual(shell.argv.slice(0, 6), [
    "shell",
    "--workdir",
    cwd,
    "async-pipeline",
    "sh",
    "-c",
  ]);
  assert.match(shell.argv[6], /eval "\$\(cat\)"/);
  assert.deepEqual(shell.argv.slice(7), ["sh", pidFile, command]);
  await assert.rejects(access(pidFile));
});

Deno.test("lima executor sends env on stdin", async () => {
  const { project, standIns } = await setup();
  const env = standIns.env({ SECRET_TOKEN: "it's s3cret", HOME: "/home/host", LIMA_HOME: "/x" });

  const result = await lima().runShell('printf %s "$SECRET_TOKEN"', {
    cwd: project,
    env,
    task: testTask,
    declaredEnv: ["SECRET_TOKEN", "HOME", "LIMA_HOME"],
  });

  assert.equal(result.stdout, "it's s3cret");
  const shell = (await standIns.calls())[1];
  assert.equal(shell.argv.some((arg) => arg.includes("s3cret")), false);
  assert.equal(shell.stdin, "export SECRET_TOKEN='it'\\''s s3cret'\n");
});

Deno.test("lima executor keeps command quoting", async () => {
  const { project, standIns } = await setup();
  const command = `echo "two  spaces" 'single $HOME' "it's" \\$literal`;

  const result = await lima().runShell(command, {
    cwd: project,
    env: standIns.env(),
    task: testTask,
  });

  assert.equal(result.stdout, "two  spaces single $HOME it's $literal\n");
  const shell = (await standIns.calls())[1];
  assert.equal(shell.argv[shell.argv.length - 1], command);
});

Deno.test("lima executor returns command exit code", async () => {
  const { project, standIns } = await setup();

  const result = await lima().runShell("exit 7", {
    cwd: project,
    env: standIns.env(),
    task: testTask,
  });

  assert.equal(result.code, 7);
});

Deno.test("lima executor timeout kills step", async () => {
  const { project, standIns } = await setup();
  const pidFile = join(project, "pid");

  const result = await lima().runShell(`echo $$ > ${pidFile}; sleep 30`, {
    cwd: project,
    env: standIns.env(),
    task: testTask,
    timeoutMs: 2000,
  });

  assert.equal(result.code, 124);
  assert.equal(result.timedOut, true);
  const calls = await standIns.calls();
  const stepPidFile = calls[1].argv[8];
  assert.deepEqual(calls[2].argv.slice(0, 4), ["shell", "async-pipeline", "sh", "-c"]);
  assert.deepEqual(calls[2].argv.slice(5), ["sh", stepPidFile]);
  const pid = Number(await readFile(pidFile, "utf8"));
  await waitFor(() => !processExists(pid), "the sandboxed command to stop");
  await assert.rejects(access(stepPidFile));
});

Deno.test("lima executor VM not running", async () => {
  const { project, standIns } = await setup({ "async-pipeline": "Stopped" });

  await assert.rejects(
    lima().runShell("true", { cwd: project, env: standIns.env(), task: testTask }),
    (error: PipelineError) => {
      assert.equal(error.code, ErrorCode.SANDBOX_UNAVAILABLE);
      assert.equal(
        error.message,
        'Sandbox "lima": Lima VM "async-pipeline" is not running (status: Stopped).',
      );
      assert.equal(error.hint, "Start it with `limactl start async-pipeline` and run again.");
      return true;
    },
  );
  assert.equal((await standIns.calls()).length, 1);
});

Deno.test("lima executor VM does not exist", async () => {
  const { project, standIns } = await setup({});

  await assert.rejects(
    lima().runShell("true", { cwd: project, env: standIns.env(), task: testTask }),
    (error: PipelineError) => {
      assert.equal(error.code, ErrorCode.SANDBOX_UNAVAILABLE);
      assert.match(error.message, /Lima VM "async-pipeline" does not exist/);
      assert.match(error.hint ?? "", /limactl start --name=async-pipeline/);
      return true;
    },
  );
});

Deno.test("lima executor missing limactl", async () => {
  const { project } = await setup();
  const emptyBin = await tempDir();

  await assert.rejects(
    lima().runShell("true", { cwd: project, env: { PATH: emptyBin }, task: testTask }),
    (error: PipelineError) => {
      assert.equal(error.code, ErrorCode.SANDBOX_UNAVAILABLE);
      assert.match(error.message, /Sandbox "lima" needs the limactl command/);
      assert.match(error.hint ?? "", /Install Lima/);
      return true;
    },
  );
});

Deno.test("lima checkTool runs inside VM", async () => {
  const { standIns } = await setup();
  const executor = lima(standIns.env());

  assert.equal(await executor.checkTool("sh"), true);
  assert.equal(await executor.checkTool("no-such-tool-anywhere"), false);

  const calls = await standIns.calls();
  assert.deepEqual(calls.map((call) => call.argv), [
    ["list", "--format", "{{.Status}}", "async-pipeline"],
    ["shell", "async-pipeline", "sh", "-c", 'command -v "$1" >/dev/null', "sh", "sh"],
    [
      "shell",
      "async-pipeline",
      "sh",
      "-c",
      'command -v "$1" >/dev/null',
      "sh",
      "no-such-tool-anywhere",
    ],
  ]);
});

Deno.test("lima executor rejects empty vm", () => {
  assert.throws(
    () => new LimaCommandExecutor({ vm: "" }),
    (error: PipelineError) => error.code === ErrorCode.INVALID_FIELD,
  );
});

Deno.test("lima executor removes pid file on failed exports", async () => {
  const { project, standIns } = await setup();
  // bash as the VM's sh rejects `export UID=...`, because UID is read-only there.
  await writeFile(join(standIns.bin, "sh"), '#!/bin/sh\nexec bash "$@"\n', { mode: 0o755 });

  const result = await lima().runShell("echo never", {
    cwd: project,
    env: standIns.env({ UID: "5" }),
    task: testTask,
    declaredEnv: ["UID"],
  });

  assert.equal(result.code, 125);
  assert.equal(result.stdout, "");
  const shell = (await standIns.calls())[1];
  await assert.rejects(access(shell.argv[8]));
});
