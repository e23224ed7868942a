/** `github run` through the CLI with the real job runner, real processes and real payload files. */

import assert from "node:assert/strict";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { cli, MOD_URL } from "./helpers/cli.ts";
import { runPipelineSource } from "./helpers/github_run_pipeline.ts";
import { tempDir } from "./support/temp_files.ts";

const EVENTS = fileURLToPath(new URL("./fixtures/github/events/", import.meta.url));

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  /** Status of each execution record, by job id, in run order. */
  records: [string, string][];
}

async function githubRun(
  name: string,
  payload: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<Outcome> {
  const dir = await tempDir("github-run-e2e-");
  try {
    await writeFile(join(dir, "pipeline.ts"), runPipelineSource(MOD_URL));
    await writeFile(join(dir, "package.json"), "{}\n");
    const result = await cli(dir, ["github", "run", ...args], {
      PATH: process.env.PATH,
      CI: "true",
      GITHUB_EVENT_NAME: name,
      GITHUB_EVENT_PATH: join(EVENTS, payload),
      GITHUB_BASE_REF: "",
      ...env,
    });
    const runs = await readdir(join(dir, ".async/runs")).catch(() => [] as string[]);
    const records: [string, string][] = [];
    for (const run of runs.sort()) {
      const record = JSON.parse(
        await readFile(join(dir, ".async/runs", run, "execution.json"), "utf8"),
      );
      records.push([record.jobId, record.status]);
    }
    return { ...result, records };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

Deno.test("github run e2e push to main", async () => {
  const result = await githubRun("push", "push_main.json", { GITHUB_REF: "refs/heads/main" });
  assert.match(result.stdout, /^GitHub event: push to branch main\n/);
  assert.match(
    result.stdout,
    /\nselected verify: trigger "main" matches branch main \(pattern "main"\)\n/,
  );
  assert.match(result.stdout, /\n✓ test passed/);
  assert.match(result.stdout, /\nverify passed \(run \d{8}T\d{9}Z-[0-9a-f]{6}\)\n$/);
  assert.equal(result.stderr, "");
  assert.equal(result.code, 0);
  assert.deepEqual(result.records, [["verify", "passed"]]);
});

Deno.test("github run e2e push elsewhere", async () => {
  const result = await githubRun("push", "push_feature.json", { GITHUB_REF: "refs/heads/dev" });
  assert.match(result.stdout, /\nNo job matches push to branch dev\.\n$/);
  assert.equal(result.code, 0);
  assert.deepEqual(result.records, []);

  const feature = await githubRun("push", "push_feature.json", {
    GITHUB_REF: "refs/heads/feature/login",
  });
  assert.equal(feature.code, 0);
  assert.deepEqual(feature.records, [["preview", "passed"]]);
});

Deno.test("github run e2e pull request", async () => {
  const result = await githubRun("pull_request", "pull_request_main.json", {
    GITHUB_REF: "refs/pull/7/merge",
    GITHUB_BASE_REF: "main",
  });
  assert.match(result.stdout, /^GitHub event: pull_request into main\n/);
  assert.equal(result.code, 0);
  assert.deepEqual(result.records, [["verify", "passed"]]);
});

Deno.test("github run e2e schedule", async () => {
  const result = await githubRun("schedule", "schedule_nightly.json", {
    GITHUB_REF: "refs/heads/main",
  });
  assert.match(
    result.stdout,
    /\nselected nightly: trigger "nightly" matches the schedule "0 3 \* \* \*"\n/,
  );
  assert.equal(result.code, 0);
  assert.deepEqual(result.records, [["nightly", "passed"]]);
});

Deno.test("github run e2e workflow dispatch", async () => {
  const result = await githubRun("workflow_dispatch", "workflow_dispatch.json", {
    GITHUB_REF: "refs/heads/main",
  });
  assert.deepEqual(result.records, [["release", "passed"], ["broken", "failed"]]);
  assert.match(result.stdout, /\nrelease passed \(run [^)]+\)\n/);
  assert.match(result.stdout, /\nbroken failed \(run [^)]+\)\n$/);
  assert.equal(
    result.stderr,
    "error[ASYNC_PIPELINE_TASK_FAILED]: 1 of 2 selected jobs failed: broken.\n" +
      "  hint: Each job's execution record under .async/runs/ lists the failed tasks.\n",
  );
  assert.equal(result.code, 1);

  const chosen = await githubRun(
    "workflow_dispatch",
    "workflow_dispatch.json",
    { GITHUB_REF: "refs/heads/main" },
    ["--job", "verify", "--concurrency", "1"],
  );
  assert.match(
    chosen.stdout,
    /\nselected verify: selected with --job\nRunning verify \(1 task, concurrency 1\)\n/,
  );
  assert.equal(chosen.code, 0);
  assert.deepEqual(chosen.records, [["verify", "passed"]]);
});
