/**
 * Shared vocabulary of the node layer: run options, executors and the
 * execution record. The runner, caches, sandboxes, sources and presenters
 * all speak these types.
 *
 * @module
 */

import type { CommandPolicy } from "../core/commands.ts";
import type { CommandResult } from "../core/context.ts";
import type { NormalizedTask } from "../core/model.ts";
import type { SandboxDefinition, SandboxId } from "../core/sandbox.ts";

export type { CommandResult };

/** Process environment as passed to runs and executors. */
export type ProcessEnv = Record<string, string | undefined>;

/** Options for one shell step run by a {@link CommandExecutor}. */
export interface ShellRunOptions {
  /** Working directory of the step. */
  cwd: string;
  /** Complete environment of the step (not merged with the executor's own). */
  env: ProcessEnv;
  /** The task the step belongs to. */
  task: NormalizedTask;
  /**
   * Names of the variables the pipeline declares for the step: the pipeline
   * and job `env` keys, the variables their `env.secret(...)` and
   * `env.var(...)` values read, the task's `requires.secrets` and the
   * `ASYNC_PIPELINE_SECRET_<n>` variables of interpolated secrets. A sandbox
   * forwards only these, its `passEnv` and a few neutral variables. The host
   * executor runs the step with all of `env`.
   */
  declaredEnv?: readonly string[];
  /** Stop the command after this many milliseconds; the result then has code 124 and `timedOut`. */
  timeoutMs?: number;
  /** Aborted on interrupt; the executor stops the command and everything it started. */
  signal?: AbortSignal;
  /** Receives stdout as it arrives. */
  onStdout?: (chunk: string) => void;
  /** Receives stderr as it arrives. */
  onStderr?: (chunk: string) => void;
}

/** Runs shell steps: on the host, in a sandbox, or scripted in tests. */
export interface CommandExecutor {
  /** Short name shown in records, such as `host`, `docker` or `lima`. */
  name: string;
  runShell(command: string, options: ShellRunOptions): Promise<CommandResult>;
  /** Checks `requires.tools`: resolves true when `tool` is available where steps run. */
  checkTool?(tool: string): Promise<boolean>;
}

/**
 * Runs argv for `ctx.command(...)`. The default spawns the command directly;
 * the command policy supplies one that allows, denies, mocks and records.
 */
export type GovernedCommandRunner = (
  args: readonly string[],
  options: { cwd: string; env: ProcessEnv; secretValues: readonly string[]; signal?: AbortSignal },
) => Promise<CommandResult>;

/** Pipeline commands policy, as accepted by run options. */
export type PipelineCommands = CommandPolicy;

/** Options of `runJob`. */
export interface RunOptions {
  /** Job id to run. */
  id: string;
  /** `ci` when `CI` is set in `env`, else `manual`, unless given. */
  mode?: "manual" | "ci";
  /** Maximum tasks running at once (default: the machine's available parallelism). */
  concurrency?: number;
  /** Ignore cached results and refresh them. */
  force?: boolean;
  /**
   * Stream task output as it arrives: to the presenter in the CLI, or from
   * `runJob` to the process's stdout and stderr with a `[task]` prefix.
   */
  echo?: boolean;
  /** Project directory (default `process.cwd()`). */
  cwd?: string;
  /** Environment for env resolution and tasks (default `process.env`). */
  env?: ProcessEnv;
  /** Command policy overriding the pipeline's `commands`. */
  commands?: PipelineCommands;
  /** Replaces the host executor. */
  executor?: CommandExecutor;
  /** Sandbox id from the pipeline's `sandboxes`, or an inline definition. */
  sandbox?: SandboxId | SandboxDefinition;
  /**
   * Wait for another run of the project to release the run lock instead of
   * failing with `ASYNC_PIPELINE_RUN_ACTIVE` (default false).
   */
  waitForLock?: boolean;
}

