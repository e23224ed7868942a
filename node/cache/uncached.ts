/**
 * The `disabled` lookup results of a task that runs uncached: its cache is
 * off, its store is not built in, its inputs cannot be read, an input path
 * contains a secret, or its outputs would be written through a symbolic link. Such a task gets a fingerprint unique to the run, so the
 * tasks that depend on it run again too.
 *
 * @module
 */

import type { NormalizedTask } from "../../core/model.ts";
import type { CacheLookupResult } from "../cache_seam.ts";
import type { CacheMissReason } from "../types.ts";
import { sha256 } from "./digest.ts";
import { describe, type EnabledCache } from "./find_entry.ts";
import { SecretKeyUnreadableError } from "./paths.ts";
import { secretInputName } from "./secret_text.ts";
import { type OutputLink, outputLinkText } from "./output_links.ts";

/** Returns the fingerprint of a task that is not cached: unique per run, so its dependents rerun. */
export function uncachedFingerprint(runId: string, taskId: string): string {
  return sha256(`uncached\0${runId}\0${taskId}`);
}

/** Returns the lookup result of `task` in run `runId` when it runs uncached for `reason`. */
export function disabled(
  runId: string,
  task: NormalizedTask,
  reason: CacheMissReason,
  warning?: string,
) {
  return {
    status: "disabled" as const,
    fingerprint: uncachedFingerprint(runId, task.id),
    reason,
    ...(warning ? { warning } : {}),
  };
}

/**
 * Returns the lookup result of a task whose store is declared but not built
 * in. Only the first task of each store gets the warning: `warnedStores`
 * records the stores already warned about.
 */
export function unsupportedStore(
  runId: string,
  task: NormalizedTask,
  cache: EnabledCache,
  warnedStores: Set<string>,
): CacheLookupResult {
  const first = !warnedStores.has(cache.store);
  warnedStores.add(cache.store);
  const warning = first
    ? `cache store "${cache.store}" (${cache.storeType}) is declared but not built in, so tasks using it run uncached.`
    : undefined;
  return disabled(runId, task, { kind: "uncacheable", store: cache.store }, warning);
}

/**
 * Returns the lookup result of a task whose inputs, or the secret-digest key,
 * could not be read. An unreadable key fails every task of the run the same
 * way, so only the first of them gets the warning: `warned` records the files
 * already warned about.
 */
export function unreadableInputs(
  runId: string,
  task: NormalizedTask,
  error: unknown,
  warned: Set<string>,
): CacheLookupResult {
  if (error instanceof SecretKeyUnreadableError) {
    const reason = {
      kind: "uncacheable" as const,
      file: error.file,
      reason: describe(error.cause),
    };
    const first = !warned.has(error.file);
    warned.add(error.file);
    const warning = first
      ? `task "${task.id}" runs uncached, and so does every other cached task of this run: ${error.message}`
      : undefined;
    return disabled(runId, task, reason, warning);
  }
  const message = `task "${task.id}" runs uncached: its inputs could not be read (${
    describe(error)
  }).`;
  return disabled(runId, task, { kind: "uncacheable", reason: describe(error) }, message);
}

/**
 * Returns the lookup result of a task whose input path `withheld` contains
 * one of `secretValues`. An entry would store the path, so the task runs uncached.
 */
export function secretInName(
  runId: string,
  task: NormalizedTask,
  withheld: string,
  secretValues: readonly string[],
): CacheLookupResult {
  const { masked, text } = secretInputName(withheld, secretValues);
  const reason = { kind: "uncacheable", secretInName: masked } as const;
  return disabled(runId, task, reason, `task "${task.id}" runs uncached: ${text}`);
}

/**
 * Returns the lookup result of a task whose input patterns `patterns` each
 * match only files that are also its own outputs. Those files never enter
 * its key, and a hit would write the stored outputs over the user's later
 * edits to them. So the task runs uncached on every run, and its warning
 * names the patterns, the outputs and the fix.
 */
export function inputsAreOutputs(
  runId: string,
  task: NormalizedTask,
  patterns: readonly string[],
): CacheLookupResult {
  const outputs = task.outputs.filter((pattern) => !pattern.startsWith("!")).join(", ");
  const subject = patterns.length === 1
    ? `its input pattern (${patterns[0]}) matches`
    : `its input patterns (${patterns.join(", ")}) each match`;
  const warning =
    `task "${task.id}" runs uncached: ${subject} only files that are also its own outputs (${outputs}), so edits to those files cannot change its cache key and a cache hit would write stored files over them. Declare the outputs apart from the inputs, or set cache: false.`;
  const reason: CacheMissReason = {
    kind: "uncacheable",
    inputsAreOutputs: true,
    inputPatterns: [...patterns],
  };
  return disabled(runId, task, reason, warning);
}

/**
 * Returns the lookup result of a task whose outputs would be written through
 * the symbolic link `link`, which the cache cannot store or restore.
 */
export function linkedOutputs(
  runId: string,
  task: NormalizedTask,
  link: OutputLink,
): CacheLookupResult {
  const reason = { kind: "uncacheable", outputLink: link.path } as const;
  return disabled(runId, task, reason, `task "${task.id}" runs uncached: ${outputLinkText(link)}`);
}
