/** A generated workflow rejects a job that reads one name both as a secret and as a variable. */

import assert from "node:assert/strict";
import { definePipeline, env, ErrorCode, job, sh, source, task, trigger } from "../mod.ts";
import { renderWorkflow } from "../node/github/workflow.ts";
import { MOD_URL } from "./helpers/cli.ts";
import { assertGithubRejects, NPM, settingsFor, workflowError } from "./helpers/github_examples.ts";

Deno.test("workflow rejects secret and var in two tasks", () => {
  const pipeline = definePipeline({
    name: "conflict",
    triggers: { manual: trigger.manual() },
    tasks: {
      build: task({ run: sh`echo ${env.var("REGION")}` }),
      deploy: task({ dependsOn: ["build"], run: sh`echo ${env.secret("REGION")}` }),
    },
    jobs: { release: job({ target: "deploy", trigger: ["manual"] }) },
  });
  const error = workflowError(pipeline);
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
  const pipeline = definePipeline({
    name: "conflict",
    triggers: { manual: trigger.manual() },
    tasks: { deploy: task({ run: sh`true` }) },
    jobs: {
      release: job({
        target: "deploy",
        trigger: ["manual"],
        env: { AWS_REGION: env.var("REGION"), REGION_KEY: env.secret("REGION") },
      }),
    },
  });
  assert.match(
    workflowError(pipeline).message,
    /^jobs\.release\.env: the job reads "REGION" as a secret \(env\.secret\("REGION"\) at jobs\.release\.env\.REGION_KEY\) and as a variable \(env\.var\("REGION"\) at jobs\.release\.env\.AWS_REGION\)\./,
  );
});

Deno.test("conflict names pipeline env and requires", () => {
  const pipeline = definePipeline({
    name: "conflict",
    triggers: { manual: trigger.manual() },
    env: { DEPLOY_REGION: env.var("REGION", { default: "eu" }) },
    tasks: { deploy: task({ requires: { secrets: ["REGION"] }, run: sh`true` }) },
    jobs: { release: job({ target: "deploy", trigger: ["manual"] }) },
  });
  assert.match(
    workflowError(pipeline).message,
    /as a secret \(requires\.secrets of task "deploy"\) and as a variable \(env\.var\("REGION"\) at env\.DEPLOY_REGION\)/,
  );
});

Deno.test("conflict names a source prepare step", () => {
  const pipeline = definePipeline({
    name: "conflict",
    triggers: { manual: trigger.manual() },
    sources: {
      lib: source.path({
        path: "../lib",
        writable: true,
        prepare: [sh`npm ci --tag ${env.var("LIB_TOKEN")}`],
      }),
    },
    tasks: { deploy: task({ requires: { secrets: ["LIB_TOKEN"] }, run: sh`true` }) },
    jobs: { release: job({ target: ["deploy", "lib:build"], trigger: ["manual"] }) },
  });
  assert.match(
    workflowError(pipeline).message,
    /as a secret \(requires\.secrets of task "deploy"\) and as a variable \(env\.var\("LIB_TOKEN"\) in a prepare step of source "lib"\)/,
  );
});

Deno.test("workflow accepts one name read as secret", () => {
  const pipeline = definePipeline({
    name: "conflict",
    triggers: { manual: trigger.manual() },
    tasks: {
      build: task({ requires: { secrets: ["REGION"] }, run: sh`echo ${env.secret("REGION")}` }),
      deploy: task({ dependsOn: ["build"], run: sh`echo ${env.var("ZONE")}` }),
    },
    jobs: {
      release: job({
        target: "deploy",
        trigger: ["manual"],
        env: { REGION_KEY: env.secret("REGION"), ZONE_NAME: env.var("ZONE") },
      }),
    },
  });
  assert.match(renderWorkflow(pipeline, settingsFor(NPM)), /REGION: \$\{\{ secrets\.REGION \}\}/);
});

Deno.test("workflow ignores tasks outside the job", () => {
  const pipeline = definePipeline({
    name: "conflict",
    triggers: { manual: trigger.manual() },
    tasks: {
      build: task({ run: sh`echo ${env.var("REGION")}` }),
      deploy: task({ run: sh`echo ${env.secret("REGION")}` }),
    },
    jobs: { release: job({ target: "deploy", trigger: ["manual"] }) },
  });
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
