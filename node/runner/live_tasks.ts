/**
 * The tasks of a run that started and whose logs are not stored yet. When
 * the process exits in the middle of the run, the exit hook records the
 * attempt that was running and stores what each of them printed.
 *
 * @module
 */

import type { TaskResult } from "../types.ts";
import type { TaskOutput } from "./output.ts";

/** An attempt that has started and not ended. */
export interface OpenAttempt {
  readonly attempt: number;
  readonly startedMs: number;
  readonly startedAt: string;
}

/** A task that started and has not stored its logs yet. */
export interface LiveTask {
  readonly result: TaskResult;
  readonly output: TaskOutput;
  /** The attempt that is running, if one is. */
  attempt?: OpenAttempt;
}

/** The live tasks of one run, and every output the run's tasks used. */
export class LiveTasks {
  readonly #tasks = new Map<string, LiveTask>();
  readonly #outputs = new WeakSet<object>();

  /** Registers a task that started. */
  start(result: TaskResult, output: TaskOutput): void {
    this.#tasks.set(result.id, { result, output });
    this.#outputs.add(output);
  }

  /** Notes that `attempt` of task `id` started. */
  attemptStarted(id: string, attempt: OpenAttempt): void {
    const task = this.#tasks.get(id);
    if (task) task.attempt = attempt;
  }

  /** Notes that the running attempt of task `id` ended. */
  attemptEnded(id: string): void {
    const task = this.#tasks.get(id);
    if (task) delete task.attempt;
  }

  /** Forgets task `id`, once its logs are stored or it gave up its start. */
  end(id: string): void {
    this.#tasks.delete(id);
  }

  /** Returns the live tasks, in the order they started. */
  values(): IterableIterator<LiveTask> {
    return this.#tasks.values();
  }

  /** Returns true when `target` is the output of a task of this run, live or not. */
  owns(target: unknown): target is TaskOutput {
    return typeof target === "object" && target !== null && this.#outputs.has(target);
  }
}
