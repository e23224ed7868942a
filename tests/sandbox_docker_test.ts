import assert from "node:assert/strict";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, sh, task } from "../mod.ts";
import { ErrorCode, type PipelineError } from "../core/errors.ts";
import { DockerCommandExecutor } from "../node/sandbox/docker.ts";
import { processExists, standInProject, waitFor } from "./support/standins.ts";
import { tempDir } from "./support/temp_files.ts";

const buildTask = definePipeline({
  name: "sandboxed",
  tasks: { build: task({ run: sh`true` }) },
}).tasks.build;

function executor(project: string, options: Partial<{ image: string; user: string }> = {}) {
  return new DockerCommandExecutor({
    image: options.image ?? "node:24",
    projectDir: project,
    id: "docker",
    ...(options.user ? { user: options.user } : {}),
  });
}

Deno.test("docker executor exact command line", async () => {
  const { project, standIns } = await standInProject();
  const cwd = join(project, "packages", "app");
  await mkdir(cwd, { recursive: true });
  const command = `printf '%s|%s\\n' "$GREETING" "$(pwd)"`;
  const env = standIns.env({ GREETING: "it's here", SECRET_TOKEN: "s3cret-value" });

  const result = await executor(project).runShell(command, {
    cwd,
    env,
    task: buildTask,
    declaredEnv: ["GREETING", "SECRET_TOKEN"],
  });

  assert.equal(result.code, 0);
  assert.equal(result.stdout, `it's here|${cwd}\n`);
  const [call] = await standIns.calls();
  const name = call.argv[3];
  assert.match(name, /^async-pipeline-build-[0-9a-f]{8}$/);
  assert.deepEqual(call.argv, [
    "run",
    "--rm",
    "--name",
    name,
    "--mount",
    `type=bind,source=${project},target=${project}`,
    "-w",
    cwd,
    "-e",
    "GREETING",
    "-e",
    "SECRET_TOKEN",
    "node:24",
    "sh",
    "-c",
    command,
  ]);
});

Deno.test("docker executor passes env by name", async () => {
  const { project, standIns } = await standInProject();
  const env = standIns.env({ SECRET_TOKEN: "s3cret-value", HOME: "/home/host", DOCKER_HOST: "x" });

  const result = await executor(project).runShell('printf %s "$SECRET_TOKEN"', {
    cwd: project,
    env,
    task: buildTask,
    declaredEnv: ["SECRET_TOKEN", "HOME", "DOCKER_HOST"],
  });

  // The exit code and stderr go into the message, so that a rare failure here can be diagnosed.
  assert.equal(result.stdout, "s3cret-value", `exit ${result.code}, stderr: ${result.stderr}`);
  const [call] = await standIns.calls();
  assert.equal(call.argv.some((arg) => arg.includes("s3cret-value")), false);
  assert.equal(call.env.SECRET_TOKEN, "s3cret-value");
  assert.equal(call.argv.includes("HOME"), false);
  assert.equal(call.argv.includes("DOCKER_HOST"), false);
  assert.equal(call.argv.includes("PATH"), false);
});

Deno.test("docker executor keeps command quoting", async () => {
  const { project, standIns } = await standInProject();
  const command = `echo "two  spaces" 'single $HOME' "it's" \\$literal; echo 'line
break'`;

  const result = await executor(project).runShell(command, {
    cwd: project,
    env: standIns.env(),
    task: buildTask,
  });

  assert.equal(result.stdout, "two  spaces single $HOME it's $literal\nline\nbreak\n");
  const [call] = await standIns.calls();
  assert.equal(call.argv[call.argv.length - 1], command);
  assert.equal(call.argv[call.argv.length - 2], "-c");
});

