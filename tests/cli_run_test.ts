import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  baseEnv,
  cliCommandLine,
  makeProject,
  readLatestRecord,
  readRunFiles,
  runCli,
} from "./support/projects.ts";

const PIPELINE = `
import { definePipeline, env, job, sh, task } from "@mod";

export default definePipeline({
  name: "cli",
  tasks: {
    build: task({ run: sh\`echo building; echo "warn: slow disk" >&2\` }),
    test: task({ dependsOn: ["build"], run: sh\`echo testing\` }),
    broken: task({ run: sh\`for i in 1 2 3 4 5; do echo "broken line $i"; done; exit 2\` }),
    secret: task({
      run: sh\`echo "token=$TOKEN"; printf 'abc'; sleep 0.2; printf 'def-tail\\\\n'; echo "$TOKEN" >&2\`,
    }),
  },
  jobs: {
    verify: job({ target: "test" }),
    broken: job({ target: ["broken", "test"] }),
    secret: job({ target: "secret", env: { TOKEN: env.secret("CLI_TOKEN") } }),
  },
});
`;

Deno.test("cli run prints output and a summary", async () => {
  const cwd = await makeProject(PIPELINE);
  const result = await runCli(cwd, ["run", "verify", "--concurrency", "1"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  const lines = result.stdout.split("\n");
  assert.equal(lines[0], "Running verify (2 tasks, concurrency 1)");
  assert.ok(lines.includes("[build] building"));
  assert.ok(lines.includes("[build] warn: slow disk"));
  assert.ok(lines.includes("[test] testing"));
  assert.ok(lines.some((line) => /^✓ build passed \(\d+(ms|\.\ds)\)$/.test(line)));
  assert.ok(
    lines.some((line) =>
      /^verify passed in .*: 2 passed, 0 cached, 0 failed, 0 skipped$/.test(line)
    ),
  );
  const { record } = await readLatestRecord(cwd);
  assert.ok(lines.includes(`record: .async/runs/${record.id}/execution.json`));
  assert.equal(record.status, "passed");
  assert.ok(!result.stdout.includes("\x1b["), "no ANSI escapes without a TTY");
});

Deno.test("cli run shows the failing task's last lines", async () => {
  const cwd = await makeProject(PIPELINE);
  const result = await runCli(cwd, ["run", "broken", "--concurrency", "1"]);
  assert.equal(result.code, 1);
  assert.match(result.stdout, /✗ broken failed \(.*\): exit code 2/);
  assert.match(result.stdout, /Failed: broken: Task "broken" failed: `.*` exited with code 2\.\n/);
  const tail = [1, 2, 3, 4, 5].map((i) => `  │ broken line ${i}\n`).join("");
  assert.ok(result.stdout.includes(`  last 5 lines of output:\n${tail}`));
  assert.match(result.stdout, /broken failed in .*: 0 passed, 0 cached, 1 failed, 2 skipped/);
  assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at /);
});

Deno.test("cli run --format json prints only the record", async () => {
  const cwd = await makeProject(PIPELINE);
  const result = await runCli(cwd, ["run", "verify", "--format", "json"]);
  assert.equal(result.code, 0, result.stderr);
  const printed = JSON.parse(result.stdout);
  const { record } = await readLatestRecord(cwd);
  assert.deepEqual(printed, record);
  assert.equal(printed.schemaVersion, 1);
  assert.deepEqual(printed.tasks.map((task: { id: string }) => task.id), ["build", "test"]);
});

Deno.test("cli run --format json prints the record of a run stopped before its tasks", async () => {
  const cwd = await makeProject(PIPELINE);
  const result = await runCli(cwd, ["run", "secret", "--format", "json"]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^error\[ASYNC_PIPELINE_MISSING_SECRET\]/);
  const printed = JSON.parse(result.stdout);
  const { record } = await readLatestRecord(cwd);
  assert.deepEqual(printed, record);
  assert.equal(printed.status, "failed");
  assert.equal(printed.error?.code, "ASYNC_PIPELINE_MISSING_SECRET");
});

Deno.test("cli run text output reports a run stopped before its tasks once", async () => {
  const cwd = await makeProject(PIPELINE);
  const result = await runCli(cwd, ["run", "secret"]);
  assert.equal(result.code, 1);
  assert.equal(result.stderr.match(/is not set/g)?.length, 1, result.stderr);
  assert.doesNotMatch(result.stdout, /Stopped:/);
});

Deno.test("cli run-task runs dependencies", async () => {
  const cwd = await makeProject(PIPELINE);
  const result = await runCli(cwd, ["run-task", "test", "--format", "json"]);
  assert.equal(result.code, 0, result.stderr);
  const printed = JSON.parse(result.stdout);
  assert.equal(printed.jobId, "task:test");
  assert.deepEqual(printed.tasks.map((task: { id: string }) => task.id), ["build", "test"]);
});

Deno.test("cli run masks secrets everywhere", async () => {
  const cwd = await makeProject(PIPELINE);
  const token = "abcdef-tail";
  const result = await runCli(cwd, ["run", "secret"], { CLI_TOKEN: token });
  assert.equal(result.code, 0, result.stderr);
  assert.ok(!result.stdout.includes(token));
  assert.ok(!result.stdout.includes("abcdef"));
  assert.ok(result.stdout.includes("[secret] token=***"));
  assert.ok(result.stdout.includes("[secret] ***"));
  const { dir, record } = await readLatestRecord(cwd);
  const files = await readRunFiles(dir);
  assert.ok(!files.includes(token));
  assert.ok(!files.includes("abcdef"));
  const stdoutLog = await readFile(join(dir, record.tasks[0].logs!.stdout!), "utf8");
  assert.equal(stdoutLog, "token=***\n***\n");
});

Deno.test("cli run reports a missing secret", async () => {
  const cwd = await makeProject(PIPELINE);
  const result = await runCli(cwd, ["run", "secret"]);
  assert.equal(result.code, 1);
  assert.equal(result.stdout, "");
  assert.match(
    result.stderr,
    /^error\[ASYNC_PIPELINE_MISSING_SECRET\]: jobs\.secret\.env\.TOKEN: secret "CLI_TOKEN" \(or "TOKEN"\) is not set\./,
  );
});

Deno.test("cli run reports usage errors", async () => {
  const cwd = await makeProject(PIPELINE);
  const missing = await runCli(cwd, ["run"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /error\[ASYNC_PIPELINE_USAGE\]: run expects one job id/);
  const badConcurrency = await runCli(cwd, ["run", "verify", "--concurrency", "0"]);
  assert.match(badConcurrency.stderr, /--concurrency must be a positive integer/);
  const unknown = await runCli(cwd, ["run", "verfy"]);
  assert.match(
    unknown.stderr,
    /error\[ASYNC_PIPELINE_UNKNOWN_JOB\]: Unknown job "verfy"\.\n {2}hint: Did you mean "verify"\?/,
  );
});

Deno.test("cli run --sandbox checks declared sandboxes", async () => {
  const cwd = await makeProject(PIPELINE);
  const result = await runCli(cwd, ["run", "verify", "--sandbox", "docker"]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /ASYNC_PIPELINE_UNKNOWN_SANDBOX/);
});

Deno.test("cli run --config loads another file", async () => {
  const cwd = await makeProject(PIPELINE);
  await Deno.rename(join(cwd, "pipeline.ts"), join(cwd, "ci.pipeline.ts"));
  const missing = await runCli(cwd, ["run", "verify"]);
  assert.match(missing.stderr, /ASYNC_PIPELINE_CONFIG_NOT_FOUND/);
  const result = await runCli(cwd, ["run", "verify", "--config", "ci.pipeline.ts"]);
  assert.equal(result.code, 0, result.stderr);
});

const hasScript = new Deno.Command("sh", { args: ["-c", "command -v script"] }).outputSync()
  .success;

Deno.test({
  name: "cli run colors only a terminal",
  // `script` (util-linux) gives the CLI a pseudo-terminal as stdout.
  ignore: !hasScript,
  fn: async () => {
    const cwd = await makeProject(PIPELINE);
    const command = cliCommandLine(["run", "verify"]);
    const run = async (env: Record<string, string>) => {
      const output = await new Deno.Command("script", {
        args: ["-q", "-e", "-c", command, "/dev/null"],
        cwd,
        env: baseEnv(env),
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(output.code, 0);
      return new TextDecoder().decode(output.stdout);
    };
    const colored = await run({});
    assert.ok(colored.includes("\x1b[1mRunning verify\x1b[22m"));
    const plain = await run({ NO_COLOR: "1" });
    assert.ok(plain.includes("Running verify (2 tasks"));
    assert.ok(!plain.includes("\x1b["));
  },
});
