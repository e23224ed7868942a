import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, env, job, sandbox, sh, task } from "../mod.ts";
import { ErrorCode, type PipelineError } from "../core/errors.ts";
import { pipelineMetadata } from "../core/metadata.ts";
import { runJob } from "../node/runner/run_job.ts";
import { sandboxEnvNames } from "../node/sandbox/env.ts";
import { standInProject, type StandIns } from "./support/standins.ts";

/** Variables a CI machine sets that no step declares. */
const CI_TOKENS = {
  GITHUB_TOKEN: "ghs-host-token",
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: "oidc-host-token",
  AWS_SECRET_ACCESS_KEY: "aws-host-key",
};

const declaring = definePipeline({
  name: "declaring",
  env: {
    NODE_AUTH_TOKEN: env.secret("NPM_TOKEN"),
    MODE: env.var("DEPLOY_MODE", { default: "dev" }),
    PLAIN: "plain",
  },
  sandboxes: {
    docker: sandbox.docker({ image: "node:24", passEnv: ["NPM_CONFIG_REGISTRY"] }),
    lima: sandbox.lima({ vm: "async-pipeline", passEnv: ["NPM_CONFIG_REGISTRY"] }),
  },
  tasks: {
    build: task({
      cache: false,
      requires: { secrets: ["SIGNING_KEY"] },
      run: sh`printf '%s|%s|%s\n' "$NODE_AUTH_TOKEN" "\${GITHUB_TOKEN-unset}" ${
        env.secret("INLINE_TOKEN")
      } > out.txt`,
    }),
  },
  jobs: { build: job({ target: "build" }) },
});

function hostEnv(standIns: StandIns): Record<string, string> {
  return standIns.env({
    ...CI_TOKENS,
    NPM_TOKEN: "npm-secret",
    DEPLOY_MODE: "prod",
    SIGNING_KEY: "signing-secret",
    INLINE_TOKEN: "inline-secret",
    NPM_CONFIG_REGISTRY: "http://127.0.0.1:4873/",
    CI: "true",
    TERM: "xterm",
    LC_ALL: "C.UTF-8",
    HOME: "/home/host",
  });
}

/** Names a step receives in the sandbox, for the pipeline above. */
const FORWARDED = [
  "ASYNC_PIPELINE_SECRET_0",
  "CI",
  "DEPLOY_MODE",
  "LC_ALL",
  "MODE",
  "NODE_AUTH_TOKEN",
  "NPM_CONFIG_REGISTRY",
  "NPM_TOKEN",
  "PLAIN",
  "SIGNING_KEY",
  "TERM",
];

Deno.test("sandboxEnvNames keeps declared, passed and neutral", () => {
  const names = sandboxEnvNames(
    {
      ...CI_TOKENS,
      AWS_REGION: "eu-west-1",
      CI: "1",
      TERM: "dumb",
      COLORTERM: "truecolor",
      NO_COLOR: "1",
      FORCE_COLOR: "0",
      LANG: "C",
      LC_CTYPE: "C.UTF-8",
      TZ: "UTC",
      HOME: "/home/host",
      PATH: "/usr/bin",
      DOCKER_HOST: "unix:///x",
      DEPLOY_TOKEN: "t",
      NPM_CONFIG_REGISTRY: "http://127.0.0.1:4873/",
      "NOT-A-NAME": "x",
    },
    ["DEPLOY_TOKEN", "HOME", "DOCKER_HOST", "UNSET_NAME", "NOT-A-NAME"],
    ["NPM_CONFIG_REGISTRY"],
  );

  assert.deepEqual(names, [
    "CI",
    "COLORTERM",
    "DEPLOY_TOKEN",
    "FORCE_COLOR",
    "LANG",
    "LC_CTYPE",
    "NO_COLOR",
    "NPM_CONFIG_REGISTRY",
    "TERM",
    "TZ",
  ]);
});

Deno.test("sandboxEnvNames without declared names", () => {
  assert.deepEqual(sandboxEnvNames({ ...CI_TOKENS, SECRET_TOKEN: "x", CI: "1" }), ["CI"]);
});

