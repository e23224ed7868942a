import assert from "node:assert/strict";
import { parse } from "yaml";
import {
  definePipeline,
  env,
  ErrorCode,
  job,
  type Pipeline,
  type PipelineConfig,
  sh,
  task,
  trigger,
} from "../mod.ts";
import { renderWorkflow } from "../node/github/workflow.ts";
import { NPM, settingsFor, workflowError } from "./helpers/github_examples.ts";
import { assertValidWorkflow } from "./helpers/workflow_lint.ts";

// deno-lint-ignore no-explicit-any
type Parsed = any;

const tasks = { build: task({ run: sh`echo build` }) };

function pipelineOf(config: Pick<PipelineConfig, "triggers" | "jobs">): Pipeline {
  return definePipeline({ name: "app", tasks, ...config });
}

/** Renders the workflow, checks it with actionlint and GitHub's parser, and parses it. */
async function rendered(config: Pick<PipelineConfig, "triggers" | "jobs">): Promise<Parsed> {
  const text = renderWorkflow(pipelineOf(config), settingsFor(NPM));
  await assertValidWorkflow(text);
  return parse(text);
}

/** The brief's release example: CI on pull requests and main, a release on version tags. */
const releaseOnTag = {
  triggers: {
    pr: trigger.github({ events: ["pull_request"] }),
    main: trigger.github({ events: ["push"], branches: ["main"] }),
    release: trigger.github({ events: ["push"], tags: ["v*"] }),
  },
  jobs: {
    ci: job({ target: "build", trigger: ["pr", "main"] }),
    release: job({
      target: "build",
      trigger: ["release"],
      env: { NODE_AUTH_TOKEN: env.secret("NPM_TOKEN") },
    }),
  },
};

Deno.test("tags only renders a tags filter", async () => {
  const parsed = await rendered({
    triggers: { release: trigger.github({ events: ["push"], tags: ["v*", "!v*-rc*"] }) },
    jobs: { release: job({ target: "build", trigger: ["release"] }) },
  });
  assert.deepEqual(parsed.on, { push: { tags: ["v*", "!v*-rc*"] } });
  assert.equal("if" in parsed.jobs.release, false);
});

Deno.test("tags with branches render both filters", async () => {
  const parsed = await rendered({
    triggers: {
      ci: trigger.github({ events: ["push"], branches: ["main"], tags: ["v*"] }),
    },
    jobs: { ci: job({ target: "build", trigger: ["ci"] }) },
  });
  assert.deepEqual(parsed.on, { push: { branches: ["main"], tags: ["v*"] } });
  assert.equal("if" in parsed.jobs.ci, false);
});

Deno.test("tags release example unions the push filters", async () => {
  const parsed = await rendered(releaseOnTag);
  assert.deepEqual(parsed.on, {
    push: { branches: ["main"], tags: ["v*"] },
    pull_request: null,
  });
});

Deno.test("tags release example keeps the branch job off tag pushes", async () => {
  const parsed = await rendered(releaseOnTag);
  assert.equal(
    parsed.jobs.ci.if,
    "(github.event_name == 'push' && github.ref == 'refs/heads/main') || github.event_name == 'pull_request'",
  );
});

Deno.test("tags release example keeps the tag job off branch pushes", async () => {
  const parsed = await rendered(releaseOnTag);
  assert.equal(
    parsed.jobs.release.if,
    "github.event_name == 'push' && startsWith(github.ref, 'refs/tags/')",
  );
  assert.equal(parsed.jobs.release.steps.at(-1).env.NODE_AUTH_TOKEN, "${{ secrets.NPM_TOKEN }}");
});

