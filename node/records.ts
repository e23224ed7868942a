/**
 * Execution records and task logs under `.async/runs/<run-id>/`.
 *
 * `execution.json` is rewritten atomically (a temporary file, then a rename)
 * when the run starts, as each task finishes, and when the run ends, so a
 * reader never sees a torn file. Each task's non-empty stdout and stderr are
 * stored beside it under `logs/`. Everything written passes through the run's
 * {@link Redactor}.
 *
 * @module
 */

import { randomBytes } from "node:crypto";
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ErrorCode, PipelineError } from "../core/errors.ts";
import type { Redactor } from "./redact.ts";
import { namingPath, namingTarget, writeFileAtomic } from "./atomic_write.ts";
import { thrownMessage } from "./thrown.ts";
import type { ExecutionRecord, ProcessEnv } from "./types.ts";

/** Directory of run records relative to the project directory. */
export const RUNS_DIR = ".async/runs";

/** File name of the record inside a run directory. */
export const RECORD_FILE = "execution.json";

/** Runs kept by the automatic prune unless `ASYNC_PIPELINE_KEEP_RUNS` sets another number. */
export const DEFAULT_KEEP_RUNS = 50;

const RUN_ID = /^\d{8}T\d{9}Z-[0-9a-f]{6}$/;

function pad(value: number, width = 2): string {
  return String(value).padStart(width, "0");
}

/**
 * Creates a run id that sorts by start time: the UTC time to the millisecond
 * and a random suffix, such as `20250102T030405678Z-9f3a1c`.
 */
export function createRunId(now: Date = new Date()): string {
  const stamp = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}T` +
    `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}` +
    `${pad(now.getUTCMilliseconds(), 3)}Z`;
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}

/** Returns true for a string shaped like a run id. */
export function isRunId(value: string): boolean {
  return RUN_ID.test(value);
}

/** Writes `text` to `path` through a temporary file and a rename, synchronously. */
function writeFileAtomicSync(path: string, text: string): void {
  const temporary = `${path}.${randomBytes(8).toString("hex")}.tmp`;
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch (error) {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // The directory is gone or is not one (ENOTDIR), so no temporary file is left either.
    }
    throw namingTarget(error, temporary, path);
  }
}

/**
 * Returns the text of `execution.json`. Task metadata that JSON cannot hold,
 * which `ctx.meta` rejects, is left out with a task warning rather than
 * losing the whole record.
 */
export function recordText(record: ExecutionRecord): string {
  try {
    return `${JSON.stringify(record, null, 2)}\n`;
  } catch {
    const tasks = record.tasks.map((task) => {
      try {
        JSON.stringify(task.meta);
        return task;
      } catch (error) {
        const warning = `The task's metadata was left out of the record: ${thrownMessage(error)}`;
        return { ...task, meta: {}, warnings: [...(task.warnings ?? []), warning] };
      }
    });
    return `${JSON.stringify({ ...record, tasks }, null, 2)}\n`;
  }
}

/** Returns the log file name of a task, encoded because ids may contain `:` and `/`. */
function logFileName(taskId: string, stream: "stdout" | "stderr"): string {
  return `${encodeURIComponent(taskId)}.${stream}.log`;
}

/** Maximum delay between a progress change and the record write that contains it. */
export const PROGRESS_INTERVAL_MS = 200;

