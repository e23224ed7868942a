/**
 * Normalization of one task: defaults, directives, steps, retry, timeout,
 * cache. `normalize_patterns.ts` checks its input and output patterns.
 *
 * @module
 */

import { type CacheStore, resolveCacheRef } from "./cache.ts";
import { parseDuration, parseTtl } from "./duration.ts";
import { ErrorCode, isPipelineError } from "./errors.ts";
import { envNames } from "./env.ts";
import { deepFreeze, fieldPath, isRecord, isStringArray, type IssueCollector } from "./fields.ts";
import type {
  DirectiveInfo,
  NormalizedStep,
  NormalizedTask,
  NormalizedTaskCache,
  NormalizeWarning,
} from "./model.ts";
import { isDeferredShell, isShellCommand } from "./sh.ts";
import type { FunctionStep, TaskConfig, TaskDefaults } from "./types.ts";
import { checkPatterns, expandInputs } from "./normalize_patterns.ts";

/** Fields a task accepts. */
export const TASK_FIELDS = [
  "description",
  "dependsOn",
  "inputs",
  "outputs",
  "cache",
  "retry",
  "timeout",
  "requires",
  "run",
  "steps",
] as const;

/** Fields `taskDefaults` entries accept. */
export const TASK_DEFAULT_FIELDS = [
  "dependsOn",
  "inputs",
  "outputs",
  "cache",
  "retry",
  "timeout",
  "requires",
] as const;

/** Pipeline-level facts a task needs to normalize. */
export interface TaskNormalizeContext {
  readonly namedInputs: Readonly<Record<string, readonly string[]>>;
  readonly stores: Readonly<Record<string, CacheStore>>;
  readonly defaultCacheRef?: string;
  readonly warnings: NormalizeWarning[];
}

/**
 * Applies `taskDefaults` to a task config. Entries whose key equals a segment
 * of the id (split on `:` and `/`) apply first, in segment order. The entry
 * whose key equals the whole id applies last. The task's own fields win over
 * every default. Each field is replaced, not merged.
 */
export function applyTaskDefaults(
  id: string,
  config: TaskConfig,
  defaults: Readonly<Record<string, TaskDefaults>>,
): TaskConfig {
  const layers: TaskDefaults[] = [];
  // Most pipelines have no defaults, so the id is split only when some exist.
  if (Object.keys(defaults).length > 0) {
    for (const segment of id.split(/[:/]/)) {
      if (segment !== id && defaults[segment]) layers.push(defaults[segment]);
    }
    if (defaults[id]) layers.push(defaults[id]);
  }
  const merged: Record<string, unknown> = {};
  for (const layer of layers) Object.assign(merged, layer);
  for (const [key, value] of Object.entries(config)) {
    if (value !== undefined) merged[key] = value;
  }
  return merged as TaskConfig;
}

function normalizeSteps(
  issues: IssueCollector,
  path: string,
  config: TaskConfig,
): { steps: NormalizedStep[]; directives: DirectiveInfo[] } {
  const steps: NormalizedStep[] = [];
  const directives: DirectiveInfo[] = [];
  const items: Array<{ item: unknown; at: string }> = [];
  if (config.run !== undefined) {
    if (Array.isArray(config.run)) {
      config.run.forEach((item, index) => items.push({ item, at: `${path}.run[${index}]` }));
    } else items.push({ item: config.run, at: `${path}.run` });
  }
  if (config.steps !== undefined && config.run !== undefined) {
    issues.add({
      code: ErrorCode.TASK_ARGUMENT_CONFLICT,
      path: `${path}.steps`,
      message: "the task sets both run and steps, so the step order would be ambiguous.",
      hint: "Keep one: put every step in run (an array) or in steps.",
    });
  }
  if (config.steps !== undefined) {
    if (!Array.isArray(config.steps)) issues.invalid(`${path}.steps`, "steps must be an array.");
    else config.steps.forEach((item, index) => items.push({ item, at: `${path}.steps[${index}]` }));
  }
  for (const { item, at } of items) {
    if (isShellCommand(item)) steps.push({ kind: "shell", command: item });
    else if (isDeferredShell(item)) steps.push({ kind: "deferred-shell", callback: item.callback });
    else if (typeof item === "function") {
      steps.push({
        kind: "function",
        fn: item as FunctionStep,
        name: item.name || "anonymous",
        code: Function.prototype.toString.call(item),
      });
    } else if (isRecord(item) && item.kind === "directive" && item.type === "dependsOn") {
      directives.push({ type: "dependsOn", ids: item.ids as string[] });
    } else if (isRecord(item) && item.kind === "directive" && item.type === "cache") {
      directives.push({ type: "cache", ref: item.ref as string });
    } else {
      issues.invalid(
        at,
        "expected sh`...`, sh((ctx) => ...), an async function, dependsOn(...) or cache.use(...).",
      );
    }
  }
  return { steps, directives };
}

