/** Secrets and variables that tasks read by name reach the generated workflow's run step. */

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import {
  definePipeline,
  env,
  ErrorCode,
  job,
  type Pipeline,
  sh,
  source,
  task,
  trigger,
} from "../mod.ts";
import { jobReads } from "../core/job_reads.ts";
import { runJob } from "../node/mod.ts";
import { renderWorkflow } from "../node/github/workflow.ts";
import { NPM, settingsFor } from "./helpers/github_examples.ts";
import { assertValidWorkflow } from "./helpers/workflow_lint.ts";
import { baseEnv } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

/** Builds a release job whose tasks read a secret, a required secret and a variable outside the job env. */
function releasePipeline(): Pipeline {
  return definePipeline({
    name: "reads",
    triggers: { manual: trigger.manual() },
    tasks: {
      test: task({ requires: { secrets: ["ONLY_REQ"] }, run: sh`echo test` }),
      deploy: task({
        dependsOn: ["test"],
        run: sh`printf '%s %s\\n' ${env.secret("DEPLOY_KEY")} ${env.var("REGION")} > deployed.txt`,
      }),
      unrelated: task({ run: sh`echo ${env.secret("NOT_IN_JOB")}` }),
    },
    jobs: {
      release: job({
        target: "deploy",
        trigger: ["manual"],
        env: { API: "dev" },
      }),
    },
  });
}

/** Renders the workflow, checks it with actionlint and GitHub's parser, and returns the run step's env. */
async function runStepEnv(pipeline: Pipeline, githubJob: string): Promise<Record<string, unknown>> {
  const text = renderWorkflow(pipeline, settingsFor(NPM));
  await assertValidWorkflow(text);
  const steps = parse(text).jobs[githubJob].steps as {
    name: string;
    env?: Record<string, unknown>;
  }[];
  const run = steps.find((step) => step.name === "Run pipeline job");
  assert.ok(run?.env, "the run step has an env");
  return run.env;
}

Deno.test("jobReads lists what the job's tasks read, dependencies included", () => {
  const reads = jobReads(releasePipeline(), "release");
  assert.deepEqual(reads.secrets, ["DEPLOY_KEY", "ONLY_REQ"]);
  assert.deepEqual(reads.vars, ["REGION"]);
});

Deno.test("jobReads tells where each name is read", () => {
  assert.deepEqual(jobReads(releasePipeline(), "release").sites, [
    {
      kind: "secret",
      name: "ONLY_REQ",
      path: "tasks.test.requires.secrets",
      place: 'requires.secrets of task "test"',
    },
    {
      kind: "secret",
      name: "DEPLOY_KEY",
      path: "tasks.deploy",
      place: 'env.secret("DEPLOY_KEY") in task "deploy"',
    },
    {
      kind: "var",
      name: "REGION",
      path: "tasks.deploy",
      place: 'env.var("REGION") in task "deploy"',
    },
  ]);
});

Deno.test("workflow run step passes secrets and variables that tasks read", async () => {
  assert.deepEqual(await runStepEnv(releasePipeline(), "release"), {
    CI: true,
    API: "dev",
    DEPLOY_KEY: "${{ secrets.DEPLOY_KEY }}",
    ONLY_REQ: "${{ secrets.ONLY_REQ }}",
    REGION: "${{ vars.REGION }}",
    ASYNC_PIPELINE_CACHE_SECRET: "${{ secrets.ASYNC_PIPELINE_CACHE_SECRET }}",
  });
});

Deno.test("workflow run step keeps a job env entry of the same name", async () => {
  const pipeline = definePipeline({
    name: "reads",
    triggers: { manual: trigger.manual() },
    tasks: { deploy: task({ run: sh`echo ${env.var("REGION")} ${env.secret("NPM_TOKEN")}` }) },
    jobs: {
      release: job({
        target: "deploy",
        trigger: ["manual"],
        env: { REGION: "eu", NODE_AUTH_TOKEN: env.secret("NPM_TOKEN") },
      }),
    },
  });
  assert.deepEqual(await runStepEnv(pipeline, "release"), {
    CI: true,
    REGION: "eu",
    NODE_AUTH_TOKEN: "${{ secrets.NPM_TOKEN }}",
    NPM_TOKEN: "${{ secrets.NPM_TOKEN }}",
    ASYNC_PIPELINE_CACHE_SECRET: "${{ secrets.ASYNC_PIPELINE_CACHE_SECRET }}",
  });
});

