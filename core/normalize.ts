/**
 * `normalizePipeline`: turns an authored pipeline into the frozen
 * {@link Pipeline} model, reporting every problem of the definition at once.
 *
 * @module
 */

import { BUILT_IN_STORES, type CacheStore, isCacheRegistry, resolveCacheRef } from "./cache.ts";
import { isCommandPolicy } from "./commands.ts";
import { didYouMean, ErrorCode, isPipelineError, PipelineError } from "./errors.ts";
import {
  deepFreeze,
  fieldPath,
  invalidIdReason,
  isRecord,
  isStringArray,
  IssueCollector,
  normalizeRecordOf,
} from "./fields.ts";
import type { NormalizedJob, NormalizedTask, NormalizeWarning, Pipeline } from "./model.ts";
import { checkDependencies, checkJobReferences } from "./normalize_refs.ts";
import {
  normalizeEnv,
  normalizeGithubSync,
  normalizeJob,
  normalizeTaskSync,
} from "./normalize_job.ts";
import {
  applyTaskDefaults,
  normalizeTask,
  TASK_DEFAULT_FIELDS,
  type TaskNormalizeContext,
} from "./normalize_task.ts";
import { sh } from "./sh.ts";
import { isSandbox } from "./sandbox.ts";
import { isSource } from "./sources.ts";
import { isJobDefinition, isTaskDefinition } from "./task.ts";
import { normalizeTriggers } from "./normalize_triggers.ts";
import type { JobConfig, PipelineConfig, TaskConfig, TaskDefaults } from "./types.ts";

/** Fields `definePipeline` accepts. */
export const PIPELINE_FIELDS = [
  "name",
  "env",
  "cache",
  "namedInputs",
  "taskDefaults",
  "triggers",
  "sync",
  "sources",
  "sandboxes",
  "commands",
  "tasks",
  "jobs",
] as const;

const ID_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.:/-]*$/;
/** Characters besides letters, digits and '_' that task and job ids may contain. */
const ID_CHARACTERS = ["-", ".", ":", "/"];
/** Source ids name directories and task namespaces, so they take no ':' or '/'. */
const SOURCE_ID_CHARACTERS = ["-", "."];
const ID_HINT =
  "Start with a letter, digit or '_' and use letters, digits and '_', '-', '.', ':', '/'.";

function normalizeCacheRegistry(issues: IssueCollector, value: unknown): Pipeline["cache"] {
  if (value === undefined) return { stores: BUILT_IN_STORES };
  if (typeof value === "string") {
    try {
      resolveCacheRef(value, BUILT_IN_STORES, "cache");
    } catch (error) {
      if (!isPipelineError(error)) throw error;
      issues.add({
        code: error.code,
        path: "cache",
        message: error.message.replace("cache: ", ""),
        hint: error.hint,
      });
    }
    return { default: value, stores: BUILT_IN_STORES };
  }
  if (isCacheRegistry(value)) {
    const stores: Record<string, CacheStore> = { ...value.stores };
    return { ...(value.default !== undefined ? { default: value.default } : {}), stores };
  }
  issues.invalid("cache", 'cache must be a ref such as "file:local" or defineCache({...}).');
  return { stores: BUILT_IN_STORES };
}

function normalizeNamedInputs(issues: IssueCollector, value: unknown): Record<string, string[]> {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    issues.invalid("namedInputs", "namedInputs must map group names to arrays of globs.");
    return {};
  }
  const result: Record<string, string[]> = {};
  for (const [key, patterns] of Object.entries(value)) {
    if (!isStringArray(patterns)) {
      issues.invalid(fieldPath("namedInputs", key), "expected an array of glob strings.");
    } else result[key] = [...patterns];
  }
  return result;
}

/**
 * Validates `taskDefaults` on their own paths, so a mistake is reported once
 * at `taskDefaults.<key>` and not again for every task it applies to. Entries
 * with problems are left out of the returned defaults.
 */