function normalizeRetry(issues: IssueCollector, path: string, value: unknown) {
  if (value === undefined) return { attempts: 1, delayMs: 0 };
  const attempts = isRecord(value) ? value.attempts : value;
  if (isRecord(value)) issues.unknownFields(value, ["attempts", "delayMs"], path);
  if (typeof attempts !== "number" || !Number.isInteger(attempts) || attempts < 1) {
    issues.invalid(
      path,
      `retry attempts must be an integer of at least 1, got ${JSON.stringify(attempts)}.`,
      "retry: 2 means at most two attempts.",
    );
    return { attempts: 1, delayMs: 0 };
  }
  let delayMs = 0;
  if (isRecord(value) && value.delayMs !== undefined) {
    delayMs = value.delayMs === 0
      ? 0
      : captureDuration(issues, `${path}.delayMs`, value.delayMs) ?? 0;
  }
  return { attempts, delayMs };
}

function captureDuration(
  issues: IssueCollector,
  path: string,
  value: unknown,
  parse: (value: unknown, path: string) => number = parseDuration,
): number | undefined {
  try {
    return parse(value, path);
  } catch (error) {
    if (!isPipelineError(error)) throw error;
    issues.add({
      code: error.code,
      path,
      message: `invalid duration ${
        typeof value === "number" ? String(value) : JSON.stringify(value)
      }.`,
      hint: error.hint,
    });
    return undefined;
  }
}

function normalizeCache(
  issues: IssueCollector,
  path: string,
  value: unknown,
  directives: DirectiveInfo[],
  context: TaskNormalizeContext,
): NormalizedTaskCache {
  const cacheDirectives = directives.filter((d) => d.type === "cache");
  const directive = cacheDirectives[0];
  let ref: string | undefined;
  let ttlMs: number | undefined;
  if (cacheDirectives.length > 1) {
    issues.invalid(
      path,
      `the steps contain ${cacheDirectives.length} cache.use(...) directives.`,
      "Keep one.",
    );
  }
  if (directive !== undefined && value !== undefined) {
    issues.invalid(
      path,
      "the task sets cache and also contains a cache.use(...) directive.",
      "Keep one of them.",
    );
  }
  if (value === false) return { enabled: false };
  if (value === undefined && directive === undefined && context.defaultCacheRef === undefined) {
    return { enabled: false };
  }
  if (typeof value === "string") ref = value;
  else if (isRecord(value)) {
    issues.unknownFields(value, ["store", "ttlMs"], path);
    if (value.store !== undefined && typeof value.store !== "string") {
      issues.invalid(`${path}.store`, 'store must be a cache ref such as "file:local".');
    } else ref = value.store as string | undefined;
    if (value.ttlMs !== undefined) {
      ttlMs = captureDuration(issues, `${path}.ttlMs`, value.ttlMs, parseTtl);
    }
  } else if (value !== undefined && value !== true) {
    issues.invalid(
      path,
      'cache must be true, false, a ref such as "file:local", or { store, ttlMs }.',
    );
    return { enabled: false };
  }
  if (directive && directive.type === "cache") ref ??= directive.ref;
  ref ??= context.defaultCacheRef ?? "file:local";
  try {
    const { store, namespace } = resolveCacheRef(ref, context.stores, path);
    const storeType = context.stores[store].type;
    ttlMs ??= context.stores[store].ttlMs;
    return {
      enabled: true,
      ref,
      store,
      namespace,
      storeType,
      ...(ttlMs !== undefined ? { ttlMs } : {}),
    };
  } catch (error) {
    if (!isPipelineError(error)) throw error;
    issues.add({
      code: error.code,
      path,
      message: error.message.replace(`${path}: `, ""),
      hint: error.hint,
    });
    return { enabled: false };
  }
}

