/**
 * Miss explanations: the `reason` objects a lookup returns when a cached task
 * has to run, and the warnings that go with damaged entries.
 *
 * @module
 */

import type { CacheBackend } from "./backend.ts";
import { OutputsChangedError } from "./backend.ts";
import { DamagedEntryError, NEWER_ENTRY } from "./entry.ts";
import type { CacheMissReason } from "../types.ts";
import { diffManifests, type KeyManifest } from "./manifest.ts";
import { MemoryBackend } from "./memory_store.ts";
import { ChangedOutputError, RestoreConflictError } from "./restore.ts";
import { printableErrorMessage } from "../printable.ts";
import { currentStepRuntime, describeStepRuntime, rendersDifferently } from "./step_runtime.ts";

/** A miss reason and an optional warning, as spread into a miss result. */
type ReasonAndWarning = [CacheMissReason, string?];

/**
 * Explains a miss for a key that has no entry: what differs from the task's
 * most recent entry, or `no-entry` when the task has none. The `no-entry` of
 * a memory store is marked, because such a store starts empty in each process.
 * When the command changed, a task with function steps (`functionSteps`)
 * also gets the runtimes, if the entry was stored by one that renders
 * function source differently.
 */
export async function missReason(
  backend: CacheBackend,
  manifest: KeyManifest,
  functionSteps = false,
): Promise<CacheMissReason> {
  const latest = await backend.latest(manifest.taskId);
  if (latest) {
    const changes = diffManifests(latest.manifest, manifest);
    const current = currentStepRuntime();
    const stored = latest.runtime;
    if (
      changes.command && functionSteps && stored !== undefined &&
      rendersDifferently(stored, current)
    ) {
      const runtime = { before: describeStepRuntime(stored), after: describeStepRuntime(current) };
      return { kind: "changed", ...changes, runtime };
    }
    return { kind: "changed", ...changes };
  }
  return backend instanceof MemoryBackend
    ? { kind: "no-entry", memory: true }
    : { kind: "no-entry" };
}

/**
 * Explains an entry that could not be read; the warning is logged and the
 * entry replaced. An entry of a later format is named as such, not as damaged.
 */
export function lookupFailure(taskId: string, key: string, message: string): ReasonAndWarning {
  const entry = `cache entry ${key.slice(0, 12)} of task "${taskId}"`;
  const warning = message.startsWith(NEWER_ENTRY)
    ? `${entry} was ${message}; the task runs and its new entry replaces it.`
    : `${entry} is damaged (${message}); the task runs and the entry is replaced.`;
  return [{ kind: "restore-failed", reason: message }, warning];
}

/** Explains a restore that did not happen; nothing on disk was changed. */
export function restoreFailure(taskId: string, key: string, error: unknown): ReasonAndWarning {
  const message = printableErrorMessage(error);
  if (error instanceof OutputsChangedError) return [{ kind: "restore-failed", reason: message }];
  if (error instanceof DamagedEntryError) return lookupFailure(taskId, key, message);
  if (error instanceof ChangedOutputError) {
    return [
      { kind: "restore-failed", reason: message, changedOutput: error.path },
      `task "${taskId}" runs: ${message}.`,
    ];
  }
  const prefix = error instanceof RestoreConflictError ? "" : "restoring failed: ";
  return [
    { kind: "restore-failed", reason: `${prefix}${message}` },
    `outputs of task "${taskId}" were not restored from cache entry ${
      key.slice(0, 12)
    } (${prefix}${message}); the task runs.`,
  ];
}
