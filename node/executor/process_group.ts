/**
 * Spawning a command in its own process group, so a timeout or an interrupt
 * reaches the command and everything it started. POSIX only: it relies on
 * `detached: true` or the `setsid` program (see {@link setsidLauncher})
 * creating a new process group and on negative pids in `process.kill`.
 *
 * @module
 */

import { constants } from "node:os";
import process from "../process.ts";
import type { CommandResult, ProcessEnv } from "../types.ts";
import { startChild } from "./child.ts";
import { groupLaunch } from "./group_launcher.ts";
import { unwatchGroup, watchGroup } from "./watchdog.ts";

/** Exit code of a command stopped by its timeout, as GNU `timeout` reports it. */
export const TIMEOUT_EXIT_CODE = 124;

/** Default time between SIGTERM and SIGKILL when a process group is stopped. */
export const DEFAULT_KILL_GRACE_MS = 2000;

/**
 * Default time the runner keeps reading a command's output after its leader
 * exited and its process group became empty. A process outside the group
 * that keeps the output pipes open does not delay the result longer.
 */
export const DEFAULT_PIPE_GRACE_MS = 1000;

/** How often an exited command's group is checked for members while its pipes stay open. */
const GROUP_POLL_MS = 100;

/** Warning of a command whose output pipes a process outside its group kept open. */
export function heldOutputWarning(graceMs: number): string {
  return `A process outside the step's process group kept the step's output open after the ` +
    `step's own processes had ended, so its output was read for ${graceMs}ms more and then ` +
    `closed. That process keeps running: it left the process group (for example through ` +
    `setsid or job control), so a timeout or an interrupt does not reach it. Redirect the ` +
    `output of background processes the step starts, or stop them before the step ends.`;
}

/** Options of {@link runInProcessGroup}. */
export interface ProcessGroupOptions {
  cwd: string;
  env: ProcessEnv;
  /**
   * `PATH` to find `setsid` on under Deno (default `env.PATH`), when the
   * command's own `PATH` has directories that must not provide it.
   */
  lookupPath?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Milliseconds between SIGTERM and SIGKILL (default {@link DEFAULT_KILL_GRACE_MS}). */
  killGraceMs?: number;
  /** Receives stdout as it arrives, and the result's `stdout` then stays empty. */
  onStdout?: (chunk: string) => void;
  /** Receives stderr as it arrives, and the result's `stderr` then stays empty. */
  onStderr?: (chunk: string) => void;
  /** Text written to the command's stdin, which is then closed. Without it stdin is empty. */
  input?: string;
  /**
   * Milliseconds the output pipes may stay open after the leader exited and
   * the group is empty (default {@link DEFAULT_PIPE_GRACE_MS}).
   */
  pipeGraceMs?: number;
  /**
   * Runs on timeout or abort before the group is signalled, for commands whose
   * work runs elsewhere (a container, a VM). The group is signalled even when it fails.
   */
  beforeKill?: () => Promise<void>;
}

/**
 * Sends `signal` to the process group `-pid`, or to the process `pid`, and
 * returns false when there is no such group or process.
 */
function signalPid(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
    return false;
  }
}

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const number = signal ? (constants.signals as Record<string, number>)[signal] : undefined;
  return 128 + (number ?? 0);
}

/**
 * Runs `file` with `args` as the leader of a new process group and resolves
 * when it and its output streams are done. On timeout or abort the whole
 * group gets SIGTERM, then SIGKILL after the grace period, and a timeout
 * makes the exit code 124. When the leader exits on its own, processes it left
 * running in its group are stopped the same way, so no child outlives the
 * step. Once the leader exited and the group is empty, a process outside the
 * group that keeps stdout or stderr open delays the result by at most
 * `pipeGraceMs`. The pipes are then closed, and the result's `warning`
 * names the cause. Rejects only when the command cannot be started.
 */
