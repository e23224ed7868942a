import assert from "node:assert/strict";
import { mkdir, realpath, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, job, sandbox, sh, task } from "../mod.ts";
import { ErrorCode, type PipelineError } from "../core/errors.ts";
import { DockerCommandExecutor } from "../node/sandbox/docker.ts";
import { LimaCommandExecutor } from "../node/lima/executor.ts";
import { resolveSandbox } from "../node/sandbox/resolve.ts";
import { runJob } from "../node/runner/run_job.ts";
import { writeStandIns } from "./support/standins.ts";
import { tempDir } from "./support/temp_files.ts";

const pipeline = definePipeline({
  name: "app",
  sandboxes: {
    docker: sandbox.docker({ image: "node:24", user: "node" }),
    nested: sandbox.docker({ image: "node:22", cwd: "packages/app" }),
    lima: sandbox.lima({ vm: "async-pipeline" }),
  },
  tasks: {},
});

Deno.test("resolveSandbox docker by id", () => {
  const executor = resolveSandbox(pipeline, "docker", "/work/app", {});

  assert.ok(executor instanceof DockerCommandExecutor);
  assert.equal(executor.name, "docker");
  assert.equal(executor.id, "docker");
  assert.equal(executor.image, "node:24");
  assert.equal(executor.projectDir, "/work/app");
});

Deno.test("resolveSandbox resolves sandbox cwd", async () => {
  const root = await realpath(await tempDir());
  await mkdir(join(root, "packages", "app"), { recursive: true });

  const executor = resolveSandbox(pipeline, "nested", root, {});

  assert.ok(executor instanceof DockerCommandExecutor);
  assert.equal(executor.projectDir, join(root, "packages", "app"));
});

Deno.test("resolveSandbox rejects missing cwd", async () => {
  const root = await realpath(await tempDir());

  assert.throws(
    () => resolveSandbox(pipeline, "nested", root, {}),
    (error: PipelineError) => {
      assert.equal(error.code, ErrorCode.INVALID_FIELD);
      assert.equal(error.path, "sandboxes.nested.cwd");
      assert.equal(
        error.message,
        `Sandbox "nested": cwd ${join(root, "packages", "app")} does not exist.`,
      );
      assert.equal(
        error.hint,
        "Set sandboxes.nested.cwd to an existing directory on the host (relative paths start at the run's directory), or remove it to use the run's directory.",
      );
      return true;
    },
  );
});

Deno.test("resolveSandbox rejects file as cwd", async () => {
  const root = await realpath(await tempDir());
  const file = join(root, "file.txt");
  await writeFile(file, "");

  assert.throws(
    () => resolveSandbox(pipeline, sandbox.lima({ vm: "async-pipeline", cwd: file }), root, {}),
    (error: PipelineError) => {
      assert.equal(error.code, ErrorCode.INVALID_FIELD);
      assert.equal(error.path, "sandbox.cwd");
      assert.equal(error.message, `Sandbox "inline lima": cwd ${file} is not a directory.`);
      return true;
    },
  );
});

Deno.test("runJob missing docker cwd runs nothing", async () => {
  const root = await realpath(await tempDir());
  const bin = join(root, "bin");
  await mkdir(bin);
  const standIns = await writeStandIns(bin);
  const missing = join(root, "nonexistent", "elsewhere");
  const sandboxed = definePipeline({
    name: "missing-cwd",
    sandboxes: { docker: sandbox.docker({ image: "node:24", cwd: missing }) },
    tasks: { hello: task({ requires: { tools: ["sh"] }, run: sh`echo hello` }) },
    jobs: { hello: job({ target: "hello" }) },
  });

  await assert.rejects(
    runJob(sandboxed, { id: "hello", cwd: root, env: standIns.env(), sandbox: "docker" }),
    (error: PipelineError) => {
      assert.equal(error.code, ErrorCode.INVALID_FIELD);
      assert.equal(error.path, "sandboxes.docker.cwd");
      assert.equal(error.message, `Sandbox "docker": cwd ${missing} does not exist.`);
      return true;
    },
  );
  assert.deepEqual(await standIns.calls(), []);
});

Deno.test("resolveSandbox lima by id", () => {
  const executor = resolveSandbox(pipeline, "lima", "/work/app", {});

  assert.ok(executor instanceof LimaCommandExecutor);
  assert.equal(executor.name, "lima");
  assert.equal(executor.vm, "async-pipeline");
});

Deno.test("resolveSandbox inline definition", async () => {
  const elsewhere = await realpath(await tempDir());

  const executor = resolveSandbox(
    pipeline,
    sandbox.docker({ image: "alpine:3", cwd: elsewhere }),
    "/work/app",
    {},
  );

  assert.ok(executor instanceof DockerCommandExecutor);
  assert.equal(executor.image, "alpine:3");
  assert.equal(executor.projectDir, elsewhere);
  assert.equal(executor.id, "inline docker");
});

Deno.test("resolveSandbox unknown id lists declared", () => {
  assert.throws(
    () => resolveSandbox(pipeline, "dokcer", "/work/app", {}),
    (error: PipelineError) => {
      assert.equal(error.code, ErrorCode.UNKNOWN_SANDBOX);
      assert.equal(
        error.message,
        'Unknown sandbox "dokcer". Declared sandboxes: docker, nested, lima.',
      );
      assert.equal(error.hint, 'Did you mean "docker"?');
      return true;
    },
  );
});

Deno.test("resolveSandbox without declared sandboxes", () => {
  const bare = definePipeline({ name: "bare", tasks: {} });

  assert.throws(
    () => resolveSandbox(bare, "docker", "/work/app", {}),
    (error: PipelineError) => {
      assert.equal(error.code, ErrorCode.UNKNOWN_SANDBOX);
      assert.match(error.message, /pipeline "bare" declares no sandboxes/);
      assert.match(error.hint ?? "", /sandboxes: \{ docker: sandbox\.docker/);
      return true;
    },
  );
});

Deno.test("resolveSandbox rejects other values", () => {
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => resolveSandbox(pipeline, { image: "node:24" } as any, "/work/app", {}),
    (error: PipelineError) => error.code === ErrorCode.INVALID_FIELD,
  );
});
