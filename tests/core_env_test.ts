import assert from "node:assert/strict";
import { env, isEnvValue } from "../core/env.ts";
import { ErrorCode } from "../core/errors.ts";
import { isPipelineError } from "../core/errors.ts";
import { definePipeline, job, sh, task } from "../mod.ts";

Deno.test("env.secret records the source name", () => {
  assert.deepEqual(env.secret("NPM_TOKEN"), { kind: "secret", name: "NPM_TOKEN" });
});

Deno.test("env.var without options", () => {
  assert.deepEqual(env.var("NODE_ENV"), { kind: "var", name: "NODE_ENV" });
});

Deno.test("env.var with a default", () => {
  assert.deepEqual(env.var("NODE_ENV", { default: "dev" }), {
    kind: "var",
    name: "NODE_ENV",
    default: "dev",
  });
});

Deno.test("env.var with a map and default", () => {
  const value = env.var("NODE_ENV", { prod: "https://api", dev: "http://localhost" }, {
    default: "dev",
  });
  assert.deepEqual(value, {
    kind: "var",
    name: "NODE_ENV",
    default: "dev",
    map: { prod: "https://api", dev: "http://localhost" },
  });
});

Deno.test("env.var with a map and no default", () => {
  const value = env.var("STAGE", { prod: "p", dev: "d" }, {});
  assert.deepEqual(value.map, { prod: "p", dev: "d" });
  assert.equal(value.default, undefined);
});

Deno.test("env.var rejects a default outside its map", () => {
  assert.throws(
    () => env.var("STAGE", { prod: "p" }, { default: "dev" }),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, ErrorCode.INVALID_FIELD);
      assert.match(error.message, /default "dev" is not a key/);
      return true;
    },
  );
});

Deno.test("env builders reject invalid names", () => {
  for (const name of ["", "1ABC", "A-B", "has space"]) {
    assert.throws(() => env.secret(name), /expects an environment variable name/);
    assert.throws(() => env.var(name), /expects an environment variable name/);
  }
});

Deno.test("env.var rejects unknown options", () => {
  assert.throws(
    () => env.var("A", { prod: "x" }, { defualt: "prod" } as unknown as { default: string }),
    (error: Error & { code?: string }) => error.code === ErrorCode.UNKNOWN_FIELD,
  );
});

Deno.test("isEnvValue accepts each value kind", () => {
  assert.equal(isEnvValue("literal"), true);
  assert.equal(isEnvValue(env.secret("A")), true);
  assert.equal(isEnvValue(env.var("A")), true);
  assert.equal(isEnvValue(42), false);
  assert.equal(isEnvValue({ kind: "secret" }), false);
});

Deno.test("env.var rejects a misspelled default option", () => {
  assert.throws(
    () => env.var("NODE_ENV", { defalt: "dev" }),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, ErrorCode.UNKNOWN_FIELD);
      assert.match(error.message, /misspelled "default"/);
      return true;
    },
  );
});

Deno.test("env.var rejects an empty value map", () => {
  assert.throws(() => env.var("X", {}, {}), /empty value map/);
});

/** Returns the issue paths of defining a pipeline with `pipelineEnv` and the job env `jobEnv`. */
function envIssues(pipelineEnv: Record<string, unknown>, jobEnv: Record<string, unknown>) {
  try {
    definePipeline({
      name: "app",
      env: pipelineEnv as Record<string, string>,
      tasks: { build: task({ run: sh`true` }) },
      jobs: { ship: job({ target: "build", env: jobEnv as Record<string, string> }) },
    });
    return [];
  } catch (error) {
    assert.ok(isPipelineError(error), String(error));
    return error.issues.map((issue) => `${issue.code} ${issue.path}`);
  }
}

Deno.test("env rejects ASYNC_PIPELINE_ENVIRONMENT set by the pipeline", () => {
  assert.deepEqual(envIssues({ ASYNC_PIPELINE_ENVIRONMENT: "release" }, {}), [
    `${ErrorCode.INVALID_FIELD} env.ASYNC_PIPELINE_ENVIRONMENT`,
  ]);
});

Deno.test("env rejects ASYNC_PIPELINE_ENVIRONMENT with a default", () => {
  const value = env.var("DEPLOY", { default: "release" });
  assert.deepEqual(envIssues({}, { ASYNC_PIPELINE_ENVIRONMENT: value }), [
    `${ErrorCode.INVALID_FIELD} jobs.ship.env.ASYNC_PIPELINE_ENVIRONMENT`,
  ]);
});

Deno.test("env accepts ASYNC_PIPELINE_ENVIRONMENT mapped from outside", () => {
  const value = env.var("DEPLOY_ENVIRONMENT");
  assert.deepEqual(envIssues({}, { ASYNC_PIPELINE_ENVIRONMENT: value }), []);
});
