import assert from "node:assert/strict";
import { realpath, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { runPipelineCli } from "../mod.ts";
import { runPipelineCli as runFromCliSubpath } from "../cli/main.ts";
import { BufferSink } from "../cli/io.ts";
import { VERSION } from "../core/version.ts";
import { tempDir } from "./support/temp_files.ts";

const MOD_URL = new URL("../mod.ts", import.meta.url).href;
const MAIN_PATH = new URL("../cli/main.ts", import.meta.url).pathname;

/** API.md's command policy, plus rules used by the tests below. */
const API_EXAMPLE = `
import { command, definePipeline, env, job, sh, task } from "${MOD_URL}";

export default definePipeline({
  name: "app",
  env: { DEPLOY_TOKEN: env.secret("DEPLOY_TOKEN") },
  commands: command.policy({
    rules: [
      command.rule({
        prefix: ["npm", "publish"],
        action: command.deny()
      }),
      command.rule({
        exact: ["async-pipeline", "github", "check"],
        action: command.mock({
          code: 0,
          stdout: "GitHub workflow is current.\\n"
        })
      }),
      command.rule({
        prefix: ["async-pipeline", "cache"],
        action: command.deny("The cache is shared with CI")
      }),
      command.rule({
        prefix: ["async-pipeline", "github", "run"],
        action: command.requireEnvironment("ci")
      })
    ],
    fallback: command.allow(),
    record: true,
    output: {
      maxBytes: 20_000,
      redactSecrets: true
    }
  }),
  tasks: { build: task({ run: sh\`true\` }) },
  jobs: { verify: job({ target: "build" }) }
});
`;

async function project(source = API_EXAMPLE, file = "pipeline.ts"): Promise<string> {
  const dir = await realpath(await tempDir());
  await writeFile(join(dir, file), source);
  return dir;
}

Deno.test("runPipelineCli API example mocks github check", async () => {
  const cwd = await project();

  const result = await runPipelineCli({ args: ["github", "check"], cwd });

  assert.equal(result.code, 0);
  assert.equal(result.stdout, "GitHub workflow is current.\n");
  assert.equal(result.stderr, "");
  assert.deepEqual(result.command, {
    args: ["async-pipeline", "github", "check"],
    action: "mock",
    rule: 1,
    code: 0,
    stdout: "GitHub workflow is current.\n",
    stderr: "",
  });
});

Deno.test("runPipelineCli exported from cli subpath", async () => {
  const cwd = await project();

  const result = await runFromCliSubpath({ args: ["github", "check"], cwd });

  assert.equal(result.stdout, "GitHub workflow is current.\n");
});

Deno.test("runPipelineCli deny names the rule", async () => {
  const cwd = await project();

  const result = await runPipelineCli({ args: ["cache", "clear"], cwd });

  assert.equal(result.code, 1);
  assert.equal(result.stdout, "");
  assert.equal(
    result.stderr,
    'error[ASYNC_PIPELINE_COMMAND_DENIED]: Command "async-pipeline cache clear" is denied by commands.rules[2] (prefix ["async-pipeline", "cache"]). The cache is shared with CI.\n' +
      "  hint: Change that rule in the pipeline's commands policy if the command should run.\n",
  );
  assert.equal(result.command?.action, "deny");
  assert.equal(result.command?.rule, 2);
});

Deno.test("runPipelineCli fallback runs the command", async () => {
  const cwd = await project();

  const result = await runPipelineCli({ args: ["metadata", "--format", "json"], cwd });

  assert.equal(result.code, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout).name, "app");
  assert.equal(result.command?.action, "allow");
  assert.equal(result.command?.rule, undefined);
  assert.equal(result.command?.stdout, result.stdout);
});

Deno.test("runPipelineCli requireEnvironment uses env option", async () => {
  const cwd = await project();

  const denied = await runPipelineCli({
    args: ["github", "run"],
    cwd,
    env: { ASYNC_PIPELINE_ENVIRONMENT: "laptop" },
  });
  assert.equal(denied.code, 1);
  assert.match(
    denied.stderr,
    /requires ASYNC_PIPELINE_ENVIRONMENT="ci", but it is "laptop"\./,
  );

  const allowed = await runPipelineCli({
    args: ["github", "run"],
    cwd,
    env: { ASYNC_PIPELINE_ENVIRONMENT: "ci" },
  });
  assert.doesNotMatch(allowed.stderr, /COMMAND_DENIED/);
  assert.equal(allowed.command?.action, "allow");
});