Deno.test("docker step gets declared env only", async () => {
  const { project, standIns } = await standInProject();

  const record = await runJob(declaring, {
    id: "build",
    cwd: project,
    env: hostEnv(standIns),
    sandbox: "docker",
  });

  assert.equal(record.status, "passed", JSON.stringify(record.tasks[0].error));
  assert.equal(
    await readFile(join(project, "out.txt"), "utf8"),
    "npm-secret|unset|inline-secret\n",
  );
  const [call] = await standIns.calls();
  const names = call.argv.flatMap((arg, index) => call.argv[index - 1] === "-e" ? [arg] : []);
  assert.deepEqual(names, FORWARDED);
  for (const value of Object.values(CI_TOKENS)) {
    assert.equal(call.argv.some((arg) => arg.includes(value)), false);
  }
});

Deno.test("lima step gets declared env only", async () => {
  const { project, standIns } = await standInProject();

  const record = await runJob(declaring, {
    id: "build",
    cwd: project,
    env: hostEnv(standIns),
    sandbox: "lima",
  });

  assert.equal(record.status, "passed", JSON.stringify(record.tasks[0].error));
  assert.equal(
    await readFile(join(project, "out.txt"), "utf8"),
    "npm-secret|unset|inline-secret\n",
  );
  // The step, not the check that the VM mounts the project: that one runs `true`.
  const step = (await standIns.calls()).find((call) =>
    call.argv[1] === "--workdir" && call.argv[4] === "sh"
  );
  const exported = (step?.stdin ?? "").split("\n").filter(Boolean)
    .map((line) => line.replace(/^export ([A-Z0-9_]+)=.*$/, "$1"));
  assert.deepEqual(exported, FORWARDED);
  for (const value of Object.values(CI_TOKENS)) {
    assert.equal(step?.stdin?.includes(value), false);
  }
});

Deno.test("passEnv is kept and shown in metadata", () => {
  const pipeline = definePipeline({
    name: "meta",
    sandboxes: {
      docker: sandbox.docker({ image: "node:24", passEnv: ["NPM_CONFIG_REGISTRY"] }),
      lima: sandbox.lima({ vm: "async-pipeline", passEnv: ["HTTP_PROXY", "NO_PROXY"] }),
    },
    tasks: {},
  });

  const metadata = pipelineMetadata(pipeline) as { sandboxes: Record<string, unknown> };

  assert.deepEqual(metadata.sandboxes, {
    docker: { type: "docker", image: "node:24", passEnv: ["NPM_CONFIG_REGISTRY"] },
    lima: { type: "lima", vm: "async-pipeline", passEnv: ["HTTP_PROXY", "NO_PROXY"] },
  });
});

Deno.test("passEnv typo suggests the field", () => {
  assert.throws(
    () => sandbox.docker({ image: "node:24", passenv: ["X"] } as unknown as { image: string }),
    (error: PipelineError) => {
      assert.equal(error.code, ErrorCode.UNKNOWN_FIELD);
      assert.equal(error.message, 'sandbox.docker: unknown field "passenv".');
      assert.equal(error.hint, 'Did you mean "passEnv"?');
      return true;
    },
  );
});

Deno.test("passEnv rejects bad values", () => {
  const cases: [() => unknown, string][] = [
    [
      () => sandbox.docker({ image: "node:24", passEnv: "NPM_CONFIG_REGISTRY" as never }),
      "sandbox.docker: passEnv must be an array of variable names, got string.",
    ],
    [
      () => sandbox.lima({ vm: "a", passEnv: ["OK", 5 as never] }),
      "sandbox.lima: passEnv[1] must be a variable name, got 5.",
    ],
    [
      () => sandbox.docker({ image: "node:24", passEnv: ["NPM-TOKEN"] }),
      'sandbox.docker: passEnv[0] must be a variable name, got "NPM-TOKEN".',
    ],
    [
      () => sandbox.docker({ image: "node:24", passEnv: ["PATH"] }),
      'sandbox.docker: passEnv[0] "PATH" describes the host, so a sandbox never receives it.',
    ],
    [
      () => sandbox.lima({ vm: "a", passEnv: ["LIMA_HOME"] }),
      'sandbox.lima: passEnv[0] "LIMA_HOME" describes the host, so a sandbox never receives it.',
    ],
  ];
  for (const [build, message] of cases) {
    assert.throws(build, (error: PipelineError) => {
      assert.equal(error.code, ErrorCode.INVALID_FIELD);
      assert.equal(error.message, message);
      assert.ok(error.hint, message);
      return true;
    });
  }
});
