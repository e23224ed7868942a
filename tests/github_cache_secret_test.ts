/** The generated run step passes `ASYNC_PIPELINE_CACHE_SECRET` to jobs that read secrets. */

import assert from "node:assert/strict";
import { parse } from "yaml";
import { definePipeline, env, job, type Pipeline, sh, task, trigger } from "../mod.ts";
import { renderWorkflow, type WorkflowSettings } from "../node/github/workflow.ts";
import { NPM, settingsFor } from "./helpers/github_examples.ts";
import { assertValidWorkflow } from "./helpers/workflow_lint.ts";

const CACHE_SECRET = "${{ secrets.ASYNC_PIPELINE_CACHE_SECRET }}";

function pipelineWith(jobEnv: Record<string, ReturnType<typeof env.secret> | string>): Pipeline {
  return definePipeline({
    name: "cache-secret",
    triggers: { push: trigger.github({ events: ["push"] }) },
    tasks: { build: task({ run: sh`echo build` }) },
    jobs: { ci: job({ target: "build", trigger: ["push"], env: jobEnv }) },
  });
}

async function runStepEnv(
  pipeline: Pipeline,
  overrides: Partial<WorkflowSettings> = {},
): Promise<Record<string, unknown>> {
  const text = renderWorkflow(pipeline, settingsFor(NPM, overrides));
  await assertValidWorkflow(text);
  const steps = parse(text).jobs.ci.steps as { name: string; env?: Record<string, unknown> }[];
  const run = steps.find((step) => step.name === "Run pipeline job");
  assert.ok(run?.env, "the run step has an env");
  return run.env;
}

Deno.test("workflow passes the cache secret to a secret job", async () => {
  const stepEnv = await runStepEnv(pipelineWith({ TOKEN: env.secret("DEPLOY_TOKEN") }));

  assert.equal(stepEnv.ASYNC_PIPELINE_CACHE_SECRET, CACHE_SECRET);
});

Deno.test("workflow omits the cache secret without secrets", async () => {
  const stepEnv = await runStepEnv(pipelineWith({ LEVEL: "info" }));

  assert.equal(Object.hasOwn(stepEnv, "ASYNC_PIPELINE_CACHE_SECRET"), false);
});

Deno.test("workflow omits the cache secret without a cache", async () => {
  const stepEnv = await runStepEnv(pipelineWith({ TOKEN: env.secret("DEPLOY_TOKEN") }), {
    cache: false,
  });

  assert.equal(Object.hasOwn(stepEnv, "ASYNC_PIPELINE_CACHE_SECRET"), false);
});

Deno.test("pipeline rejects a cache secret env key", () => {
  assert.throws(
    () => pipelineWith({ ASYNC_PIPELINE_CACHE_SECRET: env.secret("SHARED_CACHE_SECRET") }),
    {
      code: "ASYNC_PIPELINE_INVALID_FIELD",
      path: "jobs.ci.env.ASYNC_PIPELINE_CACHE_SECRET",
      message: /ASYNC_PIPELINE_CACHE_SECRET is read by the runner alone/,
    },
  );
});

Deno.test("env.secret rejects the cache secret name", () => {
  assert.throws(() => env.secret("ASYNC_PIPELINE_CACHE_SECRET"), {
    code: "ASYNC_PIPELINE_INVALID_FIELD",
    message: /ASYNC_PIPELINE_CACHE_SECRET is read by the runner alone/,
  });
});
