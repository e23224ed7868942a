import assert from "node:assert/strict";
import { parse } from "yaml";
import { definePipeline, job, type Pipeline, sh, task, trigger } from "../mod.ts";
import type { GithubEventContext } from "../node/github/event_context.ts";
import { describeEvent, selectJobs, tagOf } from "../node/github/select.ts";
import { renderWorkflow } from "../node/github/workflow.ts";
import { NPM, settingsFor } from "./helpers/github_examples.ts";
import { type Workflow, workflowJobs } from "./helpers/github_workflow_eval.ts";
import { assertValidWorkflow } from "./helpers/workflow_lint.ts";

const tasks = { build: task({ run: sh`true` }) };

const releaseOnTag = definePipeline({
  name: "app",
  triggers: {
    pr: trigger.github({ events: ["pull_request"] }),
    main: trigger.github({ events: ["push"], branches: ["main"] }),
    release: trigger.github({ events: ["push"], tags: ["v*"] }),
  },
  tasks,
  jobs: {
    ci: job({ target: "build", trigger: ["pr", "main"] }),
    release: job({ target: "build", trigger: ["release"] }),
  },
});

const push = (ref: string): GithubEventContext => ({ name: "push", ref, payload: {} });

const selected = (pipeline: Pipeline, event: GithubEventContext) =>
  selectJobs(pipeline, event).selected.map((choice) => choice.job);

Deno.test("tag push selects the tag job alone", () => {
  assert.deepEqual(selected(releaseOnTag, push("refs/tags/v1.2.0")), ["release"]);
});

Deno.test("branch push skips the tag job", () => {
  assert.deepEqual(selected(releaseOnTag, push("refs/heads/main")), ["ci"]);
});

Deno.test("tag push names the tag and the pattern", () => {
  const selection = selectJobs(releaseOnTag, push("refs/tags/v1.2.0"));
  assert.equal(selection.event, "push of tag v1.2.0");
  assert.deepEqual(selection.selected, [
    { job: "release", reason: 'trigger "release" matches tag v1.2.0 (pattern "v*")' },
  ]);
  assert.deepEqual(selection.skipped, [
    { job: "ci", reason: 'no trigger matches ("pr", "main")' },
  ]);
});

Deno.test("tag push outside the tag filter selects nothing", () => {
  assert.deepEqual(selected(releaseOnTag, push("refs/tags/nightly")), []);
  assert.deepEqual(selected(releaseOnTag, push("refs/tags/v1/beta")), []);
});

Deno.test("tag push reads the ref from the payload", () => {
  const event: GithubEventContext = { name: "push", payload: { ref: "refs/tags/v2.0.0" } };
  assert.equal(tagOf(event), "v2.0.0");
  assert.deepEqual(selected(releaseOnTag, event), ["release"]);
});

Deno.test("tag of a non-push event is undefined", () => {
  assert.equal(tagOf({ name: "release", ref: "refs/tags/v1", payload: {} }), undefined);
  assert.equal(
    describeEvent({ name: "release", ref: "refs/tags/v1", payload: {} }),
    "release on refs/tags/v1",
  );
});

Deno.test("trigger with branches and tags matches either ref", () => {
  const pipeline = definePipeline({
    name: "app",
    triggers: { ship: trigger.github({ events: ["push"], branches: ["main"], tags: ["v*"] }) },
    tasks,
    jobs: { ship: job({ target: "build", trigger: ["ship"] }) },
  });
  assert.deepEqual(selected(pipeline, push("refs/heads/main")), ["ship"]);
  assert.deepEqual(selected(pipeline, push("refs/tags/v1")), ["ship"]);
  assert.deepEqual(selected(pipeline, push("refs/heads/dev")), []);
  assert.deepEqual(selected(pipeline, push("refs/tags/x1")), []);
});

Deno.test("push trigger without filters still matches tag pushes", () => {
  const pipeline = definePipeline({
    name: "app",
    triggers: { any: trigger.github({ events: ["push"] }) },
    tasks,
    jobs: { any: job({ target: "build", trigger: ["any"] }) },
  });
  const selection = selectJobs(pipeline, push("refs/tags/v1"));
  assert.deepEqual(selection.selected, [{ job: "any", reason: 'trigger "any" matches push' }]);
});

