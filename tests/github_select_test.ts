import assert from "node:assert/strict";
import { definePipeline, ErrorCode, job, sh, task, trigger } from "../mod.ts";
import type { GithubEventContext } from "../node/github/event_context.ts";
import { describeEvent, selectJobs } from "../node/github/select.ts";
import { runPipeline } from "./helpers/github_run_pipeline.ts";

const event = (
  name: string,
  fields: Partial<GithubEventContext> = {},
): GithubEventContext => ({ name, payload: {}, ...fields });

const selectedIds = (context: GithubEventContext, job?: string) =>
  selectJobs(runPipeline, context, { job }).selected.map((choice) => choice.job);

Deno.test("select push by branch", () => {
  assert.deepEqual(selectedIds(event("push", { ref: "refs/heads/main" })), ["verify"]);
  assert.deepEqual(selectedIds(event("push", { ref: "refs/heads/feature/a/b" })), ["preview"]);
  assert.deepEqual(selectedIds(event("push", { ref: "refs/heads/feature/wip" })), []);
  assert.deepEqual(selectedIds(event("push", { ref: "refs/heads/dev" })), []);
  assert.deepEqual(selectedIds(event("push", { ref: "refs/tags/v1.0.0" })), []);
});

Deno.test("select push ref from payload", () => {
  const context = event("push", { payload: { ref: "refs/heads/main" } });
  assert.deepEqual(selectedIds(context), ["verify"]);
});

Deno.test("select pull request by base", () => {
  assert.deepEqual(
    selectedIds(event("pull_request", { ref: "refs/pull/7/merge", baseRef: "main" })),
    ["verify"],
  );
  assert.deepEqual(selectedIds(event("pull_request", { baseRef: "release" })), []);
  const fromPayload = event("pull_request", {
    payload: { pull_request: { base: { ref: "main" } } },
  });
  assert.deepEqual(selectedIds(fromPayload), ["verify"]);
});

Deno.test("select schedule by cron", () => {
  assert.deepEqual(selectedIds(event("schedule", { payload: { schedule: "0 3 * * *" } })), [
    "nightly",
  ]);
  assert.deepEqual(selectedIds(event("schedule", { payload: { schedule: " 0  3 * * * " } })), [
    "nightly",
  ]);
  assert.deepEqual(selectedIds(event("schedule", { payload: { schedule: "0 4 * * *" } })), []);
  assert.throws(
    () => selectedIds(event("schedule")),
    (error: Error & { code?: string }) => error.code === ErrorCode.INVALID_GITHUB_EVENT,
  );
});

Deno.test("select dispatch runs manual jobs", () => {
  const selection = selectJobs(runPipeline, event("workflow_dispatch", { ref: "refs/heads/main" }));
  assert.deepEqual(selection.selected, [
    { job: "release", reason: 'trigger "manual" matches workflow_dispatch' },
    { job: "broken", reason: 'trigger "manual" matches workflow_dispatch' },
  ]);
  assert.deepEqual(selection.skipped, [
    { job: "verify", reason: "has no manual trigger; select it with --job verify" },
    { job: "preview", reason: "has no manual trigger; select it with --job preview" },
    { job: "nightly", reason: "has no manual trigger; select it with --job nightly" },
    { job: "local", reason: "has no trigger" },
  ]);
});

Deno.test("select explicit job", () => {
  const selection = selectJobs(runPipeline, event("workflow_dispatch"), { job: "verify" });
  assert.deepEqual(selection.selected, [{ job: "verify", reason: "selected with --job" }]);
  assert.deepEqual(selection.skipped, []);
  assert.throws(
    () => selectJobs(runPipeline, event("push"), { job: "verfy" }),
    (error: Error & { code?: string; hint?: string }) => {
      assert.equal(error.code, ErrorCode.UNKNOWN_JOB);
      assert.equal(error.hint, 'Did you mean "verify"?');
      return true;
    },
  );
});

Deno.test("select reasons name patterns", () => {
  const selection = selectJobs(runPipeline, event("push", { ref: "refs/heads/feature/x" }));
  assert.deepEqual(selection.selected, [
    {
      job: "preview",
      reason: 'trigger "features" matches branch feature/x (pattern "feature/**")',
    },
  ]);
  assert.deepEqual(selection.skipped[0], { job: "verify", reason: 'no trigger matches ("main")' });
});

Deno.test("select merge queue and release", () => {
  const pipeline = definePipeline({
    name: "app",
    triggers: {
      queue: trigger.github({ events: ["merge_group"] }),
      target: trigger.github({ events: ["pull_request_target"], branches: ["main"] }),
      published: trigger.github({ events: ["release"] }),
    },
    tasks: { test: task({ run: sh`true` }) },
    jobs: {
      queue: job({ target: "test", trigger: ["queue"] }),
      target: job({ target: "test", trigger: ["target"] }),
      published: job({ target: "test", trigger: ["published"] }),
    },
  });
  const ids = (context: GithubEventContext) =>
    selectJobs(pipeline, context).selected.map((choice) => choice.job);
  const queued = event("merge_group", {
    payload: { merge_group: { base_ref: "refs/heads/main" } },
  });
  assert.deepEqual(ids(queued), ["queue"]);
  assert.equal(
    describeEvent(
      event("merge_group", { payload: { merge_group: { base_ref: "refs/heads/dev" } } }),
    ),
    "merge_group into dev",
  );
  assert.deepEqual(ids(event("pull_request_target", { baseRef: "main" })), ["target"]);
  assert.deepEqual(ids(event("release", { ref: "refs/tags/v1.0.0" })), ["published"]);
});

Deno.test("describe events in words", () => {
  assert.equal(describeEvent(event("push", { ref: "refs/heads/main" })), "push to branch main");
  assert.equal(describeEvent(event("push", { ref: "refs/tags/v1" })), "push of tag v1");
  assert.equal(describeEvent(event("pull_request", { baseRef: "main" })), "pull_request into main");
  assert.equal(
    describeEvent(event("schedule", { payload: { schedule: "0 3 * * *" } })),
    'schedule "0 3 * * *"',
  );
  assert.equal(
    describeEvent(event("workflow_dispatch", { ref: "refs/heads/main" })),
    "workflow_dispatch on refs/heads/main",
  );
});