Deno.test("docker executor mounts cwd outside project", async () => {
  const { project, standIns } = await standInProject();
  const outside = join(project, "..", "other,dir");
  await mkdir(outside);

  await executor(project).runShell("true", { cwd: outside, env: standIns.env(), task: buildTask });

  const [call] = await standIns.calls();
  assert.deepEqual(call.argv.slice(4, 10), [
    "--mount",
    `type=bind,source=${project},target=${project}`,
    "--mount",
    `type=bind,"source=${outside}","target=${outside}"`,
    "-w",
    outside,
  ]);
});

Deno.test("docker executor user and extra args", async () => {
  const { project, standIns } = await standInProject();
  const docker = new DockerCommandExecutor({
    image: "node:24",
    projectDir: project,
    user: "1000:1000",
    args: ["--network", "none"],
  });

  await docker.runShell("true", { cwd: project, env: standIns.env(), task: buildTask });

  const [call] = await standIns.calls();
  assert.deepEqual(call.argv.slice(8), [
    "--user",
    "1000:1000",
    "--network",
    "none",
    "node:24",
    "sh",
    "-c",
    "true",
  ]);
});

Deno.test("docker executor returns command exit code", async () => {
  const { project, standIns } = await standInProject();

  const result = await executor(project).runShell("echo oops >&2; exit 3", {
    cwd: project,
    env: standIns.env(),
    task: buildTask,
  });

  assert.equal(result.code, 3);
  assert.equal(result.stderr, "oops\n");
});

Deno.test("docker executor timeout kills container", async () => {
  const { project, standIns } = await standInProject();
  const pidFile = join(project, "pid");

  const result = await executor(project).runShell(`echo $$ > ${pidFile}; sleep 30`, {
    cwd: project,
    env: standIns.env(),
    task: buildTask,
    timeoutMs: 3000,
  });

  assert.equal(result.code, 124);
  assert.equal(result.timedOut, true);
  const calls = await standIns.calls();
  const name = calls[0].argv[3];
  assert.deepEqual(calls[1].argv, ["kill", name]);
  const pid = Number(await readFile(pidFile, "utf8"));
  await waitFor(() => !processExists(pid), "the sandboxed command to stop");
});

Deno.test("docker executor interrupt kills container", async () => {
  const { project, standIns } = await standInProject();
  const pidFile = join(project, "pid");
  const controller = new AbortController();

  const running = executor(project).runShell(
    `echo $$ > ${pidFile}.tmp; mv ${pidFile}.tmp ${pidFile}; sleep 30`,
    {
      cwd: project,
      env: standIns.env(),
      task: buildTask,
      signal: controller.signal,
    },
  );
  await waitFor(async () => (await readFile(pidFile, "utf8").catch(() => "")) !== "", "pid file");
  controller.abort();
  const result = await running;

  // 137 when the client saw its container killed first, 143 when SIGTERM reached the client first.
  assert.ok([137, 143].includes(result.code), `exit code ${result.code}`);
  const calls = await standIns.calls();
  assert.deepEqual(calls[1].argv, ["kill", calls[0].argv[3]]);
  const pid = Number(await readFile(pidFile, "utf8"));
  await waitFor(() => !processExists(pid), "the sandboxed command to stop");
});

Deno.test("docker executor missing docker", async () => {
  const { project } = await standInProject();
  const emptyBin = await tempDir();

  await assert.rejects(
    executor(project).runShell("true", { cwd: project, env: { PATH: emptyBin }, task: buildTask }),
    (error: PipelineError) => {
      assert.equal(error.code, ErrorCode.SANDBOX_UNAVAILABLE);
      assert.match(error.message, /Sandbox "docker" needs the docker command/);
      assert.match(error.hint ?? "", /Install Docker/);
      return true;
    },
  );
});

Deno.test("docker executor image pull failure", async () => {
  const { project, standIns } = await standInProject();

  await assert.rejects(
    executor(project, { image: "missing/image:1" }).runShell("true", {
      cwd: project,
      env: standIns.env(),
      task: buildTask,
    }),
    (error: PipelineError) => {
      assert.equal(error.code, ErrorCode.SANDBOX_UNAVAILABLE);
      assert.match(
        error.message,
        /Sandbox "docker": Docker could not pull image "missing\/image:1"/,
      );
      assert.match(
        error.message,
        /\(docker: Error response from daemon: pull access denied .*\)\.$/,
      );
      assert.match(error.hint ?? "", /docker pull missing\/image:1/);
      return true;
    },
  );
});

