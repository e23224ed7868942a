import assert from "node:assert/strict";
import { triggerIssues } from "./support/triggers.ts";
import { parse } from "yaml";
import { definePipeline, env, ErrorCode, job, sh, task, trigger } from "../mod.ts";
import type { JobConfig } from "../core/types.ts";
import { renderWorkflow } from "../node/github/workflow.ts";
import { NPM, settingsFor } from "./helpers/github_examples.ts";
import { assertValidWorkflow } from "./helpers/workflow_lint.ts";

const tasks = { build: task({ run: sh`echo build` }) };

function pipelineWith(jobConfig: Partial<JobConfig>) {
  return definePipeline({
    name: "app",
    triggers: { push: trigger.github({ events: ["push"] }) },
    tasks,
    jobs: { build: job({ target: "build", trigger: ["push"], ...jobConfig }) },
  });
}

function issuesOf(fn: () => unknown): { code: string; path?: string; message: string }[] {
  try {
    fn();
  } catch (error) {
    return (error as { issues: { code: string; path?: string; message: string }[] }).issues;
  }
  assert.fail("expected an error");
}

Deno.test("pipeline name rejects a GitHub expression", () => {
  const issues = issuesOf(() =>
    definePipeline({ name: "x: ${{ github.actor }}", tasks, jobs: {} })
  );
  assert.equal(issues.length, 1);
  assert.equal(issues[0].code, ErrorCode.INVALID_FIELD);
  assert.equal(issues[0].path, "name");
  assert.match(issues[0].message, /contains "\$\{\{", which GitHub reads as an expression/);
});

Deno.test("pipeline name keeps a lone dollar and braces", async () => {
  const pipeline = definePipeline({
    name: "app $ {{ x }}",
    triggers: { push: trigger.github({ events: ["push"] }) },
    tasks,
    jobs: { build: job({ target: "build", trigger: ["push"] }) },
  });
  const text = renderWorkflow(pipeline, settingsFor(NPM));
  await assertValidWorkflow(text);
  assert.equal(parse(text).name, "app $ {{ x }}");
});

Deno.test("branch pattern rejects a GitHub expression", () => {
  const issues = triggerIssues(
    trigger.github({ events: ["push"], branches: ["main", "${{github.actor}}"] }),
  );
  assert.equal(issues.length, 1);
  assert.equal(issues[0].code, ErrorCode.INVALID_TRIGGER);
  assert.equal(issues[0].path, "triggers.t.branches[1]");
  assert.match(issues[0].message, /branch pattern "\$\{\{github\.actor\}\}" contains "\$\{\{"/);
});

Deno.test("hand-written branch rejects a GitHub expression", () => {
  const issues = issuesOf(() =>
    definePipeline({
      name: "app",
      triggers: {
        push: { kind: "github", events: ["push"], branches: ["release/${{ x }}"] },
      },
      tasks,
      jobs: { build: job({ target: "build", trigger: ["push"] }) },
    })
  );
  assert.deepEqual(issues.map((issue) => [issue.code, issue.path]), [
    [ErrorCode.INVALID_TRIGGER, "triggers.push.branches[0]"],
  ]);
});

Deno.test("cron cannot carry a GitHub expression", () => {
  const issues = triggerIssues(trigger.cron("${{ x }} 9 * * 1"));
  assert.deepEqual(issues.map((issue) => issue.code), [ErrorCode.INVALID_CRON]);
});

Deno.test("environment name and url escape expressions", async () => {
  const text = renderWorkflow(
    pipelineWith({
      environment: { name: "deploy-${{ github.actor }}", url: "https://x.test/${{ vars.A }}" },
    }),
    settingsFor(NPM),
  );
  await assertValidWorkflow(text);
  const environment = parse(text).jobs.build.environment;
  assert.equal(environment.name, "deploy-${{ '${{' }} github.actor }}");
  assert.equal(environment.url, "https://x.test/${{ '${{' }} vars.A }}");
});

Deno.test("string environment escapes expressions", async () => {
  const text = renderWorkflow(pipelineWith({ environment: "${{ secrets.X }}" }), settingsFor(NPM));
  await assertValidWorkflow(text);
  assert.equal(parse(text).jobs.build.environment, "${{ '${{' }} secrets.X }}");
});

Deno.test("runsOn keeps a GitHub expression", async () => {
  const text = renderWorkflow(
    pipelineWith({ github: { runsOn: "${{ vars.RUNNER }}" } }),
    settingsFor(NPM),
  );
  await assertValidWorkflow(text);
  assert.equal(parse(text).jobs.build["runs-on"], "${{ vars.RUNNER }}");
});

Deno.test("pipeline file name escapes expressions", async () => {
  const text = renderWorkflow(
    pipelineWith({}),
    settingsFor(NPM, {
      configPath: "ci ${{ x }}.ts",
      configArgs: " --config 'ci ${{ x }}.ts'",
      regenerateCommand: "async-pipeline sync github generate --config 'ci ${{ x }}.ts'",
    }),
  );
  await assertValidWorkflow(text);
  const steps = parse(text).jobs.build.steps;
  assert.equal(
    steps.at(-1).run,
    "npx async-pipeline run build --config 'ci ${{ '${{' }} x }}.ts'",
  );
  assert.match(steps.at(-2).with.key, /hashFiles\('package-lock\.json', 'ci \$\{\{ x \}\}\.ts'\)/);
});

Deno.test("var default with expression text stays a literal", async () => {
  const text = renderWorkflow(
    pipelineWith({ env: { MODE: env.var("MODE", { default: "a }} ${{ b" }) } }),
    settingsFor(NPM),
  );
  await assertValidWorkflow(text);
  assert.equal(parse(text).jobs.build.steps.at(-1).env.MODE, "${{ vars.MODE || 'a }} ${{ b' }}");
});
