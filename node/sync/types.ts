/**
 * The contract every generated-file family implements (GitHub workflow, task
 * scripts), so `sync list|generate|check` can treat them alike.
 *
 * @module
 */

import type { LoadedPipeline } from "../load.ts";

/** The state of one generated file. */
export interface SyncFileStatus {
  /** Path relative to the project root. */
  path: string;
  /** `current`, `missing`, `stale` (content differs) or `unmanaged` (not written by sync). */
  state: "current" | "missing" | "stale";
  /** Short human-readable difference for stale files. */
  diff?: string;
  /** Cause of the difference of a stale file, when the provider can tell, such as a hand edit. */
  reason?: string;
}

/** One family of generated files. */
export interface SyncProvider {
  /** `github` or `tasks`. */
  name: string;
  /** True when the pipeline's `sync` enables this family. */
  enabled(loaded: LoadedPipeline): boolean;
  /** Reports each file's state without writing. */
  check(
    loaded: LoadedPipeline,
    options?: Record<string, string | undefined>,
  ): Promise<SyncFileStatus[]>;
  /** Writes every file; returns the paths that changed. Writes nothing when it throws. */
  generate(loaded: LoadedPipeline, options?: Record<string, string | undefined>): Promise<string[]>;
}
