/**
 * `github run` must start exactly the jobs that the generated workflow runs.
 * This evaluates the workflow's `on:` filters and each job's `if:` with
 * GitHub's expression evaluator and compares the result with `selectJobs`.
 */

import assert from "node:assert/strict";
import { parse } from "yaml";
import { definePipeline, job, type Pipeline, sh, task, trigger } from "../mod.ts";
import type { GithubEventContext } from "../node/github/event_context.ts";
import { selectJobs } from "../node/github/select.ts";
import { renderWorkflow } from "../node/github/workflow.ts";
import { NPM, settingsFor } from "./helpers/github_examples.ts";
import { type Workflow, workflowJobs } from "./helpers/github_workflow_eval.ts";
import { runPipeline } from "./helpers/github_run_pipeline.ts";
import { assertValidWorkflow } from "./helpers/workflow_lint.ts";

const EVENTS: GithubEventContext[] = [
  ...["main", "dev", "feature/a", "feature/a/b", "feature/wip", "release/1", "release/old"].map(
    (branch) => ({ name: "push", ref: `refs/heads/${branch}`, payload: {} }),
  ),
  { name: "push", ref: "refs/tags/v1.0.0", payload: {} },
  ...["main", "dev", "release/2"].map((base) => ({
    name: "pull_request",
    ref: "refs/pull/7/merge",
    baseRef: base,
    payload: { pull_request: { base: { ref: base } } },
  })),
  ...["0 3 * * *", "0 9 * * 1"].map((cron) => ({
    name: "schedule",
    ref: "refs/heads/main",
    payload: { schedule: cron },
  })),
  { name: "workflow_dispatch", ref: "refs/heads/main", payload: {} },
  { name: "release", ref: "refs/tags/v1.0.0", payload: { action: "published" } },
];

async function assertSameJobs(pipeline: Pipeline): Promise<void> {
  const text = renderWorkflow(pipeline, settingsFor(NPM));
  await assertValidWorkflow(text);
  const workflow = parse(text) as Workflow;
  for (const event of EVENTS) {
    const selected = selectJobs(pipeline, event).selected.map((choice) => choice.job);
    assert.deepEqual(
      workflowJobs(workflow, event),
      selected,
      `${event.name} ${event.ref} ${event.baseRef ?? ""}`,
    );
  }
}

Deno.test("run selection matches workflow conditions", async () => {
  await assertSameJobs(runPipeline);
});

Deno.test("mixed filters match workflow conditions", async () => {
  const pipeline = definePipeline({
    name: "app",
    triggers: {
      main: trigger.github({ events: ["push", "pull_request"], branches: ["main"] }),
      releases: trigger.github({ events: ["push"], branches: ["release/**", "!release/old"] }),
      releasePrs: trigger.github({ events: ["pull_request"], branches: ["release/**"] }),
      anyPush: trigger.github({ events: ["push"] }),
      nightly: trigger.cron("0 3 * * *"),
      weekly: trigger.cron("0 9 * * 1"),
      manual: trigger.manual(),
      published: trigger.github({ events: ["release"] }),
    },
    tasks: { build: task({ run: sh`true` }) },
    jobs: {
      verify: job({ target: "build", trigger: ["main", "releasePrs"] }),
      ship: job({ target: "build", trigger: ["releases", "published"] }),
      lint: job({ target: "build", trigger: ["anyPush"] }),
      "reports.nightly": job({ target: "build", trigger: ["nightly", "manual"] }),
      weekly: job({ target: "build", trigger: ["weekly"] }),
    },
  });
  await assertSameJobs(pipeline);
});
