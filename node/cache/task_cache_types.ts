/** The options and read-only predictions of the task cache. @module */

import type { Pipeline } from "../../core/model.ts";
import type { CacheLookupInput, CacheLookupResult, TaskCacheHooks } from "../cache_seam.ts";
import type { RestoreChange } from "./backend.ts";

/** Options of `createTaskCache`. */
export interface TaskCacheOptions {
  /** The normalized pipeline; its `cache.stores` resolve each task's store. */
  readonly pipeline: Pipeline;
  /** Project directory: relative store roots and `.async/` live here. */
  readonly rootDir: string;
  /** Id of the run, so uncached tasks get a fingerprint unique to it. */
  readonly runId: string;
  /** Ignore every entry and refresh it, as `--force` does. */
  readonly force?: boolean;
  /**
   * Clock in milliseconds since the epoch (default `Date.now`). `ttlMs`, last
   * use and the racy window of the file-state index read it.
   */
  readonly now?: () => number;
  /**
   * Change nothing on disk, for a dry run: a hit is checked but not
   * restored, no entry is stored or marked used, the file-state index is
   * not saved, and a missing secret-digest key is not created.
   */
  readonly readOnly?: boolean;
  /**
   * Receives each warning that concerns the run rather than one task, such
   * as a replaced secret-digest key. Without it, such a warning goes with
   * the lookup result of the first task it affects.
   */
  readonly onWarning?: (message: string) => void;
  /**
   * Key for the digests of secret values, used instead of
   * `.async/cache/secret.key`, which is then neither read nor created.
   */
  readonly secretKey?: Uint8Array;
}

/** The result a lookup would return, with the facts a dry run needs to judge later tasks. */
export interface CachePrediction {
  readonly answer: CacheLookupResult;
  /** The files that restoring a hit would change. */
  readonly restoreChanges: readonly RestoreChange[];
  /** Input paths of the key manifest, relative to the task directory. */
  readonly inputPaths: readonly string[];
  /**
   * True when the key depends on the project's secret-digest key, which does
   * not exist yet: the real run creates one, so its key will differ.
   */
  readonly provisionalKey: boolean;
}

/** A task cache that also makes read-only predictions. */
export interface PredictingTaskCache extends TaskCacheHooks {
  /**
   * Looks a task up like `lookup`, but changes nothing on disk when the
   * cache is `readOnly`. `restored` are the changes that restores of
   * earlier tasks would make first. Those that touch the task's inputs are
   * applied to its input digests.
   */
  predict(input: CacheLookupInput, restored?: readonly RestoreChange[]): Promise<CachePrediction>;
}
