/**
 * The run lock, `.async/run.lock`: one run at a time per project, so runs do
 * not race on the task cache and the run records. The lock file stores the
 * holder's pid and start time. A lock whose holder process is gone is
 * reclaimed.
 *
 * @module
 */

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  link,
  lstat,
  mkdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  writeFile,
} from "node:fs/promises";
import { withPath } from "./atomic_write.ts";
import { printablePath } from "./printable.ts";
import { hostname } from "node:os";
import { join } from "node:path";
import process from "./process.ts";
import { ErrorCode, PipelineError } from "../core/errors.ts";
import { shellQuote } from "../core/sh.ts";

/** Path of the lock file relative to the project directory. */
export const RUN_LOCK_PATH = ".async/run.lock";

/** Contents of the lock file. */
export interface RunLockInfo {
  readonly pid: number;
  /** ISO timestamp of when the holder took the lock. */
  readonly startedAt: string;
  readonly runId: string;
  readonly hostname: string;
  /** The command that holds the lock instead of a run, such as `cache clear` or `gc`. */
  readonly command?: string;
  /** Job of the run, such as `verify` (`task:<id>` for `run-task`). Older locks lack it. */
  readonly jobId?: string;
}

/** A held lock. */
export interface RunLock {
  readonly info: RunLockInfo;
  /** The dead holder whose lock was taken over, if any. */
  readonly reclaimed?: RunLockInfo;
  /** Removes the lock file if it still belongs to this holder. */
  release(): Promise<void>;
}

/**
 * Returns true when a process with `pid` exists and is not a zombie.
 * NOTE: a pid reused by an unrelated process counts as alive, so such a
 * stale lock is reported as active until that process ends.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return !isZombie(pid);
}

/** Reads the process state from `/proc` where it exists (Linux). Elsewhere nothing is a zombie. */
function isZombie(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return false;
  }
  // The state follows the command name, which is in parentheses and may contain spaces.
  return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
}

/**
 * Returns true unless the holder is known to be gone. A lock written on
 * another host (a shared file system) cannot be checked, so it counts as held.
 */
function holderMayBeAlive(holder: RunLockInfo): boolean {
  if (holder.hostname && holder.hostname !== hostname()) return true;
  return isProcessAlive(holder.pid);
}

function parseLock(text: string): RunLockInfo | undefined {
  try {
    const value = JSON.parse(text);
    if (typeof value?.pid === "number" && typeof value?.startedAt === "string") return value;
  } catch {
    // A torn or foreign file is treated like a lock without a live holder.
  }
  return undefined;
}

/**
 * Reads the lock at `path`, or resolves null when no file is there. Throws
 * `ASYNC_PIPELINE_IO_FAILED` with the fix for a directory or a dangling
 * symbolic link, which no run writes and which would fail every run.
 */
async function readLock(path: string): Promise<RunLockInfo | undefined | null> {
  try {
    return parseLock(await readFile(path, "utf8"));
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    if (code === "EISDIR") throw brokenLockError(path, "a directory", "rm -r");
    if (code !== "ENOENT") throw withPath(error, path);
    const target = await readlink(path).catch(() => undefined);
    if (target === undefined) return null;
    throw brokenLockError(
      path,
      `a symbolic link to ${printablePath(target)}, which does not exist`,
      "rm",
    );
  }
}

/** Builds the error for a lock path that contains something other than a lock file. */
function brokenLockError(path: string, description: string, remove: string): PipelineError {
  const command = `${remove} ${printablePath(shellQuote(path))}`;
  return new PipelineError(
    ErrorCode.IO_FAILED,
    `${printablePath(path)} is ${description}, so no run can take the run lock. ` +
      "A run only ever writes a regular file there.",
    {
      path,
      hint: `No run holds the lock. Delete it (${command}) and run again; ` +
        "the next run creates the lock file.",
    },
  );
}

/**
 * Returns what fails every run at the lock path: a `directory`, or a
 * `dangling-link` and its target. Resolves undefined for anything else.
 */
export async function brokenRunLock(
  projectDir: string,
): Promise<{ kind: "directory" } | { kind: "dangling-link"; target: string } | undefined> {
  const path = join(projectDir, RUN_LOCK_PATH);
  const stats = await lstat(path).catch(() => undefined);
  if (stats?.isDirectory()) return { kind: "directory" };
  if (!stats?.isSymbolicLink()) return undefined;
  const missing = await stat(path).then(() => false, (error) => error?.code === "ENOENT");
  const target = await readlink(path).catch(() => undefined);
  return missing && target !== undefined ? { kind: "dangling-link", target } : undefined;
}

