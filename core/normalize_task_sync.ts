/** Normalization of `sync.tasks`: which jobs and tasks become package scripts or Deno tasks. @module */

import { didYouMean, ErrorCode } from "./errors.ts";
import { fieldPath, isRecord, isStringArray, type IssueCollector } from "./fields.ts";
import type { NormalizedTaskSync } from "./model.ts";
import type { TaskSyncTarget } from "./types.ts";

/** Fields `sync.tasks` accepts in object form. */
export const TASK_SYNC_FIELDS = [
  "prefix",
  "runners",
  "targets",
  "jobs",
  "tasks",
  "scripts",
] as const;

/** Default entry-name prefix: `pipeline:verify`. */
export const DEFAULT_TASK_SYNC_PREFIX = "pipeline";

/** Dotted path of the setting, used in issue paths. */
const FIELD_PATH = "sync.tasks";
/** A name that `npm run` and `deno task` do not read as an option: it starts with a letter, digit or '_'. */
const PREFIX_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/;
const MANIFEST_FILE_PATTERN = /(^|[\\/])(package\.json|deno\.jsonc?)$/;

type Runner = NormalizedTaskSync["runners"][number];

/** Returns the entry name generated for a job. */
export function jobEntryName(prefix: string, jobId: string): string {
  return `${prefix}:${jobId}`;
}

/** Returns the entry name generated for a raw task. */
export function taskEntryName(prefix: string, taskId: string): string {
  return `${prefix}:task:${taskId}`;
}

/**
 * Normalizes `sync.tasks`. `true` syncs every job into the root manifests with
 * both runners. Job and task ids are checked against the pipeline.
 */
export function normalizeTaskSync(
  issues: IssueCollector,
  value: unknown,
  jobIds: readonly string[],
  taskIds: readonly string[],
): NormalizedTaskSync | undefined {
  if (value === undefined || value === false) return undefined;
  const defaults: NormalizedTaskSync = {
    prefix: DEFAULT_TASK_SYNC_PREFIX,
    runners: ["package", "deno"],
    targets: [],
    jobs: [...jobIds],
    tasks: [],
    scripts: {},
  };
  if (value === true) return defaults;
  if (!isRecord(value)) {
    issues.invalid(FIELD_PATH, "sync.tasks must be true or an object.");
    return undefined;
  }

  issues.unknownFields(value, TASK_SYNC_FIELDS, FIELD_PATH);
  const result: NormalizedTaskSync = {
    prefix: normalizePrefix(issues, value.prefix) ?? defaults.prefix,
    runners: normalizeRunners(issues, value.runners) ?? defaults.runners,
    targets: normalizeTargets(issues, value.targets),
    jobs: normalizeIds(issues, "jobs", value.jobs, jobIds) ?? defaults.jobs,
    tasks: normalizeIds(issues, "tasks", value.tasks, taskIds) ?? defaults.tasks,
    scripts: normalizeScripts(issues, value.scripts),
  };
  checkEntryNames(issues, result);
  return result;
}

function normalizePrefix(issues: IssueCollector, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !PREFIX_PATTERN.test(value)) {
    issues.invalid(
      `${FIELD_PATH}.prefix`,
      `prefix must be a name of letters, digits, '_', '.', ':' or '-' that starts with a letter, digit or '_', got ${
        JSON.stringify(value)
      }.`,
      'Use a name such as "pipeline".',
    );
    return undefined;
  }
  return value;
}

function normalizeRunners(issues: IssueCollector, value: unknown): Runner[] | undefined {
  if (value === undefined) return undefined;
  const valid = isStringArray(value) && value.length > 0 &&
    value.every((runner) => runner === "package" || runner === "deno");
  if (!valid) {
    issues.invalid(
      `${FIELD_PATH}.runners`,
      'runners must be a non-empty array of "package" and "deno".',
      '"package" writes package.json scripts; "deno" writes deno.json or deno.jsonc tasks.',
    );
    return undefined;
  }
  return [...new Set(value as Runner[])];
}

function normalizeTargets(issues: IssueCollector, value: unknown): TaskSyncTarget[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    issues.invalid(`${FIELD_PATH}.targets`, "targets must be an array.");
    return [];
  }
  const targets: TaskSyncTarget[] = [];
  value.forEach((target, index) => {
    const checked = normalizeTarget(issues, `${FIELD_PATH}.targets[${index}]`, target);
    if (checked) targets.push(checked);
  });
  return targets;
}

