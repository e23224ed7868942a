/** Closing a run's record when it ends, or when an interrupt stopped it. @module */

import { ErrorCode } from "../../core/errors.ts";
import type { RunRecordStore } from "../records.ts";
import type { ExecutionRecord } from "../types.ts";

/** Returns the record error of an interrupted run, from the abort reason. */
export function interruptError(reason: unknown): { code: string; message: string } {
  const message = reason instanceof Error ? reason.message : "The run was interrupted.";
  const code = (reason as { code?: unknown })?.code;
  return { code: typeof code === "string" ? code : ErrorCode.INTERRUPTED, message };
}

/** Marks unfinished tasks skipped, sets the run status and writes the final record. */
export async function finalize(
  record: ExecutionRecord,
  store: RunRecordStore,
  error: { code: string; message: string } | undefined,
): Promise<void> {
  for (const result of record.tasks) {
    if (result.status === "pending" || result.status === "running") result.status = "skipped";
  }
  const passed = error === undefined && record.tasks.every((result) => result.status === "passed");
  record.status = passed ? "passed" : "failed";
  record.finishedAt = new Date().toISOString();
  if (error !== undefined) record.error = error;
  await store.write(record);
}
