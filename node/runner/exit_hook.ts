/**
 * A synchronous hook on the process's `exit` event while a run lasts, so a
 * function step that calls `process.exit()` leaves a failed record, the logs
 * of the running tasks and no run lock behind rather than a record stuck in
 * `running`.
 *
 * @module
 */

import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import process from "../process.ts";
import { ErrorCode } from "../../core/errors.ts";
import { RUN_LOCK_PATH, type RunLockInfo } from "../lock.ts";
import type { RunRecordStore } from "../records.ts";
import { thrownMessage } from "../thrown.ts";
import type { ExecutionRecord, TaskResult } from "../types.ts";
import { writeAllSync } from "../write_sync.ts";
import { type ExitApi, firstExitCall, watchExitCalls } from "./exit_calls.ts";
import type { LiveTask, LiveTasks } from "./live_tasks.ts";

/** The parts of a run that the hook closes when the process exits. */
export interface ExitHookRun {
  readonly record: ExecutionRecord;
  readonly store: RunRecordStore;
  readonly projectDir: string;
  readonly lock: RunLockInfo;
  /** The run's tasks that started and have not stored their logs. */
  readonly live?: LiveTasks;
  /**
   * Receives the text of the record, as the record file contains it, and the
   * file's path, once the hook wrote it. It runs inside the `exit` event, so
   * it must write synchronously.
   */
  readonly onRecord?: (text: string, recordPath: string) => void;
}

/** The cause that ended the process, as far as the hook can tell. */
type Cause =
  /** Code of task `id` of this run called `api`. `running` is true when the task had not finished. */
  | { readonly kind: "task"; readonly api: ExitApi; readonly id: string; readonly running: boolean }
  /** The code of `origin`, such as a source's prepare step, called `api`. */
  | { readonly kind: "origin"; readonly api: ExitApi; readonly origin: string }
  /** `api` was called by code that no task of this run's async context covers. */
  | { readonly kind: "untraced"; readonly api: ExitApi }
  /** No call of an exit function was seen. */
  | { readonly kind: "unseen" };

function quoted(ids: readonly string[]): string {
  return ids.map((id) => `"${id}"`).join(", ");
}

/** Returns the cause in a few words, for the message of a task that did not cause the exit. */
function shortCause(cause: Cause): string {
  switch (cause.kind) {
    case "task":
      return cause.running
        ? `task "${cause.id}" called ${cause.api}()`
        : `the code of task "${cause.id}" called ${cause.api}() after its step ended`;
    case "origin":
      return `the code of ${cause.origin} called ${cause.api}()`;
    case "untraced":
      return `code that could not be traced to a task called ${cause.api}()`;
    case "unseen":
      return "no process.exit() or Deno.exit() call was seen";
  }
}

/**
 * Returns how the process exited, for the messages. A run that did not
 * finish never exits 0, so code 0 is named as the code the process started
 * to exit with.
 */
function exitedWith(code: number): string {
  return code === 0 ? "started to exit with code 0" : `exited with code ${code}`;
}

/** The sentence that names the code the run exits with instead of 0. */
const EXITS_ONE = "The run exits with code 1 instead, because it did not finish.";

/** Returns the error message of a task that was running when the process exited. */
function taskMessage(id: string, code: number, cause: Cause): string {
  if (cause.kind === "task" && cause.id === id) {
    return `Task "${id}" failed: its step code called ${cause.api}(${code}), which ended the ` +
      `run${code === 0 ? " with code 1" : ""}. Throw an error or return instead.`;
  }
  return `Task "${id}" failed: the process ${exitedWith(code)} while it ran (${
    shortCause(cause)
  }).${code === 0 ? ` ${EXITS_ONE}` : ""}`;
}

/** Returns the run's error message, which stderr shows too. */
function runMessage(code: number, running: readonly string[], cause: Cause): string {
  const when = running.length === 0
    ? "before the run finished"
    : `while ${running.length === 1 ? "task" : "tasks"} ${quoted(running)} ran`;
  const instead = code === 0 ? ` ${EXITS_ONE}` : "";
  if (cause.kind === "unseen") {
    return `The process ${exitedWith(code)} ${when}, and no process.exit() or ` +
      "Deno.exit() call was seen. The process ends this way when nothing is left to run " +
      "while a step waits on a promise that nothing settles, or when code calls an exit " +
      `function that it saved before the run started.${instead}`;
  }
  return `The process ${exitedWith(code)} ${when}: ${shortCause(cause)}.${instead}`;
}

/** Returns what ended the process, from the first exit call the run saw. */
function exitCause(record: ExecutionRecord, live: LiveTasks | undefined): Cause {
  const call = firstExitCall();
  if (call === undefined) return { kind: "unseen" };
  const target = call.target;
  if (live === undefined || !live.owns(target)) {
    const origin = target?.origin;
    return origin === undefined
      ? { kind: "untraced", api: call.api }
      : { kind: "origin", api: call.api, origin };
  }
  const id = target.taskId;
  const running = record.tasks.some((task) => task.id === id && task.status === "running");
  return { kind: "task", api: call.api, id, running };
}