Deno.test("tags job beside an every-push job tests its tag prefix", async () => {
  const parsed = await rendered({
    triggers: {
      any: trigger.github({ events: ["push"] }),
      release: trigger.github({ events: ["push"], tags: ["v**", "!v0**"] }),
    },
    jobs: {
      ci: job({ target: "build", trigger: ["any"] }),
      release: job({ target: "build", trigger: ["release"] }),
    },
  });
  assert.deepEqual(parsed.on, { push: null });
  assert.equal("if" in parsed.jobs.ci, false);
  assert.equal(
    parsed.jobs.release.if,
    "github.event_name == 'push' && startsWith(github.ref, 'refs/tags/v') && !startsWith(github.ref, 'refs/tags/v0')",
  );
});

Deno.test("tags single-star job beside a job on every push tests the tag name", async () => {
  const parsed = await rendered({
    triggers: {
      any: trigger.github({ events: ["push"] }),
      release: trigger.github({ events: ["push"], tags: ["v*"] }),
    },
    jobs: {
      ci: job({ target: "build", trigger: ["any"] }),
      release: job({ target: "build", trigger: ["release"] }),
    },
  });
  assert.equal(parsed.on.push, null);
  assert.equal(
    parsed.jobs.release.if,
    "github.event_name == 'push' && startsWith(github.ref, 'refs/tags/v') && " +
      "!contains(github.ref_name, '/')",
  );
});

Deno.test("tags pattern without an expression fails when a condition needs it", () => {
  const error = workflowError(pipelineOf({
    triggers: {
      any: trigger.github({ events: ["push"] }),
      release: trigger.github({ events: ["push"], tags: ["v[0-9]*"] }),
    },
    jobs: {
      ci: job({ target: "build", trigger: ["any"] }),
      release: job({ target: "build", trigger: ["release"] }),
    },
  })) as Error & { code?: string; path?: string; hint?: string };
  assert.equal(error.code, ErrorCode.NOT_IMPLEMENTED);
  assert.equal(error.path, "jobs.release.trigger");
  assert.match(error.message, /tag pattern "v\[0-9\]\*" of trigger "release" cannot be written/);
  assert.match(
    error.hint ?? "",
    /such as "v\*\*"\) or a stem without "\/" and one "\*" \(such as "v\*"\)/,
  );
});

Deno.test("tags every-branch list beside a tag job renders both lists", async () => {
  const parsed = await rendered({
    triggers: {
      branches: trigger.github({ events: ["push"], branches: ["**"] }),
      release: trigger.github({ events: ["push"], tags: ["v*"] }),
    },
    jobs: {
      ci: job({ target: "build", trigger: ["branches"] }),
      release: job({ target: "build", trigger: ["release"] }),
    },
  });
  assert.deepEqual(parsed.on, { push: { branches: ["**"], tags: ["v*"] } });
  assert.equal(
    parsed.jobs.ci.if,
    "github.event_name == 'push' && startsWith(github.ref, 'refs/heads/')",
  );
  assert.equal(
    parsed.jobs.release.if,
    "github.event_name == 'push' && startsWith(github.ref, 'refs/tags/')",
  );
});

Deno.test("tags widen an unmergeable branch union to every branch", async () => {
  const parsed = await rendered({
    triggers: {
      main: trigger.github({ events: ["push"], branches: ["main"] }),
      releases: trigger.github({ events: ["push"], branches: ["release/**", "!release/old"] }),
      tags: trigger.github({ events: ["push"], tags: ["v**"] }),
    },
    jobs: {
      stable: job({ target: "build", trigger: ["main"] }),
      ship: job({ target: "build", trigger: ["releases"] }),
      publish: job({ target: "build", trigger: ["tags"] }),
    },
  });
  assert.deepEqual(parsed.on, { push: { branches: ["**"], tags: ["v**"] } });
  assert.equal(
    parsed.jobs.stable.if,
    "github.event_name == 'push' && github.ref == 'refs/heads/main'",
  );
  assert.equal(
    parsed.jobs.publish.if,
    "github.event_name == 'push' && startsWith(github.ref, 'refs/tags/v')",
  );
});

