/** The interface every built-in store implements, and the entry they store. @module */

import type { NormalizedTask } from "../../core/model.ts";
import type { EntryResult, OutputRecord } from "./entry.ts";
import type { StoredManifest } from "./stored_manifest.ts";
import type { OutputsBefore } from "./outputs_before.ts";

/** The most recent entry of a task, with its manifest read in place. */
export type LatestEntry = Omit<EntryResult, "manifest"> & { readonly manifest: StoredManifest };
import type { KeyManifest } from "./manifest.ts";
import type { StepRuntime } from "./step_runtime.ts";
import { printablePath } from "../printable.ts";

/** A finished task result, ready to be stored under its key. */
export interface NewEntry {
  readonly key: string;
  readonly taskId: string;
  readonly createdAt: string;
  readonly durationMs: number;
  readonly manifest: KeyManifest;
  readonly stdout: string;
  readonly stderr: string;
  readonly meta: Record<string, unknown>;
  /** The runtime that rendered the function steps' text. */
  readonly runtime?: StepRuntime;
}

/** The task and its working directory. */
export interface TaskLocation {
  readonly task: NormalizedTask;
  /** Task working directory; output patterns are relative to it. */
  readonly cwd: string;
  /** When saving: the output files and links as they were before the task's command started. */
  readonly before?: OutputsBefore;
}

/**
 * The change a restore makes to one path, relative to the task directory.
 * It writes a file whose input digest text will be `digest`, or removes
 * it. A symbolic link, or a directory that a file replaces, is `unknown`
 * because a dry run does not work out its effect on inputs.
 */
export type RestoreChange =
  | { readonly kind: "write"; readonly path: string; readonly digest: string }
  | { readonly kind: "remove"; readonly path: string }
  | { readonly kind: "unknown"; readonly path: string };

/** Outcome of reading an entry. */
export type FoundEntry =
  | { readonly status: "missing" }
  | { readonly status: "damaged"; readonly message: string }
  | {
    readonly status: "found";
    /** The entry's result and logs; a hit never needs its key manifest. */
    readonly result: Omit<EntryResult, "manifest">;
    /**
     * Verifies the stored outputs and puts them in place (or, for a store
     * that keeps no copies, checks that they are still in place). Throws
     * `DamagedEntryError` or `RestoreConflictError`, or `OutputsChangedError`
     * before anything on disk has changed.
     */
    readonly restore: () => Promise<void>;
    /**
     * Makes the checks of `restore` without changing anything, for a dry
     * run. Resolves with the files that `restore` would change.
     */
    readonly verify: () => Promise<RestoreChange[]>;
  };

/** A built-in cache store. */
export interface CacheBackend {
  /** Directory of the store's entries, named in messages. A store without files has none. */
  readonly directory?: string;
  /** Reads and checks the entry stored under `key`. */
  find(key: string, location: TaskLocation): Promise<FoundEntry>;
  /** Returns the entry most recently stored for `taskId`, if it is still readable. */
  latest(taskId: string): Promise<LatestEntry | undefined>;
  /**
   * Stores an entry with the task's current outputs, replacing any entry
   * under the same key, and resolves with the output records it stored.
   */
  save(entry: NewEntry, location: TaskLocation): Promise<readonly OutputRecord[]>;
  /**
   * Records that the entry under `key` was used now, and makes it the most
   * recent entry of `taskId`, which later miss explanations compare with.
   */
  touch(key: string, taskId: string): Promise<void>;
}

/** Recorded outputs are no longer on disk as they were (process-local store only). */
export class OutputsChangedError extends Error {
  constructor(path: string) {
    super(`the output ${printablePath(path)} is missing or changed since the entry was recorded`);
    this.name = "OutputsChangedError";
  }
}
