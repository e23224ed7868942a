/** A generated workflow rejects a job that reads one name both as a secret and as a variable. */

import assert from "node:assert/strict";
import { env, type EnvValue, ErrorCode, type Pipeline, sh, source } from "../mod.ts";
import { renderWorkflow } from "../node/github/workflow.ts";
import { MOD_URL } from "./helpers/cli.ts";
import {
  assertGithubRejects,
  NPM,
  releasePipeline,
  settingsFor,
  workflowError,
} from "./helpers/github_examples.ts";

/**
 * Builds job "release", whose target "deploy" reads REGION as a secret while
 * task "build" reads it as a variable. The job runs "build" only when `linked`.
 */
function regionPipeline(linked: boolean, jobEnv: Record<string, EnvValue> = {}): Pipeline {
  return releasePipeline({
    tasks: {
      build: { run: sh`echo ${env.var("REGION")}` },
      deploy: { dependsOn: linked ? ["build"] : [], run: sh`echo ${env.secret("REGION")}` },
    },
  }, { env: jobEnv });
}

Deno.test("workflow rejects secret and var in two tasks", () => {
  const error = workflowError(regionPipeline(true));
  assert.equal(error.code, ErrorCode.INVALID_FIELD);
  assert.equal(
    error.message,
    'jobs.release.env: the job reads "REGION" as a secret (env.secret("REGION") in task ' +
      '"deploy") and as a variable (env.var("REGION") in task "build"). A local run reads both ' +
      "from the environment variable REGION, but GitHub stores secrets and variables apart, so " +
      "a run on GitHub would not read what a local run reads. Rename the secret or the " +
      'variable, so that "REGION" is read only one way.',
  );
});

Deno.test("workflow rejects secret and var in job env", () => {
  const pipeline = releasePipeline({ tasks: { deploy: { run: sh`true` } } }, {
    env: { AWS_REGION: env.var("REGION"), REGION_KEY: env.secret("REGION") },
  });
  assert.match(
    workflowError(pipeline).message,
    /^jobs\.release\.env: the job reads "REGION" as a secret \(env\.secret\("REGION"\) at jobs\.release\.env\.REGION_KEY\) and as a variable \(env\.var\("REGION"\) at jobs\.release\.env\.AWS_REGION\)\./,
  );
});

Deno.test("workflow rejects a task secret beside a job env var", () => {
  const pipeline = releasePipeline(
    { tasks: { deploy: { run: sh`echo ${env.secret("REGION")}` } } },
    { env: { AWS_REGION: env.var("REGION") } },
  );
  assert.match(
    workflowError(pipeline).message,
    /as a secret \(env\.secret\("REGION"\) in task "deploy"\) and as a variable \(env\.var\("REGION"\) at jobs\.release\.env\.AWS_REGION\)/,
  );
});

Deno.test("conflict names pipeline env and requires", () => {
  const pipeline = releasePipeline({
    env: { DEPLOY_REGION: env.var("REGION", { default: "eu" }) },
    tasks: { deploy: { requires: { secrets: ["REGION"] }, run: sh`true` } },
  });
  assert.match(
    workflowError(pipeline).message,
    /as a secret \(requires\.secrets of task "deploy"\) and as a variable \(env\.var\("REGION"\) at env\.DEPLOY_REGION\)/,
  );
});

Deno.test("conflict names a source prepare step", () => {
  const pipeline = releasePipeline({
    sources: {
      lib: source.path({
        path: "../lib",
        writable: true,
        prepare: [sh`npm ci --tag ${env.var("LIB_TOKEN")}`],
      }),
    },
    tasks: { deploy: { requires: { secrets: ["LIB_TOKEN"] }, run: sh`true` } },
  }, { target: ["deploy", "lib:build"] });
  assert.match(
    workflowError(pipeline).message,
    /as a secret \(requires\.secrets of task "deploy"\) and as a variable \(env\.var\("LIB_TOKEN"\) in a prepare step of source "lib"\)/,
  );
});

Deno.test("workflow accepts one name read as secret", () => {
  const pipeline = releasePipeline({
    tasks: {
      build: { requires: { secrets: ["REGION"] }, run: sh`echo ${env.secret("REGION")}` },
      deploy: { dependsOn: ["build"], run: sh`echo ${env.var("ZONE")}` },
    },
  }, { env: { REGION_KEY: env.secret("REGION"), ZONE_NAME: env.var("ZONE") } });
  assert.match(renderWorkflow(pipeline, settingsFor(NPM)), /REGION: \$\{\{ secrets\.REGION \}\}/);
});

Deno.test("workflow accepts both reads under a job env key", () => {
  const pipeline = regionPipeline(true, { REGION: "eu" });
  assert.match(renderWorkflow(pipeline, settingsFor(NPM)), /\n {10}REGION: eu\n/);
});

Deno.test("workflow ignores tasks outside the job", () => {
  const pipeline = regionPipeline(false);
  assert.match(renderWorkflow(pipeline, settingsFor(NPM)), /REGION: \$\{\{ secrets\.REGION \}\}/);
});

const CONFLICT_PIPELINE = `
import { definePipeline, env, job, sh, task, trigger } from "${MOD_URL}";

export default definePipeline({
  name: "app",
  triggers: { main: trigger.github({ events: ["push"], branches: ["main"] }) },
  sync: { github: true },
  tasks: {
    build: task({ run: sh\`echo \${env.var("REGION")}\` }),
    deploy: task({ dependsOn: ["build"], run: sh\`echo \${env.secret("REGION")}\` }),
  },
  jobs: { release: job({ target: "deploy", trigger: ["main"] }) },
});
`;

Deno.test("github generate and check reject the conflict", async () => {
  await assertGithubRejects(
    CONFLICT_PIPELINE,
    /^error\[ASYNC_PIPELINE_INVALID_FIELD\]: jobs\.release\.env: the job reads "REGION" as a secret \(env\.secret\("REGION"\) in task "deploy"\) and as a variable \(env\.var\("REGION"\) in task "build"\)\..* Rename the secret or the variable/,
  );
});