Deno.test("workflow run step passes secrets of a source's prepare steps", async () => {
  const pipeline = definePipeline({
    name: "reads",
    triggers: { manual: trigger.manual() },
    sources: {
      lib: source.path({
        path: "../lib",
        writable: true,
        prepare: [sh`npm ci --token ${env.secret("LIB_TOKEN")}`],
      }),
    },
    tasks: {},
    jobs: { release: job({ target: "lib:build", trigger: ["manual"] }) },
  });
  assert.deepEqual(await runStepEnv(pipeline, "release"), {
    CI: true,
    LIB_TOKEN: "${{ secrets.LIB_TOKEN }}",
    ASYNC_PIPELINE_CACHE_SECRET: "${{ secrets.ASYNC_PIPELINE_CACHE_SECRET }}",
  });
});

Deno.test("job run with only the rendered step env finds every secret", async () => {
  const pipeline = releasePipeline();
  const stepEnv = await runStepEnv(pipeline, "release");
  // What GitHub gives the step: each expression replaced by the stored value.
  const stored: Record<string, string> = {
    "${{ secrets.DEPLOY_KEY }}": "key-value",
    "${{ secrets.ONLY_REQ }}": "req-value",
    "${{ vars.REGION }}": "eu-west",
  };
  const rendered = Object.fromEntries(
    Object.entries(stepEnv).map(([key, value]) => [key, stored[String(value)] ?? String(value)]),
  );
  const dir = await tempDir();
  const record = await runJob(pipeline, {
    id: "release",
    cwd: dir,
    env: { PATH: baseEnv().PATH, ...rendered },
  });
  assert.equal(record.status, "passed");
  assert.equal(await readFile(join(dir, "deployed.txt"), "utf8"), "key-value eu-west\n");
});

Deno.test("requires.secrets rejects a name that is not an environment variable name", () => {
  assert.throws(
    () =>
      definePipeline({
        name: "reads",
        tasks: {
          a: task({ requires: { secrets: ["OK", "X }}${{ github.token"] }, run: sh`true` }),
        },
        jobs: { j: job({ target: "a" }) },
      }),
    (error: Error & { code?: string; issues?: { path: string; code: string }[] }) => {
      assert.equal(error.code, ErrorCode.INVALID_FIELD);
      assert.match(error.message, /tasks\.a\.requires\.secrets\[1\]/);
      assert.match(error.message, /not an environment variable name/);
      return true;
    },
  );
});

Deno.test("workflow rejects step env keys that differ only in case", () => {
  const pipeline = definePipeline({
    name: "reads",
    triggers: { manual: trigger.manual() },
    tasks: {
      deploy: task({ requires: { secrets: ["token"] }, run: sh`echo ${env.secret("TOKEN")}` }),
    },
    jobs: { release: job({ target: "deploy", trigger: ["manual"] }) },
  });
  assert.throws(
    () => renderWorkflow(pipeline, settingsFor(NPM)),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, ErrorCode.INVALID_FIELD);
      assert.match(error.message, /jobs\.release\.env: .*"TOKEN" and "token"/);
      assert.match(error.message, /ignores case/);
      return true;
    },
  );
});

Deno.test("workflow rejects a secret name GitHub reserves", () => {
  const pipeline = definePipeline({
    name: "reads",
    triggers: { manual: trigger.manual() },
    tasks: {
      deploy: task({
        requires: { secrets: ["GITHUB_APP_KEY"] },
        run: sh`echo ${env.secret("GITHUB_TOKEN")}`,
      }),
    },
    jobs: { release: job({ target: "deploy", trigger: ["manual"] }) },
  });
  assert.throws(
    () => renderWorkflow(pipeline, settingsFor(NPM)),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, ErrorCode.INVALID_FIELD);
      assert.match(error.message, /jobs\.release\.env: the job reads the secret "GITHUB_APP_KEY"/);
      assert.doesNotMatch(error.message, /"GITHUB_TOKEN"/);
      return true;
    },
  );
});
