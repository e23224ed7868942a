/** Public types of the embeddable runtime: context, middleware, tasks and results. @module */

import type { ErrorCode } from "../core/errors.ts";

/**
 * Context a middleware receives as its first argument. One context exists per task per
 * run, and `parallel` hands its items a copy with the stage's own `signal`.
 */
export interface RuntimeContext {
  /** Id of the task being run. */
  readonly taskId: string;
  /** Id of the current run, unique per `run()` call. */
  readonly runId: string;
  /** The value passed to `runtime.run(input)`, or undefined. */
  readonly input: unknown;
  /**
   * Mutable object shared by every middleware of every task in one run. Each run starts
   * with an empty object, and the run result returns it as `state`.
   */
  readonly state: Record<string, unknown>;
  /** Values of this task's direct dependencies, by task id. */
  readonly dependencies: Readonly<Record<string, unknown>>;
  /**
   * Aborted when the run's `signal` option aborts, and inside `parallel(...)` when a
   * sibling item rejects. Cancellation is cooperative: code that ignores the signal runs on.
   */
  readonly signal: AbortSignal;
}

/** Calls the rest of the chain once and resolves to its value. */
export type Next = () => Promise<unknown>;

/**
 * A middleware function. It may call `next()` once to run the rest of the chain and
 * resolves to the value of its step: usually `next()`'s value, or its own.
 */
export type Middleware = (ctx: RuntimeContext, next: Next) => unknown;

/**
 * An item accepted by `compose`, `parallel` and `branch`: a middleware, or an array of
 * items that runs as a sequential group. `compose`, `parallel` and `branch` return middleware.
 */
export type ComposeItem = Middleware | readonly ComposeItem[];

/** Options of `parallel(options, items)`. */
export interface ParallelOptions {
  /**
   * Maximum number of items running at once. A positive integer or `Infinity`.
   * @default Infinity
   */
  readonly concurrency?: number;
}

/** Predicate of `branch(...)`; it may return a promise. */
export type BranchPredicate = (ctx: RuntimeContext) => unknown;

/** Directive that caches a task's value for the lifetime of a runtime session. */
export interface RuntimeCacheDirective {
  readonly kind: "directive";
  readonly type: "cache";
  /** The cache ref. The runtime supports `memory:session`. */
  readonly ref: string;
}

/** An item of a runtime task's step array: a compose item or a directive. */
export type RuntimeStep = ComposeItem | RuntimeCacheDirective;

/** Configuration of a runtime `task(config, handler)`. */
export interface RuntimeTaskConfig {
  /** Task id, unique within a runtime definition. */
  readonly id: string;
  /** Ids of tasks that must pass before this one starts. */
  readonly dependsOn?: readonly string[];
  /** Human-readable summary, shown by inspection. */
  readonly description?: string;
}

/** The structure of a step, as inspection reports it without running anything. */
export type StepInfo =
  | { readonly type: "function"; readonly name: string }
  | { readonly type: "compose"; readonly items: readonly StepInfo[] }
  | {
    readonly type: "parallel";
    readonly concurrency: number;
    readonly items: readonly StepInfo[];
  }
  | {
    readonly type: "branch";
    /** Function name of the predicate, or `anonymous`. */
    readonly predicate: string;
    readonly whenTrue: StepInfo;
    /** Absent when the branch passes through to `next()` on a false predicate. */
    readonly whenFalse?: StepInfo;
  };

/** A directive as inspection reports it. */
export type RuntimeDirectiveInfo = { readonly type: "cache"; readonly ref: string };

/** A validated runtime task, built by the runtime `task(...)`. */
export interface RuntimeTask {
  readonly kind: "runtime-task";
  readonly id: string;
  readonly description?: string;
  readonly dependsOn: readonly string[];
  /** Directives lifted from the step array, in the order written. */
  readonly directives: readonly RuntimeDirectiveInfo[];
  /** Cache ref from `cache.use(...)`, or undefined when the task is not cached. */
  readonly cache?: string;
  /** The task's steps composed into one middleware. */
  readonly handler: Middleware;
  /** Structure of the steps, for inspection. */
  readonly steps: StepInfo;
}

