/**
 * Checks that a generated run step's env can pass what a job reads. They
 * reject secret names GitHub does not allow, keys GitHub would merge, names
 * read both as a secret and as a variable, and names the run step sets.
 *
 * @module
 */

import { ErrorCode, type PipelineIssue } from "../../core/errors.ts";
import { type JobReads, type ReadSite, refText } from "../../core/job_reads.ts";
import type { NormalizedJob, Pipeline } from "../../core/model.ts";
import { jobEnv, RUN_STEP_ENV } from "./steps.ts";

/**
 * Returns every problem of the run step's env of `job`, given what its
 * tasks read (`reads`).
 */
export function runStepEnvIssues(
  pipeline: Pipeline,
  job: NormalizedJob,
  reads: JobReads,
): PipelineIssue[] {
  const envSites = jobEnvSites(pipeline, job);
  const sites = [...envSites, ...reads.sites];
  // A job env key decides what the tasks read under its name, locally and on GitHub.
  const undecided = reads.sites.filter((site) => !Object.hasOwn(job.env, site.name));
  return [
    ...reservedSecretNames(job, sites),
    ...caseConflicts(job, reads),
    ...secretVarConflicts(job, [...envSites, ...undecided]),
    ...runStepNames(job, sites),
  ];
}

/** Lists the secrets and variables that the job's env (pipeline env included) declares. */
function jobEnvSites(pipeline: Pipeline, job: NormalizedJob): ReadSite[] {
  const sites: ReadSite[] = [];
  for (const [key, value] of Object.entries(job.env)) {
    if (typeof value === "string") continue;
    const path = pipeline.env[key] === value ? `env.${key}` : `jobs.${job.id}.env.${key}`;
    sites.push({
      kind: value.kind,
      name: value.name,
      path,
      place: `${refText(value.kind, value.name)} at ${path}`,
    });
  }
  return sites;
}

function reservedSecretNames(job: NormalizedJob, sites: readonly ReadSite[]): PipelineIssue[] {
  const names = new Set(sites.filter((site) => site.kind === "secret").map((site) => site.name));
  return [...names].filter((name) => {
    const upper = name.toUpperCase();
    return upper.startsWith("GITHUB_") && upper !== "GITHUB_TOKEN";
  }).map((name) => ({
    code: ErrorCode.INVALID_FIELD,
    path: `jobs.${job.id}.env`,
    message: `the job reads the secret "${name}", but GitHub does not allow secret names ` +
      "that start with GITHUB_, so the workflow would always pass it empty.",
    hint: "Rename the secret; GITHUB_TOKEN, the token GitHub provides, is the only such name.",
  }));
}

/**
 * Reports the keys of the run step's env that differ only in case. GitHub
 * Actions compares env keys without case, so a workflow cannot hold two of
 * them, while a process environment on Linux can.
 */
function caseConflicts(job: NormalizedJob, reads: JobReads): PipelineIssue[] {
  const groups = new Map<string, string[]>();
  for (const key of Object.keys(jobEnv(job, reads))) {
    const folded = key.toLowerCase();
    groups.set(folded, [...groups.get(folded) ?? [], key]);
  }
  return [...groups.values()].filter((keys) => keys.length > 1).map((keys) => ({
    code: ErrorCode.INVALID_FIELD,
    path: `jobs.${job.id}.env`,
    message: `the run step's env would hold ${
      keys.map((key) => `"${key}"`).join(" and ")
    }, which GitHub Actions treats as one key because it ignores case.`,
    hint: "Rename the secrets, variables or env keys so that they differ in more than case.",
  }));
}

/**
 * Reports each name that the job reads both as a secret and as a variable.
 * A local run reads both from one environment variable, while GitHub keeps
 * `secrets.NAME` and `vars.NAME` apart, so a run on GitHub would not read
 * what a local run reads.
 */
function secretVarConflicts(job: NormalizedJob, sites: readonly ReadSite[]): PipelineIssue[] {
  const first = new Map<string, ReadSite>();
  const issues: PipelineIssue[] = [];
  for (const site of sites) {
    const key = `${site.kind} ${site.name}`;
    if (!first.has(key)) first.set(key, site);
  }
  for (const secret of first.values()) {
    if (secret.kind !== "secret") continue;
    const variable = first.get(`var ${secret.name}`);
    if (variable === undefined) continue;
    issues.push({
      code: ErrorCode.INVALID_FIELD,
      path: `jobs.${job.id}.env`,
      message: `the job reads "${secret.name}" as a secret (${secret.place}) and as a variable ` +
        `(${variable.place}). A local run reads both from the environment variable ` +
        `${secret.name}, but GitHub stores secrets and variables apart, so a run on GitHub ` +
        "would not read what a local run reads.",
      hint: `Rename the secret or the variable, so that "${secret.name}" is read only one way.`,
    });
  }
  return issues;
}

/**
 * Reports each secret or variable read under a name that the run step sets
 * itself, such as CI. The step's own value would reach the reader, unless
 * the job's env declares that key and so replaces the step's value.
 */
function runStepNames(job: NormalizedJob, sites: readonly ReadSite[]): PipelineIssue[] {
  const shadowed = sites.filter((site) =>
    Object.hasOwn(RUN_STEP_ENV, site.name) && !Object.hasOwn(job.env, site.name)
  );
  return shadowed.map(({ kind, name, path, place }) => {
    const word = kind === "secret" ? "secret" : "variable";
    const value = String(RUN_STEP_ENV[name]);
    return {
      code: ErrorCode.INVALID_FIELD,
      path,
      message: `job "${job.id}" reads the ${word} "${name}" (${place}), but its run step sets ` +
        `${name}: ${value} itself, so GitHub would pass "${value}" in place of ` +
        `${kind === "secret" ? "secrets" : "vars"}.${name}.`,
      hint: `Rename the ${word}, because the run step sets ${name} itself.`,
    };
  });
}
