import assert from "node:assert/strict";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { githubCommands } from "../cli/commands/github.ts";
import { ErrorCode, PipelineError } from "../mod.ts";
import type { JobRunner } from "../node/github/run.ts";
import type { ExecutionRecord, RunOptions } from "../node/types.ts";
import { cliContext, MOD_URL } from "./helpers/cli.ts";
import { runPipelineSource } from "./helpers/github_run_pipeline.ts";
import { tempDir } from "./support/temp_files.ts";

const EVENTS = fileURLToPath(new URL("./fixtures/github/events/", import.meta.url));

/** Returns a runner that records each call and fails the `broken` job. */
function scriptedRunner(calls: RunOptions[]): JobRunner {
  return (pipeline, options) => {
    calls.push(options);
    const record: ExecutionRecord = {
      schemaVersion: 1,
      id: `run-${options.id}`,
      pipelineName: pipeline.name,
      jobId: options.id,
      cwd: options.cwd ?? "",
      pid: 1,
      startedAt: "2026-01-05T10:15:00.000Z",
      finishedAt: "2026-01-05T10:15:01.000Z",
      status: options.id === "broken" ? "failed" : "passed",
      mode: "ci",
      tasks: [],
    };
    return Promise.resolve(record);
  };
}

async function githubRun(
  env: Record<string, string>,
  args: string[] = [],
  runner?: JobRunner,
): Promise<{ code: number; stdout: string; stderr: string; calls: RunOptions[] }> {
  const dir = await tempDir("github-run-");
  try {
    await writeFile(join(dir, "pipeline.ts"), runPipelineSource(MOD_URL));
    const calls: RunOptions[] = [];
    const command = githubCommands(() => runner ?? scriptedRunner(calls))
      .find((candidate) => candidate.path.join(" ") === "github run")!;
    const { ctx, stdout, stderr } = cliContext(dir, { CI: "true", ...env });
    let code: number;
    try {
      code = await command.run(args, ctx);
    } catch (error) {
      if (!(error instanceof PipelineError)) throw error;
      stderr.write(`error[${error.code}]: ${error.message}\n`);
      code = 1;
    }
    for (const call of calls) {
      assert.equal(call.cwd, dir);
      assert.equal(call.env?.CI, "true");
    }
    return { code, stdout: stdout.text(), stderr: stderr.text(), calls };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const eventEnv = (name: string, file: string, extra: Record<string, string> = {}) => ({
  GITHUB_EVENT_NAME: name,
  GITHUB_EVENT_PATH: join(EVENTS, file),
  GITHUB_BASE_REF: "",
  ...extra,
});

Deno.test("github run push to main", async () => {
  const result = await githubRun(
    eventEnv("push", "push_main.json", { GITHUB_REF: "refs/heads/main" }),
  );
  assert.equal(
    result.stdout,
    [
      "GitHub event: push to branch main",
      'selected verify: trigger "main" matches branch main (pattern "main")',
      'skipped preview: no trigger matches ("features")',
      'skipped nightly: no trigger matches ("nightly")',
      'skipped release: no trigger matches ("manual")',
      'skipped broken: no trigger matches ("manual")',
      "skipped local: has no trigger",
      "verify passed (run run-verify)",
      "",
    ].join("\n"),
  );
  assert.equal(result.stderr, "");
  assert.equal(result.code, 0);
  assert.deepEqual(result.calls.map((call) => call.id), ["verify"]);
});

Deno.test("github run push to feature branch", async () => {
  const result = await githubRun(
    eventEnv("push", "push_feature.json", { GITHUB_REF: "refs/heads/feature/login" }),
  );
  assert.match(result.stdout, /^GitHub event: push to branch feature\/login\n/);
  assert.match(
    result.stdout,
    /\nselected preview: trigger "features" matches branch feature\/login \(pattern "feature\/\*\*"\)\n/,
  );
  assert.deepEqual(result.calls.map((call) => call.id), ["preview"]);
  assert.equal(result.code, 0);
});

Deno.test("github run push to other branch", async () => {
  const result = await githubRun(
    eventEnv("push", "push_feature.json", { GITHUB_REF: "refs/heads/dev" }),
  );
  assert.match(result.stdout, /\nNo job matches push to branch dev\.\n$/);
  assert.deepEqual(result.calls, []);
  assert.equal(result.code, 0);
});

Deno.test("github run pull request into main", async () => {
  const result = await githubRun(
    eventEnv("pull_request", "pull_request_main.json", {
      GITHUB_REF: "refs/pull/7/merge",
      GITHUB_BASE_REF: "main",
    }),
  );
  assert.match(result.stdout, /^GitHub event: pull_request into main\n/);
  assert.deepEqual(result.calls.map((call) => call.id), ["verify"]);
  assert.equal(result.code, 0);
});

Deno.test("github run schedule by cron", async () => {
  const result = await githubRun(
    eventEnv("schedule", "schedule_nightly.json", { GITHUB_REF: "refs/heads/main" }),
  );
  assert.match(result.stdout, /^GitHub event: schedule "0 3 \* \* \*"\n/);
  assert.match(
    result.stdout,
    /\nselected nightly: trigger "nightly" matches the schedule "0 3 \* \* \*"\n/,
  );
  assert.deepEqual(result.calls.map((call) => call.id), ["nightly"]);
  assert.equal(result.code, 0);
});

Deno.test("github run dispatch runs manual jobs", async () => {
  const result = await githubRun(
    eventEnv("workflow_dispatch", "workflow_dispatch.json", { GITHUB_REF: "refs/heads/main" }),
  );
  assert.deepEqual(result.calls.map((call) => call.id), ["release", "broken"]);
  assert.match(
    result.stdout,
    /\nskipped verify: has no manual trigger; select it with --job verify\n/,
  );
  assert.match(
    result.stdout,
    /\nrelease passed \(run run-release\)\nbroken failed \(run run-broken\)\n$/,
  );
  assert.equal(
    result.stderr,
    `error[${ErrorCode.TASK_FAILED}]: 1 of 2 selected jobs failed: broken.\n`,
  );
  assert.equal(result.code, 1);
});

Deno.test("github run dispatch with job", async () => {
  const result = await githubRun(
    eventEnv("workflow_dispatch", "workflow_dispatch.json", { GITHUB_REF: "refs/heads/main" }),
    ["--job", "verify", "--concurrency", "2"],
  );
  assert.equal(
    result.stdout,
    [
      "GitHub event: workflow_dispatch on refs/heads/main",
      "selected verify: selected with --job",
      "verify passed (run run-verify)",
      "",
    ].join("\n"),
  );
  assert.deepEqual(result.calls.map((call) => [call.id, call.concurrency]), [["verify", 2]]);
  assert.equal(result.code, 0);
});

Deno.test("github run runner error fails", async () => {
  const runner: JobRunner = () => {
    throw new PipelineError(
      ErrorCode.MISSING_SECRET,
      'env NODE_AUTH_TOKEN: secret "NPM_TOKEN" is not set.',
      { hint: "Set NPM_TOKEN in the job's environment." },
    );
  };
  const result = await githubRun(
    eventEnv("push", "push_main.json", { GITHUB_REF: "refs/heads/main" }),
    [],
    runner,
  );
  assert.match(result.stdout, /\nskipped local: has no trigger\nverify failed\n$/);
  assert.equal(
    result.stderr,
    `error[${ErrorCode.MISSING_SECRET}]: env NODE_AUTH_TOKEN: secret "NPM_TOKEN" is not set.\n` +
      "  hint: Set NPM_TOKEN in the job's environment.\n" +
      `error[${ErrorCode.TASK_FAILED}]: 1 of 1 selected job failed: verify.\n`,
  );
  assert.equal(result.code, 1);
});

Deno.test("github run needs an event", async () => {
  const missing = await githubRun({});
  assert.match(
    missing.stderr,
    /^error\[ASYNC_PIPELINE_INVALID_GITHUB_EVENT\]: GITHUB_EVENT_NAME is not set/,
  );
  assert.equal(missing.code, 1);

  const dir = await tempDir("github-event-");
  try {
    await writeFile(join(dir, "event.json"), "{ not json");
    const invalid = await githubRun({
      GITHUB_EVENT_NAME: "push",
      GITHUB_EVENT_PATH: join(dir, "event.json"),
    });
    assert.match(
      invalid.stderr,
      /^error\[ASYNC_PIPELINE_INVALID_GITHUB_EVENT\]: The event payload at .*event\.json \(GITHUB_EVENT_PATH\) is not valid JSON/,
    );
    assert.equal(invalid.code, 1);

    const absent = await githubRun({
      GITHUB_EVENT_NAME: "push",
      GITHUB_EVENT_PATH: join(dir, "absent.json"),
    });
    assert.match(
      absent.stderr,
      /^error\[ASYNC_PIPELINE_INVALID_GITHUB_EVENT\]: Cannot read the event payload/,
    );
    assert.equal(absent.code, 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

Deno.test("github run rejects bad options", async () => {
  const env = eventEnv("push", "push_main.json", { GITHUB_REF: "refs/heads/main" });
  const zero = await githubRun(env, ["--concurrency", "0"]);
  assert.match(
    zero.stderr,
    /^error\[ASYNC_PIPELINE_USAGE\]: github run: --concurrency must be a positive integer, got "0"/,
  );
  assert.equal(zero.code, 1);
  const unknown = await githubRun(env, ["--job", "nope"]);
  assert.match(unknown.stderr, /^error\[ASYNC_PIPELINE_UNKNOWN_JOB\]: --job: unknown job "nope"/);
  assert.deepEqual(unknown.calls, []);
});

Deno.test("github run needs a pull request base", async () => {
  const result = await githubRun(eventEnv("pull_request", "push_main.json"));
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /error\[ASYNC_PIPELINE_INVALID_GITHUB_EVENT\]: A pull_request event needs its target branch/,
  );
  assert.deepEqual(result.calls, []);
});