/** A validated set of runtime tasks, built by `defineRuntime([...])`. */
export interface RuntimeDefinition {
  readonly kind: "runtime-definition";
  /** Tasks in the order given to `defineRuntime`. */
  readonly tasks: readonly RuntimeTask[];
  /** Task ids ordered so each comes after its dependencies; ties break by id. */
  readonly order: readonly string[];
}

/** A task as `runtime.inspect()` reports it: plain data, no functions. */
export interface RuntimeTaskInfo {
  readonly id: string;
  readonly description?: string;
  readonly dependsOn: readonly string[];
  readonly directives: readonly RuntimeDirectiveInfo[];
  readonly cache?: string;
  readonly steps: StepInfo;
}

/** Description of a runtime, as `runtime.inspect()` returns it. */
export interface RuntimeInfo {
  readonly tasks: readonly RuntimeTaskInfo[];
  readonly order: readonly string[];
}

/** Options of `runtime.run(input, options)`. */
export interface RuntimeRunOptions {
  /**
   * Task ids to run, with everything they depend on. Runs every task when omitted.
   * An unknown id throws `ASYNC_PIPELINE_UNKNOWN_TASK` before anything runs.
   */
  readonly targets?: readonly string[];
  /**
   * Aborts `ctx.signal` of running tasks and skips tasks that have not
   * started. The run's status is then `interrupted`.
   */
  readonly signal?: AbortSignal;
}

/** Options of `createRuntime(definition, options)`. */
export interface RuntimeOptions {
  /**
   * Maximum number of tasks of one run that execute at once. Tasks whose dependencies
   * have passed start in dependency order until this many are running.
   * @default Infinity
   */
  readonly concurrency?: number;
}

/** The error of a failed task, as plain data. */
export interface RuntimeTaskError {
  /** The thrown `PipelineError`'s code, or `ASYNC_PIPELINE_TASK_FAILED` for other errors. */
  readonly code: ErrorCode;
  readonly message: string;
  readonly hint?: string;
  /** The value the task threw, kept for debugging. */
  readonly cause: unknown;
}

/** The outcome of one task in a run. */
export interface RuntimeTaskResult {
  readonly id: string;
  /** `skipped` when a dependency did not pass or the run was aborted before the task started. */
  readonly status: "passed" | "failed" | "skipped";
  /** The value the task's handler resolved to, on `passed`. */
  readonly value?: unknown;
  /** Present on `failed`. */
  readonly error?: RuntimeTaskError;
  /** Reason the task was skipped, on `skipped`. */
  readonly reason?: string;
  /** `hit` when the value came from the session cache, `miss` when it was computed and stored. */
  readonly cache?: "hit" | "miss";
  /** Wall-clock time from start to settlement, in milliseconds. 0 for skipped tasks. */
  readonly durationMs: number;
}

/** The outcome of one `runtime.run(...)`. */
export interface RuntimeRunResult {
  readonly runId: string;
  /**
   * `passed` when every task that was due to run passed, `interrupted` when
   * the `signal` option aborted before that, and `failed` otherwise.
   */
  readonly status: "passed" | "failed" | "interrupted";
  /** Task results in dependency order, one per task that was due to run. */
  readonly tasks: readonly RuntimeTaskResult[];
  /** The run's `ctx.state` after the last task settled. */
  readonly state: Record<string, unknown>;
  /** Wall-clock time of the whole run, in milliseconds. */
  readonly durationMs: number;
}

/** An embeddable runtime built by `createRuntime(definition)`. */
export interface Runtime {
  /** The definition this runtime runs. */
  readonly definition: RuntimeDefinition;
  /**
   * Runs the tasks in dependency order and resolves to a result per task. A failing task
   * does not reject the promise: it is reported as `failed` and its dependents as `skipped`.
   */
  run(input?: unknown, options?: RuntimeRunOptions): Promise<RuntimeRunResult>;
  /** Opens a session. Session caches such as `memory:session` live until `stop()`. */
  start(): Promise<void>;
  /** Closes the session and resolves once its runs in flight have settled. */
  stop(): Promise<void>;
  /** True between `start()` and the call to `stop()`. */
  readonly started: boolean;
  /** Returns the tasks, dependencies, directives and step structure without running anything. */
  inspect(): RuntimeInfo;
}