Deno.test("runPipelineCli masks secrets in records", async () => {
  const cwd = await project();

  const result = await runPipelineCli({
    args: ["metadata", "--config", "pipeline.ts", "--format", "json", "tok-987"],
    cwd,
    env: { DEPLOY_TOKEN: "tok-987" },
  });

  assert.equal(result.code, 1);
  assert.deepEqual(result.command?.args, [
    "async-pipeline",
    "metadata",
    "--config",
    "pipeline.ts",
    "--format",
    "json",
    "***",
  ]);
  assert.equal(JSON.stringify(result.command).includes("tok-987"), false);
});

Deno.test("runPipelineCli writes to given sinks", async () => {
  const cwd = await project();
  const stdout = new BufferSink();
  const stderr = new BufferSink();

  const result = await runPipelineCli({ args: ["github", "check"], cwd, stdout, stderr });

  assert.equal(stdout.text(), "GitHub workflow is current.\n");
  assert.equal(stderr.text(), "");
  assert.equal(result.stdout, stdout.text());
});

Deno.test("runPipelineCli honors --config for policy", async () => {
  const cwd = await project(API_EXAMPLE, "ci.pipeline.ts");

  const checked = await runPipelineCli({
    args: ["github", "check", "--config", "ci.pipeline.ts"],
    cwd,
  });
  assert.equal(checked.command?.action, "allow");

  const denied = await runPipelineCli({ args: ["cache", "clear", "--config=ci.pipeline.ts"], cwd });
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /ASYNC_PIPELINE_COMMAND_DENIED/);
});

Deno.test("runPipelineCli works without a pipeline", async () => {
  const cwd = await realpath(await tempDir());
  const before = { cwd: process.cwd(), exitCode: process.exitCode };

  const version = await runPipelineCli({ args: ["--version"], cwd, env: {} });
  const missing = await runPipelineCli({ args: ["metadata"], cwd, env: {} });

  assert.deepEqual(version, { code: 0, stdout: `${VERSION}\n`, stderr: "" });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^error\[ASYNC_PIPELINE_CONFIG_NOT_FOUND\]/);
  assert.equal(missing.command, undefined);
  assert.deepEqual({ cwd: process.cwd(), exitCode: process.exitCode }, before);
});

Deno.test("async-pipeline bin uses the same path", async () => {
  const cwd = await project();

  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN_PATH, "github", "check"],
    cwd,
    env: { NO_COLOR: "1" },
  }).output();

  assert.equal(output.code, 0);
  assert.equal(new TextDecoder().decode(output.stdout), "GitHub workflow is current.\n");

  const denied = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN_PATH, "cache", "clear"],
    cwd,
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(denied.code, 1);
  assert.match(new TextDecoder().decode(denied.stderr), /ASYNC_PIPELINE_COMMAND_DENIED/);
});

Deno.test("runPipelineCli matches options placed before the job", async () => {
  const cwd = await project();

  const result = await runPipelineCli({ args: ["cache", "--debug", "clear"], cwd });

  assert.equal(result.code, 1);
  assert.match(result.stderr, /denied by commands\.rules\[2\]/);
  assert.deepEqual(result.command?.args, ["async-pipeline", "cache", "--debug", "clear"]);
});

Deno.test("runPipelineCli rejects --config given twice", async () => {
  const cwd = await project();
  await writeFile(
    join(cwd, "other.ts"),
    API_EXAMPLE.replace('prefix: ["async-pipeline", "cache"]', 'prefix: ["nothing"]'),
  );

  const result = await runPipelineCli({
    args: ["cache", "clear", "--config", "missing.ts", "--config", "other.ts"],
    cwd,
  });

  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /^error\[ASYNC_PIPELINE_USAGE\]: cache clear: option "--config" is given more than once\./,
  );
  assert.doesNotMatch(result.stderr, /Removed/);
});
