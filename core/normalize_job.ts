/** Normalization of jobs and sync settings. @module */

import { ENVIRONMENT_VARIABLE } from "./commands.ts";
import { CACHE_SECRET_ENV, CACHE_SECRET_RESERVED } from "./env.ts";
import { type EnvValue, isEnvValue } from "./env.ts";
import { ErrorCode } from "./errors.ts";
import { deepFreeze, fieldPath, isRecord, isStringArray, type IssueCollector } from "./fields.ts";
import type { NormalizedGithubSync, NormalizedJob } from "./model.ts";
import type { JobConfig } from "./types.ts";

export { normalizeTaskSync } from "./normalize_task_sync.ts";

/** Fields a job accepts. */
export const JOB_FIELDS = [
  "description",
  "target",
  "trigger",
  "environment",
  "requires",
  "env",
  "github",
  "mode",
] as const;

/** Fields a job's `github` config accepts. */
export const JOB_GITHUB_FIELDS = ["permissions", "runsOn", "timeoutMinutes"] as const;

/** Permission names accepted by `github.permissions`. */
export const PERMISSION_FIELDS = [
  "contents",
  "idToken",
  "issues",
  "packages",
  "pullRequests",
] as const;

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Checks an env map and returns it, reporting bad keys and values. */
export function normalizeEnv(
  issues: IssueCollector,
  path: string,
  value: unknown,
): Record<string, EnvValue> {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    issues.invalid(path, "env must be an object of names to values.");
    return {};
  }
  const result: Record<string, EnvValue> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (!ENV_KEY.test(key)) {
      issues.invalid(fieldPath(path, key), `"${key}" is not a valid environment variable name.`);
      continue;
    }
    if (!isEnvValue(entry)) {
      issues.invalid(
        fieldPath(path, key),
        "env values must be a string, env.secret(...) or env.var(...).",
        typeof entry === "number" || typeof entry === "boolean"
          ? `Write "${entry}" as a string.`
          : undefined,
      );
      continue;
    }
    if (key === CACHE_SECRET_ENV) {
      issues.invalid(
        fieldPath(path, key),
        CACHE_SECRET_RESERVED.message,
        CACHE_SECRET_RESERVED.hint,
      );
      continue;
    }
    if (
      key === ENVIRONMENT_VARIABLE &&
      (typeof entry === "string" || entry.kind === "var" && entry.default !== undefined)
    ) {
      issues.invalid(
        fieldPath(path, key),
        `${ENVIRONMENT_VARIABLE} is set by the pipeline itself, so every command.requireEnvironment rule would pass wherever it runs.`,
        `Set ${ENVIRONMENT_VARIABLE} on the machines where those commands may run, or map it from there with env.var("<NAME>") and no default.`,
      );
      continue;
    }
    result[key] = entry;
  }
  return result;
}

/** Normalizes one job. Target and trigger ids are checked later against the whole pipeline. */
export function normalizeJob(
  id: string,
  config: JobConfig,
  pipelineEnv: Readonly<Record<string, EnvValue>>,
  issues: IssueCollector,
): NormalizedJob {
  const path = fieldPath("jobs", id);
  issues.unknownFields(config, JOB_FIELDS, path);
  let targets: string[] = [];
  if (typeof config.target === "string" && config.target !== "") targets = [config.target];
  else if (isStringArray(config.target) && config.target.length > 0) targets = [...config.target];
  else {issues.invalid(
      `${path}.target`,
      "target must be a task id or a non-empty array of task ids.",
    );}

  let triggers: string[] = [];
  if (config.trigger !== undefined) {
    if (isStringArray(config.trigger)) triggers = [...config.trigger];
    else if (typeof config.trigger === "string") triggers = [config.trigger];
    else issues.invalid(`${path}.trigger`, "trigger must be an array of trigger ids.");
  }

  let environment: NormalizedJob["environment"];
  if (typeof config.environment === "string" && config.environment !== "") {
    environment = { name: config.environment };
  } else if (isRecord(config.environment)) {
    issues.unknownFields(config.environment, ["name", "url"], `${path}.environment`);
    const { name, url } = config.environment;
    if (typeof name !== "string" || name === "") {
      issues.invalid(`${path}.environment.name`, "environment name must be a non-empty string.");
    } else if (url !== undefined && typeof url !== "string") {
      issues.invalid(`${path}.environment.url`, "environment url must be a string.");
    } else environment = url === undefined ? { name } : { name, url };
  } else if (config.environment !== undefined) {
    issues.invalid(`${path}.environment`, "environment must be a name or { name, url }.");
  }

  let provenance = false;
  if (config.requires !== undefined) {
    if (!isRecord(config.requires)) {
      issues.invalid(`${path}.requires`, "requires must be an object.");
    } else {
      issues.unknownFields(config.requires, ["provenance"], `${path}.requires`);
      provenance = config.requires.provenance === true;
    }
  }

  const github = normalizeJobGithub(issues, `${path}.github`, config.github);
  if (config.mode !== undefined && config.mode !== "manual" && config.mode !== "ci") {
    issues.invalid(
      `${path}.mode`,
      `mode must be "manual" or "ci", got ${JSON.stringify(config.mode)}.`,
    );
  }
  if (config.description !== undefined && typeof config.description !== "string") {
    issues.invalid(`${path}.description`, "description must be a string.");
  }

  return deepFreeze({
    id,
    ...(typeof config.description === "string" ? { description: config.description } : {}),
    targets,
    triggers,
    ...(environment ? { environment } : {}),
    requires: { provenance },
    env: { ...pipelineEnv, ...normalizeEnv(issues, `${path}.env`, config.env) },
    github,
    ...(config.mode === "manual" || config.mode === "ci" ? { mode: config.mode } : {}),
  });
}

