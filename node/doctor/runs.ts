/** Reading the run lock and finding runs that a dead process left `running`. @module */

import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ErrorCode } from "../../core/errors.ts";
import { brokenRunLock, isProcessAlive, RUN_LOCK_PATH } from "../lock.ts";
import { writeFileAtomic } from "../atomic_write.ts";
import { RECORD_FILE, RUNS_DIR } from "../records.ts";
import type { ExecutionRecord } from "../types.ts";

/** State of `.async/run.lock`. */
export interface LockStatus {
  path: string;
  /** `free` (no lock), `held` (holder alive), `stale` (holder gone) or `unreadable`. */
  state: "free" | "held" | "stale" | "unreadable";
  pid?: number;
  runId?: string;
  /** Job of the holder's run, in locks that name it. */
  jobId?: string;
  startedAt?: string;
  /** Machine the holder ran on. Liveness is judged by this machine's processes. */
  hostname?: string;
  /** Error code of a lock file that could not be read, such as `ENOTDIR` or `EACCES`. */
  error?: string;
  /**
   * Something that no run writes and that fails every run: a `directory`
   * or a `dangling-link` (a symbolic link whose `target` does not exist).
   */
  broken?: "directory" | "dangling-link";
  /** Target of a dangling symbolic link at the lock path. */
  target?: string;
}

/** A run record whose status is still `running`. */
export interface RunningRun {
  id: string;
  jobId?: string;
  pid?: number;
  startedAt?: string;
  /** True when the owning process no longer exists. */
  crashed: boolean;
  /** True when doctor marked the record failed in this invocation. */
  fixed?: boolean;
}

/**
 * Reads the run lock: JSON with the holder's `pid`, `runId`, `jobId`, `startedAt`
 * and `hostname`, as the runner writes it. A bare pid is accepted too.
 */
export async function readRunLock(projectDir: string): Promise<LockStatus> {
  let text: string;
  try {
    text = await readFile(join(projectDir, RUN_LOCK_PATH), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const broken = code === "ENOENT" || code === "EISDIR"
      ? await brokenRunLock(projectDir)
      : undefined;
    if (broken !== undefined) {
      return {
        path: RUN_LOCK_PATH,
        state: "unreadable",
        ...(code ? { error: code } : {}),
        broken: broken.kind,
        ...(broken.kind === "dangling-link" ? { target: broken.target } : {}),
      };
    }
    if (code === "ENOENT") return { path: RUN_LOCK_PATH, state: "free" };
    return { path: RUN_LOCK_PATH, state: "unreadable", ...(code ? { error: code } : {}) };
  }
  const holder = parseLock(text);
  if (holder.pid === undefined) return { path: RUN_LOCK_PATH, state: "unreadable" };
  return {
    path: RUN_LOCK_PATH,
    state: isProcessAlive(holder.pid) ? "held" : "stale",
    ...holder,
  };
}

function parseLock(text: string): Omit<LockStatus, "path" | "state"> {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed) };
  try {
    const value = JSON.parse(trimmed) as Record<string, unknown>;
    return {
      ...(Number.isInteger(value.pid) ? { pid: value.pid as number } : {}),
      ...(typeof value.runId === "string" ? { runId: value.runId } : {}),
      ...(typeof value.jobId === "string" ? { jobId: value.jobId } : {}),
      ...(typeof value.startedAt === "string" ? { startedAt: value.startedAt } : {}),
      ...(typeof value.hostname === "string" ? { hostname: value.hostname } : {}),
    };
  } catch {
    return {};
  }
}

/**
 * Lists every run record (ids sort by start time), the ones still marked
 * `running`, and the ones that cannot be read, such as a record that a
 * killed run left half written.
 */
export async function scanRuns(
  projectDir: string,
): Promise<{ total: number; running: RunningRun[]; unreadable?: string[] }> {
  let ids: string[];
  try {
    ids = (await readdir(join(projectDir, RUNS_DIR), { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  } catch {
    return { total: 0, running: [] };
  }
  const running: RunningRun[] = [];
  const unreadable: string[] = [];
  for (const id of ids) {
    const record = await readRecord(projectDir, id);
    if (record === undefined) unreadable.push(id);
    if (record?.status !== "running") continue;
    const pid = Number.isInteger(record.pid) ? record.pid : undefined;
    running.push({
      id,
      ...(record.jobId ? { jobId: record.jobId } : {}),
      ...(pid !== undefined ? { pid } : {}),
      ...(record.startedAt ? { startedAt: record.startedAt } : {}),
      // NOTE: a pid reused by an unrelated process makes a crashed run look alive.
      crashed: pid !== undefined && !isProcessAlive(pid),
    });
  }
  return { total: ids.length, running, ...(unreadable.length > 0 ? { unreadable } : {}) };
}

async function readRecord(projectDir: string, id: string): Promise<ExecutionRecord | undefined> {
  try {
    const text = await readFile(join(projectDir, RUNS_DIR, id, RECORD_FILE), "utf8");
    return JSON.parse(text) as ExecutionRecord;
  } catch {
    return undefined;
  }
}

/**
 * Marks a crashed run failed: the record gets `status: "failed"`, a
 * `finishedAt`, an `ASYNC_PIPELINE_RUN_CRASHED` error, and its running tasks
 * fail while pending ones are skipped. The file is replaced atomically.
 */
export async function markRunFailed(projectDir: string, run: RunningRun): Promise<void> {
  const record = await readRecord(projectDir, run.id);
  if (!record || record.status !== "running") return;
  const now = new Date().toISOString();
  const message = `The run's process (pid ${
    run.pid ?? "unknown"
  }) exited without finishing the run; async-pipeline doctor marked it failed.`;
  record.status = "failed";
  record.finishedAt = now;
  record.error = { code: ErrorCode.RUN_CRASHED, message };
  for (const task of record.tasks ?? []) {
    if (task.status === "running") {
      task.status = "failed";
      task.finishedAt = now;
      task.error = { code: ErrorCode.RUN_CRASHED, message: "The run crashed during this task." };
    } else if (task.status === "pending") {
      task.status = "skipped";
    }
  }
  const path = join(projectDir, RUNS_DIR, run.id, RECORD_FILE);
  await writeFileAtomic(path, `${JSON.stringify(record, null, 2)}\n`);
}
