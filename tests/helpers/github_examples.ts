/** Pipelines from the API reference's examples, shared by the GitHub tests. */

import assert from "node:assert/strict";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  definePipeline,
  env,
  job,
  type JobConfig,
  type Pipeline,
  type PipelineConfig,
  sh,
  task,
  trigger,
} from "../../mod.ts";
import type { PackageManager } from "../../node/github/package_manager.ts";
import { renderWorkflow, type WorkflowSettings } from "../../node/github/workflow.ts";
import { tempDir } from "../support/temp_files.ts";
import { cli } from "./cli.ts";

/** Workflow settings for a package manager, with the defaults of `sync.github: true`. */
export function settingsFor(
  manager: PackageManager,
  overrides: Partial<WorkflowSettings> = {},
): WorkflowSettings {
  return {
    manager,
    nodeVersion: 24,
    cache: true,
    configPath: "pipeline.ts",
    configArgs: "",
    regenerateCommand: "async-pipeline sync github generate",
    ...overrides,
  };
}

/**
 * Builds a pipeline whose job "release", triggered by hand, targets task
 * "deploy". `config` gives the tasks and any other pipeline field, and
 * `release` overrides fields of the job, such as its env.
 */
export function releasePipeline(
  config: Omit<PipelineConfig, "name" | "jobs">,
  release: Partial<JobConfig> = {},
): Pipeline {
  return definePipeline({
    name: "release",
    triggers: { manual: trigger.manual() },
    ...config,
    jobs: { release: job({ target: "deploy", trigger: ["manual"], ...release }) },
  });
}

/** Renders `pipeline` for npm and returns the error it fails with. */
export function workflowError(pipeline: Pipeline): Error & { code?: string } {
  try {
    renderWorkflow(pipeline, settingsFor(NPM));
  } catch (error) {
    return error as Error & { code?: string };
  }
  assert.fail("the workflow rendered");
}

/**
 * Writes an npm project with the pipeline file `source`, then runs
 * `github generate` and `github check` in it and asserts that both fail
 * with an error matching `stderr` and that nothing was written.
 */
export async function assertGithubRejects(source: string, stderr: RegExp): Promise<void> {
  const dir = await tempDir("github-rejects-");
  await writeFile(join(dir, "pipeline.ts"), source);
  await writeFile(join(dir, "package.json"), "{}\n");
  for (const command of ["generate", "check"]) {
    const result = await cli(dir, ["github", command]);
    assert.equal(result.code, 1, command);
    assert.equal(result.stdout, "", command);
    assert.match(result.stderr, stderr, command);
  }
  assert.deepEqual((await readdir(dir)).sort(), ["package.json", "pipeline.ts"]);
}

export const PNPM: PackageManager = {
  name: "pnpm",
  lockfile: "pnpm-lock.yaml",
  detectedFrom: "pnpm-lock.yaml",
  pnpmVersion: "9",
};
export const NPM: PackageManager = {
  name: "npm",
  lockfile: "package-lock.json",
  detectedFrom: "package-lock.json",
};
export const YARN: PackageManager = {
  name: "yarn",
  lockfile: "yarn.lock",
  detectedFrom: "yarn.lock",
  yarnBerry: false,
};
export const DENO: PackageManager = {
  name: "deno",
  lockfile: "deno.lock",
  detectedFrom: "deno.lock",
};

/** A publish job with an environment, provenance and a secret, started by hand. */
export const publishPipeline = definePipeline({
  name: "app",
  triggers: { manual: trigger.manual() },
  tasks: { publish: task({ run: sh`npm publish --provenance` }) },
  jobs: {
    publish: job({
      target: "publish",
      trigger: ["manual"],
      environment: {
        name: "npm-publish",
        url: "https://www.npmjs.com/package/@async/pipeline",
      },
      requires: { provenance: true },
      env: { NODE_AUTH_TOKEN: env.secret("NPM_TOKEN") },
    }),
  },
});

/**
 * Builds the env example: a defaulted variable, a mapped variable and a
 * secret, deployed on push. Each call defines the pipeline anew.
 */
export function makeEnvPipeline() {
  return definePipeline({
    name: "app",
    env: { NODE_ENV: env.var("NODE_ENV", { default: "dev" }) },
    triggers: { push: trigger.github({ events: ["push"], branches: ["main"] }) },
    tasks: { deploy: task({ run: sh`deploy --target "$API_URL"` }) },
    jobs: {
      deploy: job({
        target: "deploy",
        trigger: ["push"],
        env: {
          API_URL: env.var("NODE_ENV", {
            prod: "https://api.example.com",
            dev: "http://localhost:3000",
          }, { default: "dev" }),
          NODE_AUTH_TOKEN: env.secret("NPM_TOKEN"),
        },
      }),
    },
  });
}

/** The env example, defined once. */
export const envPipeline = makeEnvPipeline();

/** Cron and manual triggers: a weekly report that can also start by hand, and a nightly job. */
export const schedulePipeline = definePipeline({
  name: "app",
  triggers: {
    weekly: trigger.cron("0 9 * * 1"),
    nightly: trigger.schedule("30 2 * * *"),
    manual: trigger.manual(),
  },
  tasks: {
    report: task({ run: sh`node report.js` }),
    audit: task({ run: sh`npm audit` }),
  },
  jobs: {
    report: job({ target: "report", trigger: ["weekly", "manual"] }),
    audit: job({ target: "audit", trigger: ["nightly"] }),
  },
});

/** A verify job on pushes to and pull requests into main. */
export const pullRequestPipeline = definePipeline({
  name: "app",
  triggers: {
    main: trigger.github({ events: ["push", "pull_request"], branches: ["main"] }),
  },
  tasks: {
    build: task({ run: sh`deno task build` }),
    test: task({ dependsOn: ["build"], run: sh`deno test -A` }),
  },
  jobs: { verify: job({ target: "test", trigger: ["main"] }) },
});
