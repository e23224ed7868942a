/**
 * Reading execution records back from `.async/runs/`, to explain what a
 * past run did with a task.
 *
 * @module
 */

import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { didYouMean, ErrorCode, PipelineError } from "../core/errors.ts";
import { isRunId, RECORD_FILE, RUNS_DIR } from "./records.ts";
import type { ExecutionRecord, TaskResult } from "./types.ts";
import { projectCommand } from "./cli_command.ts";

/** Returns the run ids recorded in `projectDir`, newest first. */
export async function listRunIds(projectDir: string): Promise<string[]> {
  try {
    const entries = await readdir(join(projectDir, RUNS_DIR), { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory() && isRunId(entry.name))
      .map((entry) => entry.name)
      .sort()
      .reverse();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/**
 * Reads the execution record of run `runId` in `projectDir`.
 *
 * @throws {PipelineError} `ASYNC_PIPELINE_RUN_NOT_FOUND` when the run has no
 * readable record.
 */
export async function readExecutionRecord(
  projectDir: string,
  runId: string,
): Promise<ExecutionRecord> {
  if (!isRunId(runId)) {
    throw new PipelineError(
      ErrorCode.RUN_NOT_FOUND,
      `"${runId}" is not a run id; run ids look like 20250102T030405678Z-9f3a1c.`,
      { hint: `Pick a directory name under ${RUNS_DIR}.` },
    );
  }
  const path = join(RUNS_DIR, runId, RECORD_FILE);
  let text: string;
  try {
    text = await readFile(join(projectDir, path), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    const recent = (await listRunIds(projectDir)).slice(0, 5);
    throw new PipelineError(ErrorCode.RUN_NOT_FOUND, `Run "${runId}" has no record at ${path}.`, {
      hint: recent.length > 0
        ? `Recent runs: ${recent.join(", ")}.`
        : "No run is recorded yet; run a job first.",
    });
  }
  try {
    return JSON.parse(text) as ExecutionRecord;
  } catch (error) {
    throw new PipelineError(
      ErrorCode.RUN_NOT_FOUND,
      `The record of run "${runId}" at ${path} is not valid JSON (${(error as Error).message}).`,
      { hint: "Pick another run with --run, or run the job again." },
    );
  }
}

/** A task's result and the record of the run it belongs to. */
export interface RecordedTask {
  readonly record: ExecutionRecord;
  readonly result: TaskResult;
  /** Newer runs whose records could not be read and were passed over in the search, newest first. */
  readonly unreadable?: readonly string[];
}

function taskOf(record: ExecutionRecord, taskId: string): TaskResult | undefined {
  return Array.isArray(record.tasks)
    ? record.tasks.find((result) => result.id === taskId)
    : undefined;
}

/**
 * Finds the result of `taskId` in run `runId`, or without `runId` in the
 * newest run whose record includes the task. Records that cannot be read
 * are passed over in that search, and listed in `unreadable`.
 *
 * @throws {PipelineError} `ASYNC_PIPELINE_RUN_NOT_FOUND` when no run is
 * recorded or `runId` has no record, and `ASYNC_PIPELINE_UNKNOWN_TASK` when
 * the run (or every run) lacks the task.
 */
export async function findRecordedTask(
  projectDir: string,
  taskId: string,
  runId?: string,
): Promise<RecordedTask> {
  if (runId !== undefined) {
    const record = await readExecutionRecord(projectDir, runId);
    const result = taskOf(record, taskId);
    if (result !== undefined) return { record, result };
    const ids = (record.tasks ?? []).map((task) => task.id);
    throw new PipelineError(
      ErrorCode.UNKNOWN_TASK,
      `Task "${taskId}" is not part of run "${runId}" (${record.jobId}).`,
      { hint: didYouMean(taskId, ids) || `Tasks of that run: ${ids.join(", ")}.` },
    );
  }

  const runIds = await listRunIds(projectDir);
  if (runIds.length === 0) {
    throw new PipelineError(ErrorCode.RUN_NOT_FOUND, `No run is recorded in ${RUNS_DIR}.`, {
      hint: `Run a job first, such as \`${projectCommand("run <job>")}\`.`,
    });
  }
  const seen = new Set<string>();
  const unreadable: string[] = [];
  for (const id of runIds) {
    const record = await readExecutionRecord(projectDir, id).catch(() => undefined);
    if (record === undefined) {
      unreadable.push(id);
      continue;
    }
    const result = taskOf(record, taskId);
    if (result !== undefined) {
      return { record, result, ...(unreadable.length > 0 ? { unreadable } : {}) };
    }
    for (const task of record.tasks ?? []) seen.add(task.id);
  }
  if (unreadable.length > 0) {
    // The task may be in a record that could not be read, so the error lists those runs.
    throw new PipelineError(
      ErrorCode.UNKNOWN_TASK,
      `No readable recorded run includes task "${taskId}". The records of these runs could not ` +
        `be read and were passed over: ${unreadable.join(", ")}.`,
      { hint: `\`${projectCommand(`explain ${taskId} --run <id>`)}\` names the error of one.` },
    );
  }
  throw new PipelineError(
    ErrorCode.UNKNOWN_TASK,
    `No recorded run includes task "${taskId}".`,
    { hint: didYouMean(taskId, seen) || `Recorded tasks: ${[...seen].sort().join(", ")}.` },
  );
}