/** Differences between a task's most recent cache entry and its current key manifest. */
export interface CacheChanges {
  /** Input paths, relative to the task directory, that were added, removed or edited. */
  inputs: { added: string[]; removed: string[]; changed: string[] };
  /** Names of declared env keys whose value changed. Values are never recorded. */
  env: string[];
  /** Ids of direct dependencies whose cache fingerprint changed. */
  dependencies: string[];
  /** True when the rendered step texts changed. */
  command: boolean;
  /**
   * True when the rest of the definition changed: input or output patterns,
   * the task directory, the platform, or the key recipe's version.
   */
  definition: boolean;
  /** Changes in the task's source. Present only for a source task whose source part changed. */
  source?: SourceChanges;
  /**
   * The executors that ran the task for the entry and now, such as
   * `recording` and `host`. Present only when they differ: the entry was
   * made by a recording or sandbox run, or the other way round.
   */
  executor?: { before: string; after: string };
  /**
   * The runtimes that stored the entry and that look it up now, such as
   * `Node 20.19.5 with jiti` and `Node 24.3.0`. Present only when the
   * command changed, the task has function steps, and the two runtimes may
   * render a function's source text differently (another runtime, or `jiti`
   * on one side only). The command may then differ with no edit to the
   * pipeline.
   */
  runtime?: { before: string; after: string };
  /**
   * Set when this run replaced the secret-digest key `.async/cache/secret.key`
   * because it was `missing` or `invalid`. The parts of the key that digest a
   * secret then differ from the entry's whether or not the secret changed, and
   * `env` leaves out the names whose value contains a secret.
   */
  secretKeyReplaced?: "missing" | "invalid";
}

/**
 * Differences in the part of a source task's key that comes from its source
 * (see {@link CacheChanges.source}).
 */
export interface SourceChanges {
  /** The source's id. */
  id: string;
  /** A git source's checkout commit in the entry and now, when it differs. */
  commit?: { before: string; after: string };
  /** True when a path source's content digest differs. */
  content: boolean;
  /** True when the rendered text of the source's prepare steps differs. */
  prepare: boolean;
  /**
   * True when the candidate's fingerprint differs. Only a source with prepare
   * steps has the candidate in its tasks' keys.
   */
  candidate: boolean;
}

/**
 * Reason a cacheable task ran instead of being restored from the cache, as
 * recorded in {@link TaskResult.cacheMiss}.
 */
export type CacheMissReason =
  /**
   * The task has no entry in its store and namespace. `memory` is true for a
   * memory store, which starts empty in each process.
   */
  | { kind: "no-entry"; memory?: true }
  /** `--force` or `force: true` ignored the entry. */
  | { kind: "forced" }
  /** The entry is older than the task's `ttlMs`. */
  | { kind: "expired"; createdAt: string; ageMs: number; ttlMs: number }
  /**
   * Caching is off for the task, its store is not built in (`store`), its
   * inputs could not be read (`reason`), or the name of an input contains a
   * secret value (`secretInName`, that input's path with the secret masked).
   * `file` names the cache's own file that could not be read instead of the
   * inputs, such as the secret-digest key. `inputsAreOutputs` marks a task
   * with input patterns that each match only files that are also its own
   * outputs, and `inputPatterns` lists those patterns as written.
   * `outputLink` names a symbolic link that the task's outputs would be
   * written through.
   */
  | {
    kind: "uncacheable";
    store?: string;
    reason?: string;
    secretInName?: string;
    file?: string;
    inputsAreOutputs?: true;
    inputPatterns?: string[];
    outputLink?: string;
  }
  /**
   * The entry is damaged or its outputs could not be restored. `changedOutput`
   * names an output file or link that the restore would have replaced
   * although the cache did not write it as it is now. An example is a
   * hand-written file that an output pattern matches, edited since then.
   */
  | { kind: "restore-failed"; reason: string; changedOutput?: string }
  /** The key differs from the task's most recent entry in these ways. */
  | ({ kind: "changed" } & CacheChanges);