Deno.test("docker executor daemon not running", async () => {
  const { project, standIns } = await standInProject();

  await assert.rejects(
    executor(project).runShell("true", {
      cwd: project,
      env: standIns.env({ STANDIN_DOCKER_DAEMON: "down" }),
      task: buildTask,
    }),
    (error: PipelineError) => {
      assert.equal(error.code, ErrorCode.SANDBOX_UNAVAILABLE);
      assert.equal(
        error.message,
        'Sandbox "docker": the Docker daemon is not running (docker: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?).',
      );
      return true;
    },
  );
  const [call] = await standIns.calls();
  assert.deepEqual(call.argv.slice(0, 3), ["run", "--rm", "--name"]);
  assert.deepEqual(call.argv.slice(4), [
    "--mount",
    `type=bind,source=${project},target=${project}`,
    "-w",
    project,
    "node:24",
    "sh",
    "-c",
    "true",
  ]);
});

Deno.test("docker run failure skips the help pointer", async () => {
  const { project, standIns } = await standInProject();

  await assert.rejects(
    executor(project).runShell("true", {
      cwd: project,
      env: standIns.env({ STANDIN_DOCKER_RUN_ERROR: "invalid reference format." }),
      task: buildTask,
    }),
    (error: PipelineError) => {
      assert.equal(error.code, ErrorCode.SANDBOX_FAILED);
      assert.equal(
        error.message,
        'Sandbox "docker": docker run failed before the command started (docker: invalid reference format.).',
      );
      return true;
    },
  );
});

Deno.test("docker checkTool runs inside container", async () => {
  const { project, standIns } = await standInProject();
  const docker = new DockerCommandExecutor({
    image: "node:24",
    projectDir: project,
    env: standIns.env(),
  });

  assert.equal(await docker.checkTool("sh"), true);
  assert.equal(await docker.checkTool("no-such-tool-anywhere"), false);
  assert.equal(await docker.checkTool("sh"), true);

  const calls = await standIns.calls();
  assert.equal(calls.length, 2);
  assert.match(calls[0].argv[3], /^async-pipeline-check-sh-[0-9a-f]{8}$/);
  assert.deepEqual(calls[0].argv, [
    "run",
    "--rm",
    "--name",
    calls[0].argv[3],
    "node:24",
    "sh",
    "-c",
    'command -v "$1" >/dev/null',
    "sh",
    "sh",
  ]);
});

Deno.test("docker executor streams output", async () => {
  const { project, standIns } = await standInProject();
  const stdout: string[] = [];
  const stderr: string[] = [];

  const result = await executor(project).runShell("echo out; echo err >&2", {
    cwd: project,
    env: standIns.env(),
    task: buildTask,
    onStdout: (chunk) => stdout.push(chunk),
    onStderr: (chunk) => stderr.push(chunk),
  });

  assert.equal(result.code, 0);
  assert.equal(stdout.join(""), "out\n");
  assert.equal(stderr.join(""), "err\n");
  assert.equal(result.stdout, "");
  assert.equal(result.stderr, "");
});

Deno.test("docker pull failure while streaming", async () => {
  const { project, standIns } = await standInProject();
  const stderr: string[] = [];

  await assert.rejects(
    executor(project, { image: "missing/image:1" }).runShell("true", {
      cwd: project,
      env: standIns.env(),
      task: buildTask,
      onStderr: (chunk) => stderr.push(chunk),
    }),
    (error: PipelineError) => {
      assert.equal(error.code, ErrorCode.SANDBOX_UNAVAILABLE);
      assert.match(error.message, /pull access denied/);
      return true;
    },
  );
  assert.match(stderr.join(""), /Unable to find image/);
});
