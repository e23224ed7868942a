/** A generated workflow rejects a secret or variable read under a name the run step sets itself. */

import assert from "node:assert/strict";
import { parse } from "yaml";
import { env, type EnvValue, ErrorCode, type Pipeline, sh, type TaskConfig } from "../mod.ts";
import { RUN_STEP_ENV } from "../node/github/steps.ts";
import { renderWorkflow } from "../node/github/workflow.ts";
import { MOD_URL } from "./helpers/cli.ts";
import {
  assertGithubRejects,
  NPM,
  releasePipeline,
  settingsFor,
  workflowError,
} from "./helpers/github_examples.ts";

/** Builds job "release" that runs task "deploy" with `jobEnv`. */
function deployPipeline(deploy: TaskConfig, jobEnv: Record<string, EnvValue> = {}): Pipeline {
  return releasePipeline({ tasks: { deploy } }, { env: jobEnv });
}

Deno.test("run step sets only RUN_STEP_ENV itself", () => {
  const text = renderWorkflow(deployPipeline({ run: sh`true` }), settingsFor(NPM));
  const steps = parse(text).jobs.release.steps as { name: string; env?: object }[];
  const run = steps.find((step) => step.name === "Run pipeline job");
  assert.deepEqual(run?.env, RUN_STEP_ENV);
});

Deno.test("workflow rejects requires.secrets CI", () => {
  const error = workflowError(deployPipeline({ requires: { secrets: ["CI"] }, run: sh`true` }));
  assert.equal(error.code, ErrorCode.INVALID_FIELD);
  assert.equal(
    error.message,
    'tasks.deploy.requires.secrets: job "release" reads the secret "CI" (requires.secrets of ' +
      'task "deploy"), but its run step sets CI: true itself, so GitHub would pass "true" in ' +
      "place of secrets.CI. Rename the secret, because the run step sets CI itself.",
  );
});

Deno.test("workflow rejects every run step name", () => {
  for (const name of Object.keys(RUN_STEP_ENV)) {
    const error = workflowError(deployPipeline({ requires: { secrets: [name] }, run: sh`true` }));
    assert.match(error.message, new RegExp(`reads the secret "${name}"`), name);
  }
});

Deno.test("workflow rejects env.var CI in a task", () => {
  const error = workflowError(
    deployPipeline({ run: sh`echo ${env.var("CI", { default: "0" })}` }),
  );
  assert.match(
    error.message,
    /^tasks\.deploy: job "release" reads the variable "CI" \(env\.var\("CI"\) in task "deploy"\)/,
  );
  assert.match(error.message, /in place of vars\.CI\. Rename the variable/);
});

Deno.test("workflow rejects a job env secret named CI", () => {
  const error = workflowError(deployPipeline({ run: sh`true` }, { FLAG: env.secret("CI") }));
  assert.match(
    error.message,
    /^jobs\.release\.env\.FLAG: job "release" reads the secret "CI" \(env\.secret\("CI"\) at jobs\.release\.env\.FLAG\)/,
  );
});

Deno.test("workflow accepts CI read after job env sets it", () => {
  const pipeline = deployPipeline(
    { requires: { secrets: ["CI"] }, run: sh`true` },
    { CI: env.secret("CI") },
  );
  assert.match(renderWorkflow(pipeline, settingsFor(NPM)), /\n {10}CI: \$\{\{ secrets\.CI \}\}\n/);
});

const CI_SECRET_PIPELINE = `
import { definePipeline, job, sh, task, trigger } from "${MOD_URL}";

export default definePipeline({
  name: "app",
  triggers: { main: trigger.github({ events: ["push"], branches: ["main"] }) },
  tasks: { deploy: task({ requires: { secrets: ["CI"] }, run: sh\`true\` }) },
  jobs: { release: job({ target: "deploy", trigger: ["main"] }) },
});
`;

Deno.test("github generate and check reject secret CI", async () => {
  await assertGithubRejects(
    CI_SECRET_PIPELINE,
    /^error\[ASYNC_PIPELINE_INVALID_FIELD\]: tasks\.deploy\.requires\.secrets: job "release" reads the secret "CI"/,
  );
});
