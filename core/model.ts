/**
 * The normalized pipeline: the frozen, fully resolved description that every
 * runner, generator and metadata reader consumes. Only `normalizePipeline`
 * builds it, so consumers never re-check authored config.
 *
 * @module
 */

import type { CacheStore } from "./cache.ts";
import type { CommandPolicy } from "./commands.ts";
import type { EnvValue } from "./env.ts";
import type { SandboxDefinition } from "./sandbox.ts";
import type { DeferredShell, ShellCommand } from "./sh.ts";
import type { Source } from "./sources.ts";
import type { Trigger } from "./triggers.ts";
import type { FunctionStep, PermissionLevel, TaskSyncTarget } from "./types.ts";

/** A normalized executable step. */
export type NormalizedStep =
  | { readonly kind: "shell"; readonly command: ShellCommand }
  | { readonly kind: "deferred-shell"; readonly callback: DeferredShell["callback"] }
  | {
    readonly kind: "function";
    readonly fn: FunctionStep;
    /** Function name, or `anonymous`. */
    readonly name: string;
    /** Function source text; part of the cache key. */
    readonly code: string;
  };

/** Resolved cache setting of a task. */
export type NormalizedTaskCache =
  | { readonly enabled: false }
  | {
    readonly enabled: true;
    /** The ref as written or defaulted, such as `file:local`. */
    readonly ref: string;
    /** Store key in the registry, such as `file`. */
    readonly store: string;
    /** Namespace after the colon, such as `local`. */
    readonly namespace: string;
    readonly storeType: CacheStore["type"];
    readonly ttlMs?: number;
  };

/** A directive as metadata readers see it. */
export type DirectiveInfo =
  | { readonly type: "dependsOn"; readonly ids: readonly string[] }
  | { readonly type: "cache"; readonly ref: string };

/** A fully resolved task. */
export interface NormalizedTask {
  readonly id: string;
  readonly description?: string;
  readonly dependsOn: readonly string[];
  /** Input globs with named groups expanded. */
  readonly inputs: readonly string[];
  /** True when the author declared no inputs and the task is cached, so every file counts. */
  readonly defaultInputs: boolean;
  readonly outputs: readonly string[];
  readonly cache: NormalizedTaskCache;
  readonly retry: { readonly attempts: number; readonly delayMs: number };
  readonly timeoutMs?: number;
  readonly requires: {
    readonly tools: readonly string[];
    readonly secrets: readonly string[];
    readonly runtimes: readonly string[];
  };
  readonly steps: readonly NormalizedStep[];
  readonly directives: readonly DirectiveInfo[];
  /** Source id for namespaced tasks composed from a source pipeline. */
  readonly source?: string;
}

/** A fully resolved job. */
export interface NormalizedJob {
  readonly id: string;
  readonly description?: string;
  readonly targets: readonly string[];
  readonly triggers: readonly string[];
  readonly environment?: { readonly name: string; readonly url?: string };
  readonly requires: { readonly provenance: boolean };
  /** Pipeline env with the job's env layered over it by key. */
  readonly env: Readonly<Record<string, EnvValue>>;
  readonly github: {
    readonly permissions: Readonly<
      Partial<
        Record<"contents" | "idToken" | "issues" | "packages" | "pullRequests", PermissionLevel>
      >
    >;
    readonly runsOn?: string;
    readonly timeoutMinutes?: number;
  };
  readonly mode?: "manual" | "ci";
}

/** Resolved GitHub workflow sync settings. */
export interface NormalizedGithubSync {
  readonly workflow: string;
  readonly lock: string;
  readonly nodeVersion: number;
  readonly cache: boolean;
}

/** Resolved task sync settings. */
export interface NormalizedTaskSync {
  readonly prefix: string;
  readonly runners: readonly ("package" | "deno")[];
  /** Explicit targets; empty means the root manifests. */
  readonly targets: readonly TaskSyncTarget[];
  readonly jobs: readonly string[];
  readonly tasks: readonly string[];
  readonly scripts: Readonly<Record<string, string>>;
}

/** A warning found while normalizing; printed when the pipeline loads. */
export interface NormalizeWarning {
  readonly path: string;
  readonly message: string;
}

/** The normalized pipeline. */
export interface Pipeline {
  readonly kind: "pipeline";
  readonly name: string;
  readonly env: Readonly<Record<string, EnvValue>>;
  readonly cache: {
    /** Default ref, or undefined when the pipeline sets no cache. */
    readonly default?: string;
    readonly stores: Readonly<Record<string, CacheStore>>;
  };
  readonly namedInputs: Readonly<Record<string, readonly string[]>>;
  readonly triggers: Readonly<Record<string, Trigger>>;
  readonly sync: {
    readonly github?: NormalizedGithubSync;
    readonly tasks?: NormalizedTaskSync;
  };
  readonly sources: Readonly<Record<string, Source>>;
  readonly sandboxes: Readonly<Record<string, SandboxDefinition>>;
  readonly commands?: CommandPolicy;
  readonly tasks: Readonly<Record<string, NormalizedTask>>;
  readonly jobs: Readonly<Record<string, NormalizedJob>>;
  readonly warnings: readonly NormalizeWarning[];
}

/** Returns true for a normalized pipeline. */
export function isPipeline(value: unknown): value is Pipeline {
  return typeof value === "object" && value !== null && (value as Pipeline).kind === "pipeline" &&
    typeof (value as Pipeline).tasks === "object";
}