/** Names the type of a value for a message: "a string", "a number", "an object", "null". */
function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array with a value that is not a string";
  const type = typeof value;
  return type === "object" || type === "undefined" ? `an ${type}` : `a ${type}`;
}

function stringList(issues: IssueCollector, path: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!isStringArray(value)) {
    const fix = typeof value === "string"
      ? `Wrap the value in an array: [${JSON.stringify(value)}].`
      : 'Write a list such as ["a", "b"].';
    issues.invalid(path, `expected an array of strings, got ${describeValue(value)}.`, fix);
    return [];
  }
  return [...value];
}

/** Normalizes one task whose defaults are already applied. */
export function normalizeTask(
  id: string,
  config: TaskConfig,
  issues: IssueCollector,
  context: TaskNormalizeContext,
  path = fieldPath("tasks", id),
): NormalizedTask {
  issues.unknownFields(config, TASK_FIELDS, path);
  if (config.description !== undefined && typeof config.description !== "string") {
    issues.invalid(`${path}.description`, "description must be a string.");
  }
  const { steps, directives } = normalizeSteps(issues, path, config);
  if (steps.length === 0) {
    issues.invalid(
      path,
      "the task has no steps.",
      "Add run: sh`...`, an async run(ctx) function, or steps: [...].",
    );
  }
  const directiveDeps = directives.flatMap((d) => (d.type === "dependsOn" ? d.ids : []));
  const dependsOn = [
    ...new Set([...stringList(issues, `${path}.dependsOn`, config.dependsOn), ...directiveDeps]),
  ];

  const rawInputs = stringList(issues, `${path}.inputs`, config.inputs);
  const outputs = stringList(issues, `${path}.outputs`, config.outputs);
  const inputs = expandInputs(issues, `${path}.inputs`, rawInputs, context.namedInputs);
  checkPatterns(issues, context.warnings, `${path}.inputs`, inputs, "input");
  checkPatterns(issues, context.warnings, `${path}.outputs`, outputs, "output");

  const cache = normalizeCache(issues, `${path}.cache`, config.cache, directives, context);
  const defaultInputs = cache.enabled && config.inputs === undefined;

  const requires = config.requires ?? {};
  if (!isRecord(requires)) issues.invalid(`${path}.requires`, "requires must be an object.");
  else issues.unknownFields(requires, ["tools", "secrets", "runtimes"], `${path}.requires`);

  const timeoutMs = config.timeout === undefined
    ? undefined
    : captureDuration(issues, `${path}.timeout`, config.timeout);

  return deepFreeze({
    id,
    ...(typeof config.description === "string" ? { description: config.description } : {}),
    dependsOn,
    inputs: defaultInputs ? ["**"] : inputs,
    defaultInputs,
    outputs,
    cache,
    retry: normalizeRetry(issues, `${path}.retry`, config.retry),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    requires: {
      tools: stringList(
        issues,
        `${path}.requires.tools`,
        (requires as TaskConfig["requires"])?.tools,
      ),
      secrets: envNames(
        issues,
        `${path}.requires.secrets`,
        stringList(
          issues,
          `${path}.requires.secrets`,
          (requires as TaskConfig["requires"])?.secrets,
        ),
      ),
      runtimes: stringList(
        issues,
        `${path}.requires.runtimes`,
        (requires as TaskConfig["requires"])?.runtimes,
      ),
    },
    steps,
    directives,
  });
}
