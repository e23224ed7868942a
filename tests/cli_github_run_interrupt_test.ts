/** `github run` stops after an interrupt: no further job starts and no record is written for it. */

import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type JobRunner, runGithubJobs } from "../node/github/run.ts";
import { runPipeline } from "./helpers/github_run_pipeline.ts";
import { hasContent, makeProject, spawnCli, waitFor } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

const EVENTS = fileURLToPath(new URL("./fixtures/github/events/", import.meta.url));

const PIPELINE = `
import { definePipeline, job, sh, task, trigger } from "@mod";
export default definePipeline({
  name: "gh",
  triggers: { main: trigger.github({ events: ["push"], branches: ["main"] }) },
  tasks: {
    a: task({ cache: false, run: sh\`echo $$ > a.pid; sleep 60 & wait\` }),
    b: task({ cache: false, run: sh\`echo ran > b.txt\` }),
  },
  jobs: {
    ja: job({ target: "a", trigger: ["main"] }),
    jb: job({ target: "b", trigger: ["main"] }),
  },
});
`;

Deno.test("cli github run stops at SIGINT", async () => {
  const cwd = await makeProject(PIPELINE);
  const cli = spawnCli(cwd, ["github", "run"], {
    CI: "true",
    GITHUB_EVENT_NAME: "push",
    GITHUB_EVENT_PATH: join(EVENTS, "push_main.json"),
    GITHUB_REF: "refs/heads/main",
    GITHUB_BASE_REF: "",
  });
  await waitFor("the first job's task", () => hasContent(join(cwd, "a.pid")));
  cli.kill("SIGINT");
  const output = await cli.output();
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 130);
  assert.doesNotMatch(stdout, /Running jb/);
  assert.match(stdout, /^ja failed \(run /m);
  assert.match(stderr, /^error\[ASYNC_PIPELINE_INTERRUPTED\]: /m);
  assert.match(stderr, /SIGINT/);
  assert.match(stderr, /1 of 2 selected jobs did not start: jb\./);
  assert.doesNotMatch(stderr, /ASYNC_PIPELINE_TASK_FAILED/);
  const runs = await readdir(join(cwd, ".async/runs"));
  assert.equal(runs.length, 1, "only the interrupted job has a record");
  const record = JSON.parse(
    await readFile(join(cwd, ".async/runs", runs[0], "execution.json"), "utf8"),
  );
  assert.equal(record.jobId, "ja");
  assert.equal(await hasContent(join(cwd, "b.txt")), false);
});

Deno.test("github jobs stop starting at an abort", async () => {
  const controller = new AbortController();
  const started: string[] = [];
  const runner: JobRunner = (pipeline, options) => {
    started.push(options.id);
    controller.abort(new Error("Interrupted by SIGINT."));
    return Promise.resolve({
      schemaVersion: 1,
      id: `run-${options.id}`,
      pipelineName: pipeline.name,
      jobId: options.id,
      cwd: "",
      pid: 1,
      startedAt: "2026-01-05T10:15:00.000Z",
      finishedAt: "2026-01-05T10:15:01.000Z",
      status: "failed",
      mode: "ci",
      tasks: [],
    });
  };
  const results = await runGithubJobs(runPipeline, ["verify", "release"], {
    runJob: runner,
    cwd: await tempDir(),
    env: {},
    signal: controller.signal,
  });
  assert.deepEqual(started, ["verify"]);
  assert.deepEqual(results.map((result) => result.job), ["verify"]);
});