function activeError(holder: RunLockInfo, path: string): PipelineError {
  const elsewhere = holder.hostname !== undefined && holder.hostname !== "" &&
    holder.hostname !== hostname();
  const host = elsewhere ? ` on host ${JSON.stringify(holder.hostname)}` : "";
  const about = [
    holder.runId ? `run ${holder.runId}` : "",
    typeof holder.jobId === "string" && holder.jobId !== ""
      ? `job ${printablePath(holder.jobId)}`
      : "",
  ].filter((part) => part !== "").join(", ");
  const holderName = holder.command ? `\`${holder.command}\`` : "Another run";
  return new PipelineError(
    ErrorCode.RUN_ACTIVE,
    `${holderName} holds ${path}: pid ${holder.pid}${host}, started at ${holder.startedAt}${
      about ? ` (${about})` : ""
    }.`,
    {
      hint: elsewhere
        ? "This host cannot check a process on another host, so that lock is never taken over. " +
          `Once no run is in progress there, delete it (rm ${printablePath(shellQuote(path))}).`
        : `Wait for that ${holder.command ? "command" : "run"} to finish, or stop it. A lock ` +
          "left by a dead process on this host is reclaimed automatically.",
    },
  );
}

/**
 * Returns the holder of `.async/run.lock` in `projectDir` while it may be
 * alive, without taking or changing the lock. Resolves undefined when no
 * run has it.
 */
export async function activeRunLock(projectDir: string): Promise<RunLockInfo | undefined> {
  const holder = await readLock(join(projectDir, RUN_LOCK_PATH));
  return holder && holderMayBeAlive(holder) ? holder : undefined;
}

/**
 * Throws `ASYNC_PIPELINE_RUN_ACTIVE` when a run or a command that may be
 * alive has `.async/run.lock` in `projectDir`, because `action` (such as
 * `clear the cache`) could remove a cache entry that a run is writing or
 * restoring.
 * `retry` is the hint's way to try again, such as ``run `async-pipeline gc` again``.
 * A lock whose holder is gone does not block, as it does not block a run.
 */
export async function assertNoActiveRun(
  projectDir: string,
  action: string,
  retry: string,
): Promise<void> {
  const holder = await activeRunLock(projectDir);
  if (holder === undefined) return;
  const path = join(projectDir, RUN_LOCK_PATH);
  const elsewhere = holder.hostname !== undefined && holder.hostname !== "" &&
    holder.hostname !== hostname();
  const host = elsewhere ? ` on host ${JSON.stringify(holder.hostname)}` : "";
  const run = holder.command
    ? `\`${holder.command}\``
    : holder.runId
    ? `run ${holder.runId}`
    : "a run";
  const cause = holder.command
    ? "the two would remove cache entries at the same time"
    : "it could remove a cache entry that the run is writing or restoring";
  throw new PipelineError(
    ErrorCode.RUN_ACTIVE,
    `Cannot ${action} while ${run} (pid ${holder.pid}${host}, started at ${holder.startedAt}) ` +
      `holds ${printablePath(path)}: ${cause}.`,
    {
      path,
      hint: elsewhere
        ? "This host cannot check a process on another host. Once no run is in progress there, " +
          `delete the lock (rm ${printablePath(shellQuote(path))}) and ${retry}.`
        : `Wait for that ${holder.command ? "command" : "run"} to finish, or stop it, then ` +
          `${retry}. A lock left by a process that is gone does not block this.`,
    },
  );
}