/** Status of a task in a record. */
export type TaskStatus = "pending" | "running" | "passed" | "failed" | "skipped";

/** One attempt of a task. */
export interface AttemptRecord {
  attempt: number;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  exitCode?: number;
  signal?: string;
  timedOut?: boolean;
  error?: string;
}

/** Result of one task in an execution record. */
export interface TaskResult {
  id: string;
  status: TaskStatus;
  /**
   * Attempts made: 0 for skipped tasks, and for cache hits unless an attempt
   * whose deferred `sh` callback threw came before the lookup.
   */
  attempts: number;
  attemptLog: AttemptRecord[];
  cacheKey?: string;
  cacheHit: boolean;
  /** Reason a cacheable task ran instead of being restored. */
  cacheMiss?: CacheMissReason;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  exitCode?: number;
  /**
   * Why the task failed: a stable `code`, the `message` and, when the error
   * suggests a fix (a command policy denial, a sandbox that cannot start), its `hint`.
   */
  error?: { code?: string; message: string; hint?: string };
  meta: Record<string, unknown>;
  /**
   * Log paths relative to the run directory. A stream that printed nothing
   * has no file and no path.
   */
  logs?: { stdout?: string; stderr?: string };
  /** Source id for namespaced source tasks. */
  source?: string;
  warnings?: string[];
}

/** A source as recorded by a run. */
export interface ExecutionSourceRecord {
  type: "path" | "git";
  /** Absolute directory its prepare steps and tasks ran in. */
  dir: string;
  /** The declared ref of a git source, or the current branch of a path source. */
  ref?: string;
  /** Commit the directory was at, when it is a git work tree. */
  commit?: string;
  /** True once its prepare steps passed in this run. */
  prepared: boolean;
  /** True when the work tree differed from `commit`: before prepare, or after it once prepared. */
  dirty?: boolean;
  /**
   * Prepare step output, relative to the run directory, once the prepare
   * steps ran. A stream that printed nothing has no file and no path.
   */
  logs?: { stdout?: string; stderr?: string };
}

/** A governed command recorded by the command policy. */
export interface CommandRecord {
  /** The command's argv, secrets masked as `***`. */
  args: string[];
  /** Policy action taken: `allow` (ran it), `mock` (returned the rule's result) or `deny`. */
  action: string;
  /** Index of the matching rule in `commands.rules`; absent when the fallback applied. */
  rule?: number;
  /** The environment a `requireEnvironment` rule asked for. */
  environment?: string;
  /** Reason the command was denied. */
  reason?: string;
  code?: number;
  /** Output capped at `output.maxBytes` bytes per stream, secrets masked unless disabled. */
  stdout?: string;
  stderr?: string;
  /** True when stdout or stderr was longer than `output.maxBytes`. */
  truncated?: boolean;
}

/** The execution record written to `.async/runs/<run-id>/execution.json`. */
export interface ExecutionRecord {
  schemaVersion: 1;
  id: string;
  pipelineName: string;
  jobId: string;
  cwd: string;
  /** Process id of the run's owner, so `doctor` can tell a crashed run from a live one. */
  pid: number;
  startedAt: string;
  finishedAt?: string;
  status: "running" | "passed" | "failed";
  mode: "manual" | "ci";
  executor?: string;
  tasks: TaskResult[];
  sources?: Record<string, ExecutionSourceRecord>;
  commands?: CommandRecord[];
  /** Reason the run failed when no single task explains it (interrupt, missing secret, ...). */
  error?: { code: string; message: string };
  /**
   * Warnings about the run as a whole, such as a run lock taken over or a
   * replaced secret-digest key. A task's own warnings are in its result.
   */
  warnings?: string[];
}

/** Current execution record schema version. */
export const SCHEMA_VERSION = 1;
