import assert from "node:assert/strict";
import { realpath } from "node:fs/promises";
import { runCli } from "../cli/app.ts";
import { BufferSink } from "../cli/io.ts";
import { policyInvocation, valueOptions } from "../cli/policy_args.ts";
import { listCommands } from "../cli/registry.ts";
import { isPipelineError } from "../core/errors.ts";
import { tempDir } from "./support/temp_files.ts";

Deno.test("policyInvocation puts positionals before options", () => {
  const { argv } = policyInvocation(["run", "--force", "--concurrency", "2", "release"]);
  assert.deepEqual(argv, ["async-pipeline", "run", "release", "--force", "--concurrency", "2"]);
});

Deno.test("policyInvocation leaves out the global --debug", () => {
  const { argv } = policyInvocation(["--debug", "run", "release", "--debug"]);
  assert.deepEqual(argv, ["async-pipeline", "run", "release"]);
});

Deno.test("policyInvocation splits an inline option value", () => {
  const invocation = policyInvocation(["run", "--config=ci.ts", "release"]);
  assert.deepEqual(invocation.argv, ["async-pipeline", "run", "release", "--config", "ci.ts"]);
  assert.equal(invocation.config, "ci.ts");
});

Deno.test("policyInvocation keeps words after -- as positionals", () => {
  const { argv } = policyInvocation(["explain", "--", "--odd-task"]);
  assert.deepEqual(argv, ["async-pipeline", "explain", "--odd-task"]);
});

Deno.test("policyInvocation rejects --config given twice", () => {
  assert.throws(
    () => policyInvocation(["gc", "--config", "a.ts", "--config=b.ts"]),
    (error) =>
      isPipelineError(error) && error.code === "ASYNC_PIPELINE_USAGE" &&
      error.message === 'gc: option "--config" is given more than once.',
  );
});

Deno.test("policyInvocation keeps an unknown command's words in order", () => {
  const invocation = policyInvocation(["deploy", "--config", "x.ts", "now"]);
  assert.deepEqual(invocation.argv, ["async-pipeline", "deploy", "--config", "x.ts", "now"]);
  assert.equal(invocation.config, "x.ts");
});

/** Runs the CLI in `cwd` and returns its stderr. */
async function stderrOf(cwd: string, args: string[]): Promise<string> {
  const stderr = new BufferSink();
  const ctx = {
    cwd,
    env: {},
    stdout: new BufferSink(),
    stderr,
    signal: new AbortController().signal,
    debug: false,
  };
  await runCli(args, ctx);
  return stderr.text();
}

Deno.test("valueOptions agree with each command's parser", async () => {
  const cwd = await realpath(await tempDir());
  const checked: string[] = [];
  for (const command of listCommands()) {
    const takesValue = valueOptions(command);
    for (const line of command.options ?? []) {
      const name = /^--([a-z][\w-]*)/.exec(line)?.[1];
      if (name === undefined) continue;
      const args = takesValue.has(name)
        ? [...command.path, `--${name}`]
        : [...command.path, `--${name}=x`];
      const stderr = await stderrOf(cwd, args);
      const expected = takesValue.has(name) ? /needs a value/ : /does not take an argument/;
      assert.match(stderr, expected, `${args.join(" ")}: ${stderr}`);
      checked.push(args.join(" "));
    }
  }
  assert.ok(checked.includes("run --config"), checked.join(", "));
  assert.ok(checked.includes("run --force=x"), checked.join(", "));
});

Deno.test("parseCommandArgs rejects a value option given twice", async () => {
  const cwd = await realpath(await tempDir());
  const stderr = await stderrOf(cwd, ["gc", "--keep", "1", "--keep", "2"]);
  assert.match(
    stderr,
    /^error\[ASYNC_PIPELINE_USAGE\]: gc: option "--keep" is given more than once\./,
  );
});
