/** Authored shapes: what users write in `pipeline.ts`. @module */

import type { CacheDirective, CacheRegistry } from "./cache.ts";
import type { CommandPolicy } from "./commands.ts";
import type { TaskContext } from "./context.ts";
import type { EnvValue } from "./env.ts";
import type { SandboxDefinition } from "./sandbox.ts";
import type { DeferredShell, ShellCommand } from "./sh.ts";
import type { Source } from "./sources.ts";
import type { Trigger } from "./triggers.ts";

/**
 * A function step. It receives the task context and may be async. Its result
 * is ignored, except that a returned `sh` command fails the step, because
 * nothing would run it.
 */
export type FunctionStep = (ctx: TaskContext) => unknown;

/** Directive adding dependencies, for reusable step stacks. */
export interface DependsOnDirective {
  readonly kind: "directive";
  readonly type: "dependsOn";
  readonly ids: readonly string[];
}

/** Any directive accepted in a step array. */
export type Directive = CacheDirective | DependsOnDirective;

/** One executable step. */
export type Step = ShellCommand | DeferredShell | FunctionStep;

/** Steps accepted by `run` or the second `task` argument. */
export type TaskRun = Step | readonly (Step | Directive)[];

/** Cache settings for a task. */
export interface TaskCacheOptions {
  /** Cache ref such as `"file:local"` (default: the pipeline's default ref). */
  store?: string;
  /** Entries older than this rerun. Milliseconds or a duration string. */
  ttlMs?: number | string;
}

/** Retry settings: total attempts and the delay between them. */
export interface RetryOptions {
  attempts: number;
  delayMs?: number | string;
}

/** Tools, secrets and runtimes a task needs; checked before the job's first command. */
export interface TaskRequires {
  /** Executables that must be on PATH (or inside the sandbox). */
  tools?: string[];
  /** Environment names that must be set in the job's env or the process env. */
  secrets?: string[];
  /** Runtimes such as `"node"` or `"deno"`; checked like tools. */
  runtimes?: string[];
}

/** Fields of a task. */
export interface TaskConfig {
  /** Human description shown by `metadata`. */
  description?: string;
  /** Task ids that must run first; `<source>:<task>` for source tasks. */
  dependsOn?: string[];
  /** Globs or named input groups whose content goes into the cache key. */
  inputs?: string[];
  /** Globs of files the task produces; cached and restored on a hit. */
  outputs?: string[];
  /** `true`, `false`, a ref such as `"file:local"`, or options. */
  cache?: boolean | string | TaskCacheOptions;
  /** Total attempts, or `{ attempts, delayMs }`. `1` or omitted disables retries. */
  retry?: number | RetryOptions;
  /** Milliseconds or a duration string (`500ms`, `30s`, `5m`, `1h`). */
  timeout?: number | string;
  requires?: TaskRequires;
  /** One step or an array of steps and directives. */
  run?: TaskRun;
  /** Several steps and directives, run in order after `run`. */
  steps?: readonly (Step | Directive)[];
}

/** Task defaults: any task field except the steps. */
export type TaskDefaults = Omit<TaskConfig, "run" | "steps" | "description">;

/** A task built by `task(...)`. */
export interface TaskDefinition {
  readonly kind: "task";
  readonly config: Readonly<TaskConfig>;
}

/** GitHub permission levels. */
export type PermissionLevel = "read" | "write" | "none";

/** GitHub-specific job settings. */
export interface JobGithubConfig {
  permissions?: {
    contents?: PermissionLevel;
    idToken?: "write" | "none";
    issues?: PermissionLevel;
    packages?: PermissionLevel;
    pullRequests?: PermissionLevel;
  };
  /** Runner label (default `ubuntu-latest`). */
  runsOn?: string;
  /** Job timeout in minutes. */
  timeoutMinutes?: number;
}

/** Deployment environment metadata. */
export type JobEnvironment = string | { name: string; url?: string };

/** Fields of a job. */
export interface JobConfig {
  description?: string;
  /** Task id or ids the job runs, with their dependencies. */
  target: string | string[];
  /** Trigger ids (keys of the pipeline's `triggers`). */
  trigger?: string[];
  environment?: JobEnvironment;
  requires?: { provenance?: boolean };
  /** Job runtime env; overrides pipeline env by key. */
  env?: Record<string, EnvValue>;
  github?: JobGithubConfig;
  mode?: "manual" | "ci";
}

/** A job built by `job(...)`. */
export interface JobDefinition {
  readonly kind: "job";
  readonly config: Readonly<JobConfig>;
}

/** GitHub workflow sync options. */
export interface GithubSyncConfig {
  workflow?: string;
  lock?: string;
  /** Node major version installed by the workflow (default 24). */
  nodeVersion?: number;
  /** Restore `.async/cache` across CI runs (default true). */
  cache?: boolean;
}

/** A task sync target. */
export type TaskSyncTarget = { package: string } | { path: string };

/** Package-manager script sync options. */
export interface TaskSyncConfig {
  prefix?: string;
  runners?: ("package" | "deno")[];
  targets?: TaskSyncTarget[];
  /** Jobs to sync (default all). */
  jobs?: string[];
  /** Raw tasks to sync as `<prefix>:task:<id>` (default none). */
  tasks?: string[];
  /** Extra entries: name to CLI arguments, such as `{ "sync:check": "sync check" }`. */
  scripts?: Record<string, string>;
}

/** Generated files to keep current. */
export interface SyncConfig {
  github?: boolean | GithubSyncConfig;
  tasks?: boolean | TaskSyncConfig;
}

/** Everything `definePipeline` accepts. */
export interface PipelineConfig {
  name: string;
  env?: Record<string, EnvValue>;
  cache?: string | CacheRegistry;
  namedInputs?: Record<string, string[]>;
  taskDefaults?: Record<string, TaskDefaults>;
  triggers?: Record<string, Trigger>;
  sync?: SyncConfig;
  sources?: Record<string, Source>;
  sandboxes?: Record<string, SandboxDefinition>;
  commands?: CommandPolicy;
  tasks: Record<string, TaskDefinition | TaskConfig>;
  jobs?: Record<string, JobDefinition | JobConfig>;
}
