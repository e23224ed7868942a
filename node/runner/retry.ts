/** Waiting between the attempts of a task, and stopping its retries once the run failed. @module */

import type { NormalizedTask } from "../../core/model.ts";
import type { TaskResult } from "../types.ts";
import type { RunState } from "./state.ts";
import type { AttemptFailure } from "./steps.ts";

/** Waits `ms` milliseconds, or less when one of `signals` aborts. */
function sleep(ms: number, signals: readonly AbortSignal[]): Promise<void> {
  return new Promise((resolve) => {
    if (signals.some((signal) => signal.aborted) || ms <= 0) return resolve();
    const done = () => {
      clearTimeout(timer);
      for (const signal of signals) signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const signal of signals) signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Returns true, and adds a warning to `result` saying why, when another task
 * failed, so that the attempts after `attempt` do not run.
 */
export function stopsRetrying(
  state: RunState,
  task: NormalizedTask,
  result: TaskResult,
  attempt: number,
): boolean {
  if (!state.failed.signal.aborted) return false;
  const max = task.retry.attempts;
  const attempts = attempt + 1 === max
    ? `Attempt ${max} of ${max} did not run`
    : `Attempts ${attempt + 1} to ${max} did not run`;
  (result.warnings ??= []).push(
    `${attempts}: task "${state.failed.signal.reason}" failed, and once a task failed ` +
      `no task starts another attempt.`,
  );
  return true;
}

/** Emits the event of a failed attempt that will run again, and waits for `retry.delayMs`. */
export async function retryAfter(
  state: RunState,
  task: NormalizedTask,
  attempt: number,
  failure: AttemptFailure,
): Promise<void> {
  state.emit({
    type: "task-retried",
    taskId: task.id,
    attempt,
    maxAttempts: task.retry.attempts,
    delayMs: task.retry.delayMs,
    reason: failure.error.message,
  });
  await sleep(task.retry.delayMs, [state.signal, state.failed.signal]);
}