function normalizeTarget(
  issues: IssueCollector,
  at: string,
  target: unknown,
): TaskSyncTarget | undefined {
  const keys = isRecord(target) ? Object.keys(target) : [];
  if (!isRecord(target) || keys.length !== 1 || !(keys[0] === "package" || keys[0] === "path")) {
    issues.invalid(
      at,
      'a target is { package: "<package.json name>" } or { path: "<dir>/package.json|deno.json|deno.jsonc" }.',
    );
    return undefined;
  }
  if (keys[0] === "package") {
    if (typeof target.package === "string" && target.package !== "") {
      return { package: target.package };
    }
    issues.invalid(`${at}.package`, "package must be a non-empty package.json name.");
    return undefined;
  }

  const path = target.path;
  if (typeof path !== "string" || !MANIFEST_FILE_PATTERN.test(path)) {
    issues.invalid(
      `${at}.path`,
      `${JSON.stringify(path)} is not a package.json, deno.json or deno.jsonc file.`,
      "Point the path at the manifest file itself, such as tools/worker/deno.json.",
    );
    return undefined;
  }
  if (escapesRoot(path)) {
    issues.add({
      code: ErrorCode.PATH_OUTSIDE_ROOT,
      path: `${at}.path`,
      message: `target "${path}" is outside the project root.`,
      hint: "Use a path relative to the pipeline's directory without '..' or a leading '/'.",
    });
    return undefined;
  }
  return { path };
}

function escapesRoot(path: string): boolean {
  if (path.startsWith("/") || path.startsWith("\\") || /^[A-Za-z]:/.test(path)) return true;
  let depth = 0;
  for (const segment of path.split(/[\\/]/)) {
    if (segment === "..") depth--;
    else if (segment !== "." && segment !== "") depth++;
    if (depth < 0) return true;
  }
  return false;
}

function normalizeIds(
  issues: IssueCollector,
  key: "jobs" | "tasks",
  value: unknown,
  known: readonly string[],
): string[] | undefined {
  if (value === undefined) return undefined;
  if (!isStringArray(value)) {
    issues.invalid(`${FIELD_PATH}.${key}`, `${key} must be an array of ${key.slice(0, -1)} ids.`);
    return undefined;
  }
  for (const id of value) {
    if (known.includes(id)) continue;
    issues.add({
      code: key === "jobs" ? ErrorCode.UNKNOWN_JOB : ErrorCode.UNKNOWN_TASK,
      path: `${FIELD_PATH}.${key}`,
      message: `unknown ${key === "jobs" ? "job" : "task"} "${id}".`,
      hint: didYouMean(id, known) || undefined,
    });
  }
  return [...new Set(value)];
}

function normalizeScripts(issues: IssueCollector, value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    issues.invalid(
      `${FIELD_PATH}.scripts`,
      "scripts must map entry names to CLI argument strings.",
    );
    return {};
  }
  const scripts: Record<string, string> = {};
  for (const [name, args] of Object.entries(value)) {
    const at = fieldPath(`${FIELD_PATH}.scripts`, name);
    if (name.trim() === "") {
      issues.invalid(`${FIELD_PATH}.scripts`, "script names must not be empty.");
    } else if (typeof args !== "string" || args.trim() === "") {
      issues.invalid(at, 'the value must be the CLI arguments, such as "sync check".');
    } else if (/^async-pipeline(\s|$)/.test(args.trim())) {
      issues.invalid(
        at,
        `"${args}" starts with the executable name.`,
        `Write only the arguments ("${args.trim().replace(/^async-pipeline\s*/, "")}"); ` +
          "sync adds the command that runs the CLI.",
      );
    } else scripts[name] = args.trim();
  }
  return scripts;
}

/** Reports two synced items that would write the same entry name. */
function checkEntryNames(issues: IssueCollector, sync: NormalizedTaskSync): void {
  const owners = new Map<string, string>();
  const claim = (name: string, owner: string) => {
    const previous = owners.get(name);
    if (previous === undefined) {
      owners.set(name, owner);
      return;
    }
    issues.invalid(
      FIELD_PATH,
      `${owner} and ${previous} would both write the entry "${name}".`,
      "Rename one of them, or leave one out of sync.tasks.",
    );
  };

  for (const id of sync.jobs) claim(jobEntryName(sync.prefix, id), `job "${id}"`);
  for (const id of sync.tasks) claim(taskEntryName(sync.prefix, id), `task "${id}"`);
  for (const name of Object.keys(sync.scripts)) claim(name, `script "${name}"`);
}