/** Moves a stale lock aside and returns its contents, or undefined when another process won. */
async function takeStale(path: string): Promise<RunLockInfo | undefined | "gone"> {
  const aside = `${path}.stale-${randomBytes(4).toString("hex")}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw error;
  }
  const moved = parseLock(await readFile(aside, "utf8").catch(() => ""));
  if (moved !== undefined && isProcessAlive(moved.pid)) {
    // Another process took the lock between our read and the rename: put it back.
    await link(aside, path).catch(() => undefined);
    await rm(aside, { force: true });
    return undefined;
  }
  await rm(aside, { force: true });
  return moved ?? { pid: 0, startedAt: "unknown", runId: "", hostname: "" };
}

/**
 * Creates the lock file at `path` with `text`, only if no file is there.
 * Returns false when one is. Any other failure throws with the path, and a
 * failed write (a full disk) removes the empty file its exclusive create
 * made, which is this process's own. `write` is the file write to use.
 */
export async function createLockFile(
  path: string,
  text: string,
  write: typeof writeFile = writeFile,
): Promise<boolean> {
  try {
    await write(path, text, { flag: "wx" });
    return true;
  } catch (error) {
    const { code, syscall } = error as NodeJS.ErrnoException;
    if (code === "EEXIST") return false;
    if (syscall === "write") await rm(path, { force: true }).catch(() => {});
    throw withPath(error, path);
  }
}

/**
 * Takes `.async/run.lock` in `projectDir` for `runId` of the job `holder.jobId`,
 * or for `holder.command` (such as `gc`) when a command other than a run
 * takes it. Throws `ASYNC_PIPELINE_RUN_ACTIVE` naming the holder's pid, start
 * time and job when a
 * live process owns it, and reclaims it when the holder is dead.
 */
export async function acquireRunLock(
  projectDir: string,
  runId: string,
  holder: { readonly jobId?: string; readonly command?: string } = {},
): Promise<RunLock> {
  const path = join(projectDir, RUN_LOCK_PATH);
  await mkdir(join(projectDir, ".async"), { recursive: true });
  const info: RunLockInfo = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    runId,
    hostname: hostname(),
    ...(holder.jobId === undefined ? {} : { jobId: holder.jobId }),
    ...(holder.command === undefined ? {} : { command: holder.command }),
  };
  const text = `${JSON.stringify(info, null, 2)}\n`;
  let reclaimed: RunLockInfo | undefined;

  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createLockFile(path, text)) {
      return { info, ...(reclaimed ? { reclaimed } : {}), release: () => releaseLock(path, text) };
    }
    const holder = await readLock(path);
    if (holder === null) continue;
    if (holder !== undefined && holderMayBeAlive(holder)) throw activeError(holder, path);
    const previous = await takeStale(path);
    if (previous === undefined) throw activeError(holder ?? info, path);
    if (previous !== "gone") reclaimed = previous;
  }
  throw new PipelineError(
    ErrorCode.RUN_ACTIVE,
    `Could not take ${path}: other runs keep taking it.`,
    { hint: "Run again once the other runs have finished." },
  );
}

/** Options of {@link waitForRunLock}. */
export interface WaitForRunLockOptions {
  /** Stops the wait with `ASYNC_PIPELINE_INTERRUPTED` once aborted. */
  readonly signal?: AbortSignal;
  /** Called once, with the error that names the holder, when the lock is taken. */
  readonly onWait?: (active: PipelineError) => void;
  /** Milliseconds between two attempts (default 200). */
  readonly pollMs?: number;
}

/**
 * {@link acquireRunLock}, but while a live process holds the lock, waits
 * for it to be released instead of failing, trying again every `pollMs`.
 * A lock held on another host is still an error, because this host cannot
 * tell when that run ends.
 */
export async function waitForRunLock(
  projectDir: string,
  runId: string,
  holder: { readonly jobId?: string; readonly command?: string } = {},
  options: WaitForRunLockOptions = {},
): Promise<RunLock> {
  let reported = false;
  for (;;) {
    try {
      return await acquireRunLock(projectDir, runId, holder);
    } catch (error) {
      if (!(error instanceof PipelineError) || error.code !== ErrorCode.RUN_ACTIVE) throw error;
      const current = await readLock(join(projectDir, RUN_LOCK_PATH));
      const host = current ? current.hostname : undefined;
      if (host !== undefined && host !== "" && host !== hostname()) throw error;
      if (!reported) options.onWait?.(error);
      reported = true;
      await pause(options.pollMs ?? 200, options.signal);
    }
  }
}

/** Resolves after `ms`, or rejects with `ASYNC_PIPELINE_INTERRUPTED` once `signal` aborts. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const stopped = () => {
      clearTimeout(timer);
      reject(
        new PipelineError(ErrorCode.INTERRUPTED, "Interrupted while waiting for the run lock.", {
          hint: "Nothing ran, and the other run keeps its lock.",
        }),
      );
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", stopped);
      resolve();
    }, ms);
    if (signal?.aborted) stopped();
    else signal?.addEventListener("abort", stopped, { once: true });
  });
}

async function releaseLock(path: string, text: string): Promise<void> {
  try {
    if ((await readFile(path, "utf8")) === text) await rm(path, { force: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}
