/**
 * A synchronous hook on the process's `exit` event while a run lasts, so a
 * function step that calls `process.exit()` leaves a failed record and no
 * run lock behind rather than a record stuck in `running`.
 *
 * @module
 */

import { readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import process from "../process.ts";
import { ErrorCode } from "../../core/errors.ts";
import { RUN_LOCK_PATH, type RunLockInfo } from "../lock.ts";
import type { RunRecordStore } from "../records.ts";
import type { ExecutionRecord } from "../types.ts";
import { currentTarget } from "./console_capture.ts";
import { TaskOutput } from "./output.ts";

/** The parts of a run that the hook closes when the process exits. */
export interface ExitHookRun {
  readonly record: ExecutionRecord;
  readonly store: RunRecordStore;
  readonly projectDir: string;
  readonly lock: RunLockInfo;
}

function quoted(ids: readonly string[]): string {
  return ids.map((id) => `"${id}"`).join(", ");
}

/** Returns the error message of a task that was running when the process exited. */
function taskMessage(id: string, code: number, caller: string | undefined): string {
  if (caller === id) {
    return `Task "${id}" failed: its step code called process.exit(${code}), which ended the ` +
      "run. Throw an error or return instead.";
  }
  const cause = caller === undefined
    ? "step code called process.exit()"
    : `task "${caller}" called process.exit()`;
  return `Task "${id}" failed: the process exited with code ${code} while it ran (${cause}).`;
}

/** Returns the run's error message, which stderr shows too. */
function runMessage(code: number, running: readonly string[], caller: string | undefined): string {
  const culprit = caller === undefined ? "step code" : `task "${caller}"`;
  const when = running.length === 0
    ? "before the run finished"
    : `while ${running.length === 1 ? "task" : "tasks"} ${quoted(running)} ran`;
  return `The process exited with code ${code} ${when}: ${culprit} called process.exit().`;
}

/** Marks the running tasks failed and the pending ones skipped, and returns the running ids. */
function failRecord(record: ExecutionRecord, code: number, caller: string | undefined): string[] {
  const running = record.tasks.filter((task) => task.status === "running").map((task) => task.id);
  const finishedAt = new Date().toISOString();
  for (const task of record.tasks) {
    if (task.status === "running") {
      task.status = "failed";
      task.finishedAt = finishedAt;
      task.error = { code: ErrorCode.TASK_FAILED, message: taskMessage(task.id, code, caller) };
    } else if (task.status === "pending") {
      task.status = "skipped";
      task.warnings = [...(task.warnings ?? []), "Skipped: the process exited."];
    }
  }
  record.status = "failed";
  record.finishedAt = finishedAt;
  record.error = { code: ErrorCode.TASK_FAILED, message: runMessage(code, running, caller) };
  return running;
}

/** Returns the running task whose code called exit, found by async context, if it is this run's. */
function callingTask(record: ExecutionRecord): string | undefined {
  const target = currentTarget();
  if (!(target instanceof TaskOutput)) return undefined;
  const id = target.taskId;
  return record.tasks.some((task) => task.id === id && task.status === "running") ? id : undefined;
}

/** Removes the run lock if it still names this run. */
function releaseLock(projectDir: string, lock: RunLockInfo): void {
  const path = join(projectDir, RUN_LOCK_PATH);
  const holder = JSON.parse(readFileSync(path, "utf8")) as Partial<RunLockInfo>;
  if (holder.runId === lock.runId && holder.pid === lock.pid) rmSync(path, { force: true });
}

/**
 * Closes `run` if the process exits before the run ends. The record is
 * written as failed, with running tasks failed and pending ones skipped. The
 * run lock is removed if this run holds it, and one line on stderr names the
 * running tasks. Everything here is synchronous, as the `exit` event
 * requires. Under Deno, `Deno.exit()` fires only the `unload` event, which is
 * hooked too. Returns the function that removes the hook.
 */
export function closeRunOnExit(run: ExitHookRun): () => void {
  let closed = false;
  const close = (code: number) => {
    if (closed) return;
    closed = true;
    if (run.record.status === "running") {
      const caller = callingTask(run.record);
      const running = failRecord(run.record, code, caller);
      try {
        run.store.writeNow(run.record);
      } catch {
        // The process is ending, so the record stays as it was, and doctor reports a crashed run.
      }
      try {
        const line = `error[${ErrorCode.TASK_FAILED}]: ${runMessage(code, running, caller)}`;
        writeSync(2, `${line} Record: ${run.store.recordPath}\n`);
      } catch {
        // stderr is closed.
      }
      // A run that did not finish never exits 0.
      if (code === 0) process.exitCode = 1;
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
  process.on("exit", onExit);
  if (deno) events.addEventListener("unload", onUnload);
  return () => {
    process.off("exit", onExit);
    if (deno) events.removeEventListener("unload", onUnload);
  };
}
