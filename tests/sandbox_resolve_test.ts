import assert from "node:assert/strict";
import { definePipeline, sandbox } from "../mod.ts";
import { ErrorCode, type PipelineError } from "../core/errors.ts";
import { DockerCommandExecutor } from "../node/sandbox/docker.ts";
import { LimaCommandExecutor } from "../node/lima/executor.ts";
import { resolveSandbox } from "../node/sandbox/resolve.ts";

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

Deno.test("resolveSandbox resolves sandbox cwd", () => {
  const executor = resolveSandbox(pipeline, "nested", "/work/app", {});

  assert.ok(executor instanceof DockerCommandExecutor);
  assert.equal(executor.projectDir, "/work/app/packages/app");
});

Deno.test("resolveSandbox lima by id", () => {
  const executor = resolveSandbox(pipeline, "lima", "/work/app", {});

  assert.ok(executor instanceof LimaCommandExecutor);
  assert.equal(executor.name, "lima");
  assert.equal(executor.vm, "async-pipeline");
});

Deno.test("resolveSandbox inline definition", () => {
  const executor = resolveSandbox(
    pipeline,
    sandbox.docker({ image: "alpine:3", cwd: "/elsewhere" }),
    "/work/app",
    {},
  );

  assert.ok(executor instanceof DockerCommandExecutor);
  assert.equal(executor.image, "alpine:3");
  assert.equal(executor.projectDir, "/elsewhere");
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
