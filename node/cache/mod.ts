/**
 * The content-addressed task cache: keys from inputs, env, definition and
 * dependency fingerprints; file and memory stores; exact output restore;
 * and maintenance.
 *
 * @module
 */

export { createTaskCache, uncachedFingerprint } from "./task_cache.ts";
export type { TaskCacheOptions } from "./task_cache.ts";
export {
  clearCache,
  DEFAULT_CACHE_DAYS,
  DEFAULT_KEEP_RUNS,
  fileStoreRoots,
  gc,
} from "./maintenance.ts";
export type { ClearResult, GcOptions, GcResult } from "./maintenance.ts";
export type { KeyManifest, ManifestChanges } from "./manifest.ts";
export type { EntryResult, OutputRecord, OutputsManifest } from "./entry.ts";