Deno.test("tags lists of several jobs take the union", async () => {
  const parsed = await rendered({
    triggers: {
      stable: trigger.github({ events: ["push"], tags: ["v**"] }),
      nightly: trigger.github({ events: ["push"], tags: ["nightly-**"] }),
    },
    jobs: {
      stable: job({ target: "build", trigger: ["stable"] }),
      nightly: job({ target: "build", trigger: ["nightly"] }),
      both: job({ target: "build", trigger: ["stable", "nightly"] }),
    },
  });
  assert.deepEqual(parsed.on, { push: { tags: ["v**", "nightly-**"] } });
  assert.equal(
    parsed.jobs.stable.if,
    "github.event_name == 'push' && startsWith(github.ref, 'refs/tags/v')",
  );
  assert.equal(
    parsed.jobs.nightly.if,
    "github.event_name == 'push' && startsWith(github.ref, 'refs/tags/nightly-')",
  );
  assert.equal("if" in parsed.jobs.both, false);
});

Deno.test("tags union with an exclusion admits every tag", async () => {
  const parsed = await rendered({
    triggers: {
      stable: trigger.github({ events: ["push"], tags: ["v**", "!v0**"] }),
      exact: trigger.github({ events: ["push"], tags: ["latest"] }),
    },
    jobs: {
      stable: job({ target: "build", trigger: ["stable"] }),
      exact: job({ target: "build", trigger: ["exact"] }),
    },
  });
  assert.deepEqual(parsed.on, { push: { tags: ["**"] } });
  assert.equal(
    parsed.jobs.exact.if,
    "github.event_name == 'push' && github.ref == 'refs/tags/latest'",
  );
});

Deno.test("tags and branches of one job test either ref", async () => {
  const parsed = await rendered({
    triggers: {
      docs: trigger.github({ events: ["push"], branches: ["docs/**"] }),
      ship: trigger.github({ events: ["push"], branches: ["main"], tags: ["v**"] }),
    },
    jobs: {
      docs: job({ target: "build", trigger: ["docs"] }),
      ship: job({ target: "build", trigger: ["ship"] }),
    },
  });
  assert.deepEqual(parsed.on, { push: { branches: ["docs/**", "main"], tags: ["v**"] } });
  assert.equal(
    parsed.jobs.ship.if,
    "github.event_name == 'push' && (github.ref == 'refs/heads/main' || startsWith(github.ref, 'refs/tags/v'))",
  );
  assert.equal(
    parsed.jobs.docs.if,
    "github.event_name == 'push' && startsWith(github.ref, 'refs/heads/docs/')",
  );
});

Deno.test("tags job with a covered inexpressible branch list tests the prefix", async () => {
  const parsed = await rendered({
    triggers: {
      branches: trigger.github({ events: ["push"], branches: ["release/v[0-9]+"] }),
      release: trigger.github({ events: ["push"], tags: ["v[0-9]+"] }),
    },
    jobs: {
      ci: job({ target: "build", trigger: ["branches"] }),
      release: job({ target: "build", trigger: ["release"] }),
    },
  });
  assert.deepEqual(parsed.on, { push: { branches: ["release/v[0-9]+"], tags: ["v[0-9]+"] } });
  assert.equal(
    parsed.jobs.ci.if,
    "github.event_name == 'push' && startsWith(github.ref, 'refs/heads/')",
  );
});

Deno.test("tags filters stay off pull requests", async () => {
  const parsed = await rendered({
    triggers: {
      both: trigger.github({ events: ["pull_request"], branches: ["main"] }),
      release: trigger.github({ events: ["push"], tags: ["v*"] }),
    },
    jobs: {
      ci: job({ target: "build", trigger: ["both"] }),
      release: job({ target: "build", trigger: ["release"] }),
    },
  });
  assert.deepEqual(parsed.on, { push: { tags: ["v*"] }, pull_request: { branches: ["main"] } });
  assert.equal(parsed.jobs.ci.if, "github.event_name == 'pull_request'");
  assert.equal(parsed.jobs.release.if, "github.event_name == 'push'");
});