function normalizeTaskDefaults(
  issues: IssueCollector,
  value: unknown,
  context: TaskNormalizeContext & { taskIds: readonly string[]; sourceIds: readonly string[] },
): Record<string, TaskDefaults> {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    issues.invalid(
      "taskDefaults",
      "taskDefaults must map task ids or name segments to task fields.",
    );
    return {};
  }
  const valid: Record<string, TaskDefaults> = {};
  for (const [key, defaults] of Object.entries(value)) {
    const path = fieldPath("taskDefaults", key);
    if (!isRecord(defaults)) {
      issues.invalid(path, "expected an object of task fields.");
      continue;
    }
    const local = new IssueCollector();
    local.unknownFields(defaults, TASK_DEFAULT_FIELDS, path);
    const known = Object.fromEntries(
      Object.entries(defaults).filter(([field]) =>
        (TASK_DEFAULT_FIELDS as readonly string[]).includes(field)
      ),
    );
    normalizeTask(key, { ...known, run: VALIDATION_STEP }, local, context, path);
    for (const dep of isStringArray(defaults.dependsOn) ? defaults.dependsOn : []) {
      const namespace = dep.split(":")[0];
      if (
        context.taskIds.includes(dep) ||
        (dep.includes(":") && context.sourceIds.includes(namespace))
      ) continue;
      local.add({
        code: ErrorCode.UNKNOWN_TASK,
        path: `${path}.dependsOn`,
        message: `unknown task "${dep}".`,
        hint: didYouMean(dep, context.taskIds) || undefined,
      });
    }
    issues.issues.push(...local.issues);
    if (local.issues.length === 0) valid[key] = defaults as TaskDefaults;
    const matches = context.taskIds.some((id) => id === key || id.split(/[:/]/).includes(key));
    if (!matches) {
      const suggestion = didYouMean(
        key,
        context.taskIds.flatMap((id) => [id, ...id.split(/[:/]/)]),
      );
      context.warnings.push({
        path,
        message: `taskDefaults key "${key}" matches no task id or id segment, so it has no effect.${
          suggestion ? ` ${suggestion}` : ""
        }`,
      });
    }
  }
  return valid;
}

/** A placeholder step so a defaults entry normalizes like a task. */
const VALIDATION_STEP = sh`true`;

function taskConfigOf(value: unknown): TaskConfig | undefined {
  if (isTaskDefinition(value)) return value.config;
  if (isRecord(value) && value.kind === undefined) return value as TaskConfig;
  return undefined;
}

function jobConfigOf(value: unknown): JobConfig | undefined {
  if (isJobDefinition(value)) return value.config;
  if (isRecord(value) && value.kind === undefined) return value as unknown as JobConfig;
  return undefined;
}

/**
 * Validates and normalizes an authored pipeline. Throws one
 * {@link PipelineError} listing every problem found. Never runs steps,
 * evaluates callbacks or touches the disk.
 */