/** Events that exercise tag and branch filters. */
const EVENTS: GithubEventContext[] = [
  ...["main", "dev", "docs/a", "release/1", "release/old", "release-2", "release-2/fix"].map((
    branch,
  ) => push(`refs/heads/${branch}`)),
  ...["v1.2.0", "v0.9", "v1/beta", "latest", "nightly-3", "x"].map((tag) =>
    push(`refs/tags/${tag}`)
  ),
  { name: "pull_request", ref: "refs/pull/7/merge", baseRef: "main", payload: {} },
];

/** Asserts that the generated workflow and `github run` pick the same jobs for every event. */
async function assertSameJobs(pipeline: Pipeline): Promise<void> {
  const text = renderWorkflow(pipeline, settingsFor(NPM));
  await assertValidWorkflow(text);
  const workflow = parse(text) as Workflow;
  for (const event of EVENTS) {
    assert.deepEqual(
      workflowJobs(workflow, event),
      selected(pipeline, event),
      `${event.name} ${event.ref}\n${text}`,
    );
  }
}

Deno.test("release example workflow agrees with github run", async () => {
  await assertSameJobs(releaseOnTag);
});

Deno.test("mixed tag and branch filters agree with github run", async () => {
  await assertSameJobs(definePipeline({
    name: "app",
    triggers: {
      any: trigger.github({ events: ["push"] }),
      main: trigger.github({ events: ["push", "pull_request"], branches: ["main"] }),
      releases: trigger.github({ events: ["push"], branches: ["release/**", "!release/old"] }),
      stable: trigger.github({ events: ["push"], tags: ["v**", "!v0**"] }),
      ship: trigger.github({ events: ["push"], branches: ["docs/**"], tags: ["latest"] }),
    },
    tasks,
    jobs: {
      lint: job({ target: "build", trigger: ["any"] }),
      verify: job({ target: "build", trigger: ["main"] }),
      releases: job({ target: "build", trigger: ["releases"] }),
      stable: job({ target: "build", trigger: ["stable"] }),
      ship: job({ target: "build", trigger: ["ship", "main"] }),
    },
  }));
});

Deno.test("tag-only filters agree with github run", async () => {
  await assertSameJobs(definePipeline({
    name: "app",
    triggers: {
      stable: trigger.github({ events: ["push"], tags: ["v**"] }),
      nightly: trigger.github({ events: ["push"], tags: ["nightly-**", "latest"] }),
      branches: trigger.github({ events: ["push"], branches: ["**"] }),
    },
    tasks,
    jobs: {
      stable: job({ target: "build", trigger: ["stable"] }),
      nightly: job({ target: "build", trigger: ["nightly"] }),
      ci: job({ target: "build", trigger: ["branches"] }),
    },
  }));
});

/** Push trigger shapes that pairs of jobs combine, with and without expressions. */
const SHAPES: { branches?: string[]; tags?: string[] }[] = [
  {},
  { branches: ["main"] },
  { branches: ["**"] },
  { branches: ["release/**", "!release/old"] },
  { tags: ["v*"] },
  { tags: ["v**", "!v0**"] },
  { tags: ["latest"] },
  { branches: ["main"], tags: ["v*"] },
  { branches: ["docs/**"], tags: ["latest"] },
  { branches: ["release-*"] },
  { tags: ["v*", "!v0*"] },
  { tags: ["v[0-9]*"] },
];

Deno.test("every pair of push shapes agrees with github run", () => {
  let rendered = 0;
  for (const first of SHAPES) {
    for (const second of SHAPES) {
      const pipeline = definePipeline({
        name: "app",
        triggers: {
          first: trigger.github({ events: ["push"], ...first }),
          second: trigger.github({ events: ["push"], ...second }),
        },
        tasks,
        jobs: {
          first: job({ target: "build", trigger: ["first"] }),
          second: job({ target: "build", trigger: ["second"] }),
          both: job({ target: "build", trigger: ["first", "second"] }),
        },
      });
      let text: string;
      try {
        text = renderWorkflow(pipeline, settingsFor(NPM));
      } catch (error) {
        // Only a pattern without an expression may stop the workflow.
        assert.equal((error as { code?: string }).code, "ASYNC_PIPELINE_NOT_IMPLEMENTED");
        continue;
      }
      rendered++;
      const workflow = parse(text) as Workflow;
      for (const event of EVENTS.filter((candidate) => candidate.name === "push")) {
        assert.deepEqual(
          workflowJobs(workflow, event),
          selected(pipeline, event),
          `${JSON.stringify([first, second])} ${event.ref}\n${text}`,
        );
      }
    }
  }
  assert.ok(rendered >= 60, `only ${rendered} of ${SHAPES.length ** 2} pairs rendered`);
});