/** Records the attempt that was running when the process exited. */
function closeAttempt(result: TaskResult, live: LiveTask | undefined, finishedMs: number): void {
  const open = live?.attempt;
  if (open === undefined) return;
  result.attemptLog.push({
    attempt: open.attempt,
    startedAt: open.startedAt,
    finishedAt: new Date(finishedMs).toISOString(),
    durationMs: finishedMs - open.startedMs,
    ...(result.error ? { error: result.error.message } : {}),
  });
  result.attempts = open.attempt;
}

/** Marks the running tasks failed and the pending ones skipped, and returns the running ids. */
function failRecord(
  record: ExecutionRecord,
  code: number,
  cause: Cause,
  live: LiveTasks | undefined,
): string[] {
  const running = record.tasks.filter((task) => task.status === "running").map((task) => task.id);
  const liveById = new Map([...live?.values() ?? []].map((task) => [task.result.id, task]));
  const finishedMs = Date.now();
  const finishedAt = new Date(finishedMs).toISOString();
  for (const task of record.tasks) {
    if (task.status === "running") {
      task.status = "failed";
      task.finishedAt = finishedAt;
      task.error = { code: ErrorCode.TASK_FAILED, message: taskMessage(task.id, code, cause) };
      closeAttempt(task, liveById.get(task.id), finishedMs);
    } else if (task.status === "pending") {
      task.status = "skipped";
      task.warnings = [...(task.warnings ?? []), "Skipped: the process exited."];
    } else if (task.finishedAt === undefined && liveById.has(task.id)) {
      // A task that settled but was still storing its cache entry or logs.
      task.finishedAt = finishedAt;
      if (task.startedAt) task.durationMs = finishedMs - Date.parse(task.startedAt);
    }
  }
  record.status = "failed";
  record.finishedAt = finishedAt;
  record.error = { code: ErrorCode.TASK_FAILED, message: runMessage(code, running, cause) };
  return running;
}

/**
 * Stores what each live task printed so far, masked, and names the files in
 * its result. A task whose logs cannot be written gets a warning instead.
 */
function storeLiveLogs(store: RunRecordStore, live: LiveTasks | undefined): void {
  for (const { result, output } of live?.values() ?? []) {
    if (result.logs !== undefined) continue;
    try {
      result.logs = store.writeLogsNow(
        result.id,
        output.captured("stdout"),
        output.captured("stderr"),
      );
    } catch (error) {
      const warning = `The task's logs could not be written when the process exited: ${
        thrownMessage(error)
      }`;
      result.warnings = [...(result.warnings ?? []), warning];
    }
  }
}

/** Removes the run lock if it still names this run. */
function releaseLock(projectDir: string, lock: RunLockInfo): void {
  const path = join(projectDir, RUN_LOCK_PATH);
  const holder = JSON.parse(readFileSync(path, "utf8")) as Partial<RunLockInfo>;
  if (holder.runId === lock.runId && holder.pid === lock.pid) rmSync(path, { force: true });
}

/**
 * Fails the running record and stores the logs of the live tasks. Returns
 * the line for stderr that names the running tasks and the cause.
 */
function failRun(run: ExitHookRun, code: number): string {
  const cause = exitCause(run.record, run.live);
  const running = failRecord(run.record, code, cause, run.live);
  storeLiveLogs(run.store, run.live);
  const message = runMessage(code, running, cause);
  return `error[${ErrorCode.TASK_FAILED}]: ${message} Record: ${run.store.recordPath}\n`;
}

/**
 * Closes `run` if the process exits before the run ends. The record is
 * written as failed, with running tasks failed (the attempt that was running
 * included) and pending ones skipped, after the logs that live tasks
 * captured so far. The run lock is removed if this run holds it, one line on
 * stderr names the running tasks, and `onRecord` gets the record's text.
 * Everything here is synchronous, as the `exit` event requires. Under Deno,
 * `Deno.exit()` fires only the `unload` event, which is hooked too. Returns
 * the function that removes the hook.
 */
export function closeRunOnExit(run: ExitHookRun): () => void {
  let closed = false;
  const close = (code: number) => {
    if (closed) return;
    closed = true;
    // A record that is already final is written and printed too, because the
    // run may still be writing it, and its caller has not printed it yet.
    const failing = run.record.status === "running";
    const line = failing ? failRun(run, code) : undefined;
    const text = run.store.text(run.record);
    try {
      run.store.writeNow(run.record, text);
    } catch {
      // The process is ending, so the file stays as it was, and doctor reports a crashed run.
    }
    try {
      if (line !== undefined) writeAllSync(2, line);
    } catch {
      // stderr is closed.
    }
    // A run that did not finish never exits 0.
    if (failing && code === 0) process.exitCode = 1;
    try {
      run.onRecord?.(text, run.store.recordPath);
    } catch {
      // The output is closed, or its reader took nothing for too long, which the callback reports.
    }
    try {
      releaseLock(run.projectDir, run.lock);
    } catch {
      // The lock is gone or unreadable, so nothing of this run's is left to remove.
    }
  };
  const onExit = (code: number) => close(code);
  const deno = (globalThis as { Deno?: { exitCode: number } }).Deno;
  const onUnload = () => close(deno?.exitCode ?? 0);
  const events = globalThis as unknown as EventTarget;
  const releaseCalls = watchExitCalls();
  process.on("exit", onExit);
  if (deno) events.addEventListener("unload", onUnload);
  return () => {
    process.off("exit", onExit);
    if (deno) events.removeEventListener("unload", onUnload);
    releaseCalls();
  };
}