/** Writes one run's record and logs. Writes of the record are queued so they land in order. */
export class RunRecordStore {
  /** Absolute path of the run directory. */
  readonly dir: string;
  /** Absolute path of `execution.json`. */
  readonly recordPath: string;
  readonly #redactor: Redactor;
  #latest: ExecutionRecord | undefined;
  #dirty = false;
  #flushing: Promise<void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(projectDir: string, runId: string, redactor: Redactor) {
    this.dir = join(projectDir, RUNS_DIR, runId);
    this.recordPath = join(this.dir, RECORD_FILE);
    this.#redactor = redactor;
  }

  /** Creates the run directory and its `logs/` directory. */
  async create(): Promise<void> {
    await mkdir(join(this.dir, "logs"), { recursive: true });
  }

  /**
   * Writes `record` atomically now and resolves once the file contains this
   * state (or a later one). Used when a run starts and when it ends.
   */
  async write(record: ExecutionRecord): Promise<void> {
    this.#latest = record;
    this.#dirty = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    try {
      while (this.#dirty || this.#flushing) {
        this.#flushing ??= this.#flushOnce();
        await this.#flushing;
      }
    } catch (error) {
      throw new PipelineError(
        ErrorCode.IO_FAILED,
        `Writing the execution record ${this.recordPath} failed: ${thrownMessage(error)}`,
        {
          cause: error,
          hint: "Check that the disk has space and the run directory can be written.",
        },
      );
    }
  }

  /**
   * Schedules a write of `record` within {@link PROGRESS_INTERVAL_MS}. Calls
   * in between coalesce, so a run of many short tasks serializes its record a
   * few times a second instead of once per task. Write errors are dropped
   * here; the final {@link write} reports them.
   */
  writeProgress(record: ExecutionRecord): void {
    this.#latest = record;
    this.#dirty = true;
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#dirty || this.#flushing) return;
      this.#flushing = this.#flushOnce();
      this.#flushing.catch(() => undefined);
    }, PROGRESS_INTERVAL_MS);
  }

  #flushOnce(): Promise<void> {
    this.#dirty = false;
    const record = this.#latest as ExecutionRecord;
    // Serializing inside the promise turns its errors into a rejection that write reports.
    return Promise.resolve()
      .then(() => writeFileAtomic(this.recordPath, recordText(this.#redactor.redactRecord(record))))
      .finally(() => {
        this.#flushing = undefined;
      });
  }

  /** Returns the text of `record` as the record file contains it: masked, then serialized. */
  text(record: ExecutionRecord): string {
    return recordText(this.#redactor.redactRecord(record));
  }

  /**
   * Writes `record` (or its `text`, as {@link text} returns it) at once and
   * synchronously, for the process's `exit` event, where nothing
   * asynchronous runs any more. A write that is still in flight may land
   * after it, so callers use it only when the process ends.
   */
  writeNow(record: ExecutionRecord, text: string = this.text(record)): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#dirty = false;
    writeFileAtomicSync(this.recordPath, text);
  }

  /**
   * Writes the non-empty streams of a task's output under `logs/` and
   * returns their paths. The files are written in place: the run directory
   * belongs to this run alone, and the record names a log only after it is
   * complete.
   */
  async writeLogs(
    taskId: string,
    stdout: string,
    stderr: string,
  ): Promise<{ stdout?: string; stderr?: string }> {
    const paths: { stdout?: string; stderr?: string } = {};
    const writes: Promise<void>[] = [];
    for (const [stream, path, text] of this.#logFiles(taskId, stdout, stderr)) {
      paths[stream] = path;
      const file = join(this.dir, path);
      writes.push(
        writeFile(file, text).catch((error) => {
          throw namingPath(error, file);
        }),
      );
    }
    await Promise.all(writes);
    return paths;
  }

  /**
   * Writes a task's logs as {@link writeLogs} does, but synchronously and
   * each through a temporary file and a rename, for the process's `exit`
   * event. A write of the same log still in flight then goes to the file
   * that the rename replaced, never into the new one.
   */
  writeLogsNow(
    taskId: string,
    stdout: string,
    stderr: string,
  ): { stdout?: string; stderr?: string } {
    const paths: { stdout?: string; stderr?: string } = {};
    for (const [stream, path, text] of this.#logFiles(taskId, stdout, stderr)) {
      writeFileAtomicSync(join(this.dir, path), text);
      paths[stream] = path;
    }
    return paths;
  }

  /** Returns the stream, path and masked text of each non-empty log of a task. */
  #logFiles(
    taskId: string,
    stdout: string,
    stderr: string,
  ): ["stdout" | "stderr", string, string][] {
    const files: ["stdout" | "stderr", string, string][] = [];
    for (const [stream, text] of [["stdout", stdout], ["stderr", stderr]] as const) {
      if (text === "") continue;
      files.push([stream, `logs/${logFileName(taskId, stream)}`, this.#redactor.redact(text)]);
    }
    return files;
  }
}

/**
 * Reads `ASYNC_PIPELINE_KEEP_RUNS`: how many run directories to keep after
 * each run (default 50, 0 disables pruning).
 */
export function readKeepRuns(env: ProcessEnv): number {
  const raw = env.ASYNC_PIPELINE_KEEP_RUNS;
  if (raw === undefined || raw.trim() === "") return DEFAULT_KEEP_RUNS;
  // Only decimal digits: `Number` would also take `1e4`, `0x10` and surrounding spaces.
  const value = /^[0-9]+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(value)) {
    throw new PipelineError(
      ErrorCode.INVALID_FIELD,
      `ASYNC_PIPELINE_KEEP_RUNS must be a non-negative integer, got ${JSON.stringify(raw)}.`,
      { hint: "Set it to the number of runs to keep, or 0 to keep every run." },
    );
  }
  return value;
}

/**
 * Deletes the oldest run directories so at most `keep` remain. `keep` 0
 * deletes nothing. The run `currentRunId` is always kept. Returns the ids
 * deleted.
 */
export async function pruneRuns(
  projectDir: string,
  keep: number,
  currentRunId?: string,
): Promise<string[]> {
  if (keep <= 0) return [];
  const root = join(projectDir, RUNS_DIR);
  let names: string[];
  try {
    names = (await readdir(root, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory() && isRunId(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const excess = names.slice(0, Math.max(0, names.length - keep))
    .filter((name) => name !== currentRunId);
  for (const name of excess) await rm(join(root, name), { recursive: true, force: true });
  return excess;
}