function normalizeJobGithub(
  issues: IssueCollector,
  path: string,
  value: unknown,
): NormalizedJob["github"] {
  if (value === undefined) return { permissions: {} };
  if (!isRecord(value)) {
    issues.invalid(path, "github must be an object.");
    return { permissions: {} };
  }
  issues.unknownFields(value, JOB_GITHUB_FIELDS, path);
  const permissions: Record<string, "read" | "write" | "none"> = {};
  if (value.permissions !== undefined) {
    if (!isRecord(value.permissions)) {
      issues.invalid(`${path}.permissions`, "permissions must be an object.");
    } else {
      issues.unknownFields(value.permissions, PERMISSION_FIELDS, `${path}.permissions`);
      for (const name of PERMISSION_FIELDS) {
        const level = value.permissions[name];
        if (level === undefined) continue;
        const allowed = name === "idToken" ? ["write", "none"] : ["read", "write", "none"];
        if (typeof level !== "string" || !allowed.includes(level)) {
          issues.invalid(
            `${path}.permissions.${name}`,
            `invalid permission level ${JSON.stringify(level)}.`,
            `Use one of: ${allowed.join(", ")}.`,
          );
          continue;
        }
        permissions[name] = level as "read" | "write" | "none";
      }
    }
  }
  const result: { permissions: typeof permissions; runsOn?: string; timeoutMinutes?: number } = {
    permissions,
  };
  if (value.runsOn !== undefined) {
    if (typeof value.runsOn !== "string" || value.runsOn === "") {
      issues.invalid(`${path}.runsOn`, "runsOn must be a runner label.");
    } else result.runsOn = value.runsOn;
  }
  if (value.timeoutMinutes !== undefined) {
    const minutes = value.timeoutMinutes;
    if (typeof minutes !== "number" || !Number.isInteger(minutes) || minutes < 1) {
      issues.invalid(`${path}.timeoutMinutes`, "timeoutMinutes must be a positive integer.");
    } else result.timeoutMinutes = minutes;
  }
  return result;
}

/** Default generated workflow path. */
export const DEFAULT_WORKFLOW_PATH = ".github/workflows/async-pipeline.yml";
/** Default GitHub lock path. */
export const DEFAULT_GITHUB_LOCK_PATH = ".github/async-pipeline.lock.json";

/** Normalizes `sync.github`. */
export function normalizeGithubSync(
  issues: IssueCollector,
  value: unknown,
): NormalizedGithubSync | undefined {
  if (value === undefined || value === false) return undefined;
  const defaults = {
    workflow: DEFAULT_WORKFLOW_PATH,
    lock: DEFAULT_GITHUB_LOCK_PATH,
    nodeVersion: 24,
    cache: true,
  };
  if (value === true) return defaults;
  const path = "sync.github";
  if (!isRecord(value)) {
    issues.invalid(path, "sync.github must be true or { workflow, lock, nodeVersion, cache }.");
    return undefined;
  }
  issues.unknownFields(value, ["workflow", "lock", "nodeVersion", "cache"], path);
  const result = { ...defaults };
  for (const key of ["workflow", "lock"] as const) {
    if (value[key] === undefined) continue;
    const file = value[key];
    if (typeof file !== "string" || file === "") {
      issues.invalid(`${path}.${key}`, `${key} must be a relative path.`);
    } else if (file.startsWith("/") || file.split(/[\\/]/).includes("..")) {
      issues.add({
        code: ErrorCode.PATH_OUTSIDE_ROOT,
        path: `${path}.${key}`,
        message: `"${file}" is outside the project root.`,
        hint: "Use a path relative to the project directory without '..'.",
      });
    } else result[key] = file;
  }
  if (value.nodeVersion !== undefined) {
    if (
      typeof value.nodeVersion !== "number" || !Number.isInteger(value.nodeVersion) ||
      value.nodeVersion < 20
    ) {
      issues.invalid(
        `${path}.nodeVersion`,
        `nodeVersion must be a Node major version of at least 20, got ${
          JSON.stringify(value.nodeVersion)
        }.`,
        "Use 20, 22 or 24 (the default).",
      );
    } else result.nodeVersion = value.nodeVersion;
  }
  if (value.cache !== undefined) {
    if (typeof value.cache !== "boolean") {
      issues.invalid(`${path}.cache`, "cache must be true or false.");
    } else result.cache = value.cache;
  }
  return result;
}
