/**
 * Events a run emits while it executes. The runner only emits them, and
 * presenters in the CLI turn them into text. Every text in an event is
 * already masked for secrets.
 *
 * @module
 */

import type { ExecutionRecord, TaskResult } from "../types.ts";

/** The run passed its checks (env, secrets, tools) and is about to start tasks. */
export interface RunStartedEvent {
  readonly type: "run-started";
  readonly runId: string;
  readonly jobId: string;
  readonly pipelineName: string;
  /** Absolute path of `execution.json`. */
  readonly recordPath: string;
  /** Task ids in the order they may start. */
  readonly taskIds: readonly string[];
  readonly concurrency: number;
  readonly executor: string;
}

/** An attempt of a task started. */
export interface TaskStartedEvent {
  readonly type: "task-started";
  readonly taskId: string;
  readonly attempt: number;
  /** Attempts allowed by `retry`. */
  readonly maxAttempts: number;
}

/** Output a running task wrote, or a replayed cached log. */
export interface TaskOutputEvent {
  readonly type: "task-output";
  readonly taskId: string;
  readonly stream: "stdout" | "stderr";
  readonly text: string;
}

/** An attempt failed and the task will run again after `delayMs`. */
export interface TaskRetriedEvent {
  readonly type: "task-retried";
  readonly taskId: string;
  /** The attempt that failed. */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly delayMs: number;
  /** Reason the attempt failed. */
  readonly reason: string;
}

/** A task was restored from the cache instead of running. */
export interface TaskCachedEvent {
  readonly type: "task-cached";
  readonly taskId: string;
  readonly result: TaskResult;
}

/** A task that ran has finished, passed or failed. */
export interface TaskFinishedEvent {
  readonly type: "task-finished";
  readonly taskId: string;
  readonly result: TaskResult;
  /** Last lines of the task's output, stdout and stderr in arrival order. */
  readonly outputTail: readonly string[];
}

/** A task did not start because a dependency failed or the run stopped. */
export interface TaskSkippedEvent {
  readonly type: "task-skipped";
  readonly taskId: string;
  readonly reason: string;
}

/** Something the user should know that does not fail the run. */
export interface RunWarningEvent {
  readonly type: "warning";
  readonly message: string;
  readonly taskId?: string;
}

/** The run ended and its final record is written. */
export interface RunFinishedEvent {
  readonly type: "run-finished";
  readonly record: ExecutionRecord;
  /** Absolute path of `execution.json`. */
  readonly recordPath: string;
  readonly durationMs: number;
  /**
   * True when the run stopped with an error that `runJob` throws after this
   * event, such as a missing variable found before the first task. The
   * record's `error` contains its code and message.
   */
  readonly thrown?: boolean;
}

/** Any run event. */
export type RunEvent =
  | RunStartedEvent
  | TaskStartedEvent
  | TaskOutputEvent
  | TaskRetriedEvent
  | TaskCachedEvent
  | TaskFinishedEvent
  | TaskSkippedEvent
  | RunWarningEvent
  | RunFinishedEvent;

/** Receives run events. */
export type RunEventListener = (event: RunEvent) => void;