export function normalizePipeline(config: PipelineConfig): Pipeline {
  if (!isRecord(config)) {
    throw new PipelineError(ErrorCode.INVALID_PIPELINE, "definePipeline expects a config object.");
  }
  const issues = new IssueCollector();
  const warnings: NormalizeWarning[] = [];
  issues.unknownFields(config, PIPELINE_FIELDS, "");

  if (typeof config.name !== "string" || config.name.trim() === "") {
    issues.invalid("name", "name must be a non-empty string.", 'Add name: "app".');
  } else if (config.name.includes("${{")) {
    // The name becomes the generated workflow's name, where GitHub evaluates
    // no expression and accepts no escape for one.
    issues.invalid(
      "name",
      `${
        JSON.stringify(config.name)
      } contains "\${{", which GitHub reads as an expression. A workflow name evaluates none, so GitHub would reject the generated workflow.`,
      'Remove "${{" from the name.',
    );
  }
  const env = normalizeEnv(issues, "env", config.env);
  const cache = normalizeCacheRegistry(issues, config.cache);
  const namedInputs = normalizeNamedInputs(issues, config.namedInputs);
  const taskIds = isRecord(config.tasks) ? Object.keys(config.tasks) : [];
  const taskDefaults = normalizeTaskDefaults(issues, config.taskDefaults, {
    namedInputs,
    stores: cache.stores,
    defaultCacheRef: cache.default,
    warnings,
    taskIds,
    sourceIds: isRecord(config.sources) ? Object.keys(config.sources) : [],
  });
  const triggers = normalizeTriggers(issues, config.triggers);
  const sources = normalizeRecordOf(
    issues,
    "sources",
    config.sources,
    isSource,
    "source.path(...) or source.git(...)",
  );
  const sandboxes = normalizeRecordOf(
    issues,
    "sandboxes",
    config.sandboxes,
    isSandbox,
    "sandbox.docker(...) or sandbox.lima(...)",
  );
  if (config.commands !== undefined && !isCommandPolicy(config.commands)) {
    issues.invalid("commands", "commands must be command.policy({...}).");
  }
  for (const [id, declared] of Object.entries(sources)) {
    if (declared.type === "path" && declared.prepare.length > 0 && !declared.writable) {
      issues.add({
        code: ErrorCode.SOURCE_NOT_WRITABLE,
        path: fieldPath("sources", id),
        message: `path source "${id}" has prepare steps but is not writable.`,
        hint: "Set writable: true to allow prepare steps to change that directory.",
      });
    }
    // A source id names a checkout directory and a task namespace, so it has no ':' or '/'.
    if (!ID_PATTERN.test(id) || /[:/]/.test(id)) {
      issues.invalid(
        fieldPath("sources", id),
        `${JSON.stringify(id)} is not a valid source id: ${
          invalidIdReason(id, SOURCE_ID_CHARACTERS)
        }.`,
        "Start with a letter, digit or '_' and use letters, digits, '_', '-' and '.'.",
      );
    }
  }

  const tasks: Record<string, NormalizedTask> = {};
  // Tasks reported above as invalid: references to them get no second,
  // misleading "unknown task" issue.
  const rejectedTasks = new Set<string>();
  if (!isRecord(config.tasks)) {
    issues.invalid("tasks", "tasks must be an object of task ids to task(...) definitions.");
  } else {
    for (const [id, value] of Object.entries(config.tasks)) {
      const path = fieldPath("tasks", id);
      if (!ID_PATTERN.test(id)) {
        issues.invalid(
          path,
          `${JSON.stringify(id)} is not a valid task id: ${invalidIdReason(id, ID_CHARACTERS)}.`,
          ID_HINT,
        );
        rejectedTasks.add(id);
        continue;
      }
      const namespace = id.split(":")[0];
      if (id.includes(":") && namespace in sources) {
        issues.invalid(
          path,
          `task id "${id}" starts with source "${namespace}:", which is reserved for that source's tasks.`,
          "Rename the task.",
        );
        rejectedTasks.add(id);
        continue;
      }
      const taskConfig = taskConfigOf(value);
      if (!taskConfig) {
        issues.invalid(path, "expected task({...}) or a task config object.");
        rejectedTasks.add(id);
        continue;
      }
      const withDefaults = applyTaskDefaults(id, taskConfig, taskDefaults);
      tasks[id] = normalizeTask(id, withDefaults, issues, {
        namedInputs,
        stores: cache.stores,
        defaultCacheRef: cache.default,
        warnings,
      });
    }
  }
  checkDependencies(issues, tasks, sources, rejectedTasks);

  const jobs: Record<string, NormalizedJob> = {};
  if (config.jobs !== undefined && !isRecord(config.jobs)) {
    issues.invalid("jobs", "jobs must be an object of job ids to job(...) definitions.");
  } else {
    for (const [id, value] of Object.entries(config.jobs ?? {})) {
      if (!ID_PATTERN.test(id)) {
        issues.invalid(
          fieldPath("jobs", id),
          `${JSON.stringify(id)} is not a valid job id: ${invalidIdReason(id, ID_CHARACTERS)}.`,
          ID_HINT,
        );
        continue;
      }
      const jobConfig = jobConfigOf(value);
      if (!jobConfig) {
        issues.invalid(fieldPath("jobs", id), "expected job({...}) or a job config object.");
      } else jobs[id] = normalizeJob(id, jobConfig, env, issues);
    }
  }
  // Declared triggers that failed validation were reported already, so a job
  // naming one gets no second, misleading "unknown trigger" issue.
  const declaredTriggers = isRecord(config.triggers) ? config.triggers : triggers;
  checkJobReferences(issues, jobs, tasks, sources, declaredTriggers, rejectedTasks);

  let sync: Pipeline["sync"] = {};
  if (config.sync !== undefined) {
    if (!isRecord(config.sync)) issues.invalid("sync", "sync must be { github?, tasks? }.");
    else {
      issues.unknownFields(config.sync, ["github", "tasks"], "sync");
      const github = normalizeGithubSync(issues, config.sync.github);
      const taskSync = normalizeTaskSync(
        issues,
        config.sync.tasks,
        Object.keys(jobs),
        Object.keys(tasks),
      );
      sync = { ...(github ? { github } : {}), ...(taskSync ? { tasks: taskSync } : {}) };
    }
  }

  if (issues.issues.length > 0) throw PipelineError.fromIssues(issues.issues);

  return deepFreeze({
    kind: "pipeline",
    name: config.name,
    env,
    cache,
    namedInputs,
    triggers,
    sync,
    sources,
    sandboxes,
    ...(config.commands ? { commands: config.commands } : {}),
    tasks,
    jobs,
    warnings,
  }) as Pipeline;
}
