/**
 * Finding a task's entry by key and turning it into a cache lookup result:
 * a hit with its outputs restored, or a miss with its reason.
 *
 * @module
 */

import type { NormalizedTaskCache } from "../../core/model.ts";
import type { CacheLookupInput, CacheLookupResult } from "../cache_seam.ts";
import type { CacheMissReason } from "../types.ts";
import type { CacheBackend, RestoreChange } from "./backend.ts";
import type { KeyManifest } from "./manifest.ts";
import { lookupFailure, missReason, restoreFailure } from "./reasons.ts";
import { printableErrorMessage } from "../printable.ts";

/** The cache settings of a task whose cache is on. */
export type EnabledCache = Extract<NormalizedTaskCache, { enabled: true }>;

/**
 * Returns the message of `error`, or its text when it is not an `Error`.
 * The file paths of a system error are quoted when they contain control
 * characters.
 */
export function describe(error: unknown): string {
  return printableErrorMessage(error);
}

/** Settings of {@link findEntry}: the store, the task and the mode. */
export interface FindOptions {
  readonly backend: CacheBackend;
  readonly cache: EnabledCache;
  readonly input: CacheLookupInput;
  /** The cache's clock, for the entry's age. */
  readonly now: () => number;
  /** True to check the outputs against the entry without restoring or touching anything. */
  readonly readOnly: boolean;
}

/**
 * Looks up `key` in the backend. A found entry that is not expired is a hit:
 * its outputs are restored (or, read-only, compared) and its last use is
 * recorded. Anything else is a miss, explained from `manifest()` when the
 * key has no entry.
 */
export async function findEntry(
  options: FindOptions,
  key: string,
  manifest: () => KeyManifest | undefined,
): Promise<{ answer: CacheLookupResult; restoreChanges: RestoreChange[] }> {
  const { backend, cache, input } = options;
  const location = { task: input.task, cwd: input.cwd };
  const miss = (reason: CacheMissReason, warning?: string) => ({
    answer: {
      status: "miss" as const,
      key,
      fingerprint: key,
      reason,
      ...(warning ? { warning } : {}),
    },
    restoreChanges: [],
  });

  let found;
  try {
    found = await backend.find(key, location);
  } catch (error) {
    return miss(...lookupFailure(input.task.id, key, describe(error)));
  }
  if (found.status === "damaged") {
    return miss(...lookupFailure(input.task.id, key, found.message));
  }
  if (found.status === "missing") {
    const current = manifest();
    if (current === undefined) return miss({ kind: "no-entry" });
    const functionSteps = input.task.steps.some((step) => step.kind === "function");
    return miss(await missReason(backend, current, functionSteps));
  }

  const createdAt = Date.parse(found.result.createdAt);
  const ageMs = options.now() - createdAt;
  if (cache.ttlMs !== undefined && ageMs >= cache.ttlMs) {
    return miss({
      kind: "expired",
      createdAt: found.result.createdAt,
      ageMs,
      ttlMs: cache.ttlMs,
    });
  }
  let restoreChanges: RestoreChange[] = [];
  try {
    if (options.readOnly) restoreChanges = await found.verify();
    else await found.restore();
  } catch (error) {
    return miss(...restoreFailure(input.task.id, key, error));
  }
  if (!options.readOnly) {
    await backend.touch(key, input.task.id).catch(() => undefined);
  }
  return {
    answer: {
      status: "hit",
      key,
      fingerprint: key,
      stdout: found.result.stdout,
      stderr: found.result.stderr,
      meta: found.result.meta,
    },
    restoreChanges,
  };
}