export function runInProcessGroup(
  file: string,
  args: readonly string[],
  options: ProcessGroupOptions,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    // Through `setsid`, a plain spawn is enough: the program makes the group.
    const launch = groupLaunch(
      file,
      options.lookupPath === undefined ? options.env : { PATH: options.lookupPath },
    );
    const viaSetsid = !launch.detached;
    const grace = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let stopping = false;
    let exited = false;
    let closed = false;
    // Set once a signal finds the group empty after the leader exited: nothing
    // can join it again, and its id may be reused by an unrelated group.
    let groupGone = false;
    // Set when a stop of a running leader (a timeout or an abort) had to end the
    // group with SIGKILL. Leftovers of a leader that exited on its own do not count.
    let stoppedRunning = false;
    let killed = false;
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    let timeoutTimer: ReturnType<typeof setTimeout> | undefined;
    // After the leader exited: polls the group until it is empty, then waits for the pipes.
    let pipeTimer: ReturnType<typeof setTimeout> | undefined;
    const pipeGrace = options.pipeGraceMs ?? DEFAULT_PIPE_GRACE_MS;
    let released = false;

    /**
     * Signals the group. Started through `setsid`, the leader may not have
     * created its group yet, and then only it exists to be signalled.
     */
    const signalGroup = (pid: number, signal: NodeJS.Signals | 0): boolean => {
      if (groupGone) return false;
      if (signalPid(-pid, signal)) return true;
      if (!exited) return viaSetsid && signalPid(pid, signal);
      groupGone = true;
      return false;
    };
    const signalAll = (pid: number) => {
      if (closed || !signalGroup(pid, "SIGTERM")) return;
      killTimer = setTimeout(() => {
        killed = signalGroup(pid, "SIGKILL") && stoppedRunning;
      }, grace);
    };
    // A stop requested before the pid is known waits for `onSpawn`.
    let pendingStop: boolean | undefined;
    const stop = (cancelled: boolean) => {
      if (stopping) return;
      if (child.pid === undefined) {
        pendingStop ||= cancelled;
        return;
      }
      stopping = true;
      stoppedRunning = !exited;
      const pid = child.pid;
      if (!cancelled || options.beforeKill === undefined) return signalAll(pid);
      void options.beforeKill().catch(() => undefined).then(() => signalAll(pid));
    };
    const onAbort = () => stop(true);
    /**
     * Called once the leader exited. While the group has members, stopping
     * them lets the pipes close. Once it has none, only a process outside the
     * group can hold them, and the runner stops waiting after `pipeGrace`.
     */
    const watchPipes = () => {
      if (closed || child.pid === undefined) return;
      // Signal 0 only checks: it sets `groupGone` once the group has no member left.
      if (!groupGone) signalGroup(child.pid, 0);
      if (!groupGone) {
        pipeTimer = setTimeout(watchPipes, GROUP_POLL_MS);
        return;
      }
      pipeTimer = setTimeout(() => {
        if (closed) return;
        released = true;
        child.releaseOutput();
      }, pipeGrace);
    };
    const cleanup = () => {
      clearTimeout(timeoutTimer);
      clearTimeout(killTimer);
      clearTimeout(pipeTimer);
      options.signal?.removeEventListener("abort", onAbort);
    };

    // stdin is a pipe only with input, and stdout and stderr are always pipes.
    const child = startChild(launch.file, [...launch.prefix, ...args], {
      cwd: options.cwd,
      env: options.env,
      detached: launch.detached,
      input: options.input,
    }, {
      onSpawn: () => {
        if (pendingStop !== undefined) stop(pendingStop);
      },
      onStdout: (chunk) => {
        if (options.onStdout) options.onStdout(chunk);
        else stdout += chunk;
      },
      onStderr: (chunk) => {
        if (options.onStderr) options.onStderr(chunk);
        else stderr += chunk;
      },
      onError: (error) => {
        cleanup();
        reject(error);
      },
      // The leader is gone, but a background process it started may still hold
      // the output pipes open. Stopping the rest of the group lets them close.
      onExit: () => {
        exited = true;
        stop(false);
        watchPipes();
      },
      onClose: (code, signal) => {
        closed = true;
        exited = true;
        cleanup();
        if (child.pid !== undefined) signalGroup(child.pid, "SIGKILL");
        if (watched !== undefined) unwatchGroup(watched);
        // A group that outlived SIGTERM was ended by SIGKILL, whatever ended its leader.
        const ended = killed ? "SIGKILL" : signal;
        const result: CommandResult = {
          code: timedOut
            ? TIMEOUT_EXIT_CODE
            : killed
            ? exitCodeOf(null, "SIGKILL")
            : exitCodeOf(code, signal),
          stdout,
          stderr,
          ...(ended ? { signal: ended } : {}),
          ...(timedOut ? { timedOut: true } : {}),
          ...(released ? { warning: heldOutputWarning(pipeGrace) } : {}),
        };
        resolve(result);
      },
    });

    // A group the runner spawned itself is stopped by the watchdog if the
    // runner dies first. The spawner process stops those it started.
    const watched = child.pid;
    if (watched !== undefined) watchGroup(watched);

    if (options.timeoutMs !== undefined) {
      timeoutTimer = setTimeout(() => {
        timedOut = true;
        stop(true);
      }, options.timeoutMs);
    }
    if (options.signal?.aborted) queueMicrotask(onAbort);
    else options.signal?.addEventListener("abort", onAbort, { once: true });
  });
}
