/**
 * The steps of a generated GitHub job: checkout, tool setup, dependency
 * install, the task cache restore, and the pipeline job itself.
 *
 * @module
 */

import type { JobReads } from "../../core/job_reads.ts";
import type { NormalizedJob } from "../../core/model.ts";
import { CACHE, CHECKOUT, PNPM_SETUP, SETUP_NODE, usesOf } from "./actions.ts";
import { envExpression, escapeExpressions } from "./expressions.ts";
import { installCommand, type PackageManager, runCommand } from "./package_manager.ts";
import { CACHE_DIRECTORY, SECRET_KEY_PATH } from "../cache/paths.ts";
import { CACHE_SECRET_ENV } from "../cache/cache_secret.ts";

/** A workflow step as plain data, in the key order it renders. */
export type WorkflowStep = Record<string, unknown>;

/** Inputs of the step builders that do not depend on the job. */
export interface StepSettings {
  readonly manager: PackageManager;
  /** Node major version for `actions/setup-node`. */
  readonly nodeVersion: number;
  /** Adds the `.async/cache` restore and save step. */
  readonly cache: boolean;
  /** Pipeline file relative to the project root, such as `pipeline.ts`. */
  readonly configPath: string;
  /** ` --config <path>` when the pipeline file is not found by default, else empty. */
  readonly configArgs: string;
}

/**
 * Builds the steps of one job. `githubId` is the job's key in the workflow;
 * `reads` lists what the job's tasks read outside the job's env.
 */
export function jobSteps(
  job: NormalizedJob,
  githubId: string,
  settings: StepSettings,
  reads: JobReads = { secrets: [], vars: [], sites: [] },
): WorkflowStep[] {
  const steps: WorkflowStep[] = [{ name: "Check out", uses: usesOf(CHECKOUT) }];
  steps.push(...setupSteps(settings.manager, settings.nodeVersion));
  const install = installCommand(settings.manager);
  if (install) steps.push({ name: "Install dependencies", run: install });
  if (settings.cache) steps.push(cacheStep(githubId, settings));
  steps.push({
    name: "Run pipeline job",
    // The pipeline file's name may contain any character, including "${{".
    run: escapeExpressions(runCommand(settings.manager, job.id, settings.configArgs)),
    env: settings.cache ? withCacheSecret(jobEnv(job, reads), job, reads) : jobEnv(job, reads),
  });
  return steps;
}

/**
 * Adds {@link CACHE_SECRET_ENV} from the repository secret of that name to the
 * env of a job that reads any secret, so its secret-keyed tasks can hit the
 * restored cache. Without that repository secret GitHub renders an empty
 * value, and the run makes its own key as before.
 */
function withCacheSecret(
  env: Record<string, unknown>,
  job: NormalizedJob,
  reads: JobReads,
): Record<string, unknown> {
  const readsSecret = reads.secrets.length > 0 ||
    Object.values(job.env).some((value) => typeof value !== "string" && value.kind === "secret");
  if (!readsSecret || Object.hasOwn(env, CACHE_SECRET_ENV)) return env;
  return { ...env, [CACHE_SECRET_ENV]: envExpression({ kind: "secret", name: CACHE_SECRET_ENV }) };
}

function setupSteps(manager: PackageManager, nodeVersion: number): WorkflowStep[] {
  const node = (cache?: string): WorkflowStep => ({
    name: "Set up Node.js",
    uses: usesOf(SETUP_NODE),
    with: { "node-version": nodeVersion, ...(cache ? { cache } : {}) },
  });
  const locked = manager.lockfile !== undefined;
  switch (manager.name) {
    case "pnpm":
      return [
        {
          name: "Set up pnpm",
          uses: usesOf(PNPM_SETUP),
          ...(manager.pnpmVersion ? { with: { version: manager.pnpmVersion } } : {}),
        },
        node(locked ? "pnpm" : undefined),
      ];
    case "npm":
      return [node(locked ? "npm" : undefined)];
    case "yarn":
      // setup-node's Yarn cache queries Yarn before Corepack is enabled, so
      // Yarn 2+ projects skip it.
      if (manager.yarnBerry) return [node(), { name: "Enable Corepack", run: "corepack enable" }];
      return [node(locked ? "yarn" : undefined)];
    case "deno":
      // NOTE: Deno comes from the `deno` npm package through the pinned
      // setup-node, so the workflow needs no unpinned setup action.
      return [node(), { name: "Set up Deno", run: "npm install --global deno@2" }];
  }
}

function cacheStep(githubId: string, settings: StepSettings): WorkflowStep {
  const files = [settings.manager.lockfile, settings.configPath]
    .filter((file): file is string => file !== undefined)
    .map((file) => `'${file.replaceAll("'", "''")}'`)
    .join(", ");
  const base = "async-pipeline-${{ runner.os }}-";
  const jobPrefix = `${base}${githubId}-`;
  const hashed = `${jobPrefix}\${{ hashFiles(${files}) }}-`;
  return {
    name: "Restore task cache",
    uses: usesOf(CACHE),
    with: {
      // The secret-digest key stays out of the cache: GitHub lets pull requests restore the base
      // branch's caches, and the key together with the entries' digests would let guessed secret
      // values be checked offline. Each CI run makes its own key instead.
      path: `${CACHE_DIRECTORY}\n!${SECRET_KEY_PATH}\n`,
      key: `${hashed}\${{ github.sha }}`,
      "restore-keys": `${hashed}\n${jobPrefix}\n${base}\n`,
    },
  };
}

/** The entries that the run step sets itself, before the job's env. */
export const RUN_STEP_ENV: Readonly<Record<string, unknown>> = Object.freeze({ CI: true });

/**
 * Builds the run step's env: {@link RUN_STEP_ENV}, then the job's env rendered as
 * expressions, then each secret and variable the tasks read under its own
 * name, where the job's env has no entry of that name. A task reads those
 * by their source name, so a job env entry that renders the same secret
 * under another key does not reach them.
 */
export function jobEnv(job: NormalizedJob, reads: JobReads): Record<string, unknown> {
  const env: Record<string, unknown> = { ...RUN_STEP_ENV };
  for (const [key, value] of Object.entries(job.env)) env[key] = envExpression(value);
  const missing = (name: string) => !Object.hasOwn(env, name);
  for (const name of reads.secrets.filter(missing)) {
    env[name] = envExpression({ kind: "secret", name });
  }
  for (const name of reads.vars.filter(missing)) env[name] = envExpression({ kind: "var", name });
  return env;
}
