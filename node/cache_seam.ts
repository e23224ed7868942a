/**
 * The seam between the runner and the task cache. The runner queries the cache
 * before each task and reports each passing task to it, and everything about
 * keys, stores and outputs stays behind this interface.
 *
 * @module
 */

import { createHash } from "node:crypto";
import type { NormalizedTask } from "../core/model.ts";
import type { CacheMissReason, ProcessEnv } from "./types.ts";

/**
 * Returns the short digest that stands for a secret in a step's key text. It
 * only marks where a secret is: the cache digests a step text that contains
 * one with a keyed digest, so a stored manifest cannot be checked against
 * guessed secrets.
 */
export function secretKeyTextDigest(value: string): string {
  return createHash("sha256").update(value).digest("hex").slice(0, 16);
}

/**
 * The part of a source task's key that comes from its source: its commit or
 * content, and what its prepare steps may have put into it.
 */
export interface SourceKeyInput {
  /** The source's id. */
  readonly id: string;
  readonly type: "git" | "path";
  /** The commit of a git source's checkout. */
  readonly commit?: string;
  /** A path source's content digest, taken before its prepare steps run. */
  readonly content?: string;
  /**
   * The key text of each prepare step: its rendered command with secrets
   * replaced by digests, or `deferred` for a step rendered when it runs.
   */
  readonly prepare: readonly string[];
  /** The candidate's fingerprint, when the source has prepare steps. */
  readonly candidate?: string;
}

/** Inputs the cache needs to compute a task's key. */
export interface CacheLookupInput {
  task: NormalizedTask;
  /** Task working directory (inputs and outputs are relative to it). */
  cwd: string;
  /** The task's complete resolved environment. */
  env: ProcessEnv;
  /** Names of env keys the job declares (pipeline and job env); only these enter the key. */
  envKeys: readonly string[];
  /** Values that came from secrets; they may enter the key only as digests. */
  secretValues: readonly string[];
  /** Fingerprints of the task's direct dependencies, by task id. */
  dependencyFingerprints: Readonly<Record<string, string>>;
  /** Rendered command text of each step (secrets already replaced by digests), or the function source. */
  stepTexts: readonly string[];
  /** The source part of the key, for a task of a composed source only. */
  source?: SourceKeyInput;
  /**
   * Name of the executor that runs the steps, such as `recording` or
   * `docker`. Absent, or `host`, for steps that run on the host.
   */
  executor?: string;
  /** Ignore entries and rerun (`--force`). */
  force: boolean;
}

/** Result of a lookup. */
export type CacheLookupResult =
  | {
    status: "disabled";
    /** Fingerprint dependents use; unique per run for uncached tasks. */
    fingerprint: string;
    reason?: CacheMissReason;
    warning?: string;
  }
  | {
    status: "hit";
    key: string;
    fingerprint: string;
    /** Stored logs to replay. */
    stdout: string;
    stderr: string;
    meta: Record<string, unknown>;
    warning?: string;
  }
  | {
    status: "miss";
    key: string;
    fingerprint: string;
    /** Reason the entry was not used. */
    reason: CacheMissReason;
    warning?: string;
  };

/** Data the cache stores after a task passed. */
export interface CacheSaveInput {
  task: NormalizedTask;
  cwd: string;
  key: string;
  /** The lookup input, so the cache can re-check inputs after the run. */
  lookup: CacheLookupInput;
  stdout: string;
  stderr: string;
  meta: Record<string, unknown>;
  durationMs: number;
}

/** The task cache interface the runner calls. */
export interface TaskCacheHooks {
  lookup(input: CacheLookupInput): Promise<CacheLookupResult>;
  /** Stores the result; `stored: false` with a warning when inputs changed during the run. */
  save(input: CacheSaveInput): Promise<{ stored: boolean; warning?: string }>;
  /** Flushes indexes; called once when the run ends. */
  close(): Promise<void>;
}
