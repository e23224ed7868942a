/**
 * Spawning a child process with collected output, a timeout and an abort
 * signal. Sandboxes and governed commands share it.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { constants } from "node:os";
import process from "node:process";
import type { CommandResult, ProcessEnv } from "../types.ts";

/** Exit code reported for a command stopped by its timeout, as `timeout(1)` does. */
export const TIMEOUT_EXIT_CODE = 124;
/** Exit code reported for a command stopped by an interrupt (128 + SIGINT). */
export const INTERRUPT_EXIT_CODE = 130;

/** Options of {@link spawnProcess}. */
export interface SpawnOptions {
  cwd: string;
  /** Complete environment of the child; also the PATH used to find `file`. */
  env: ProcessEnv;
  /** Text written to stdin, which is then closed. Without it stdin is empty. */
  input?: string;
  /** Stops the process after this many milliseconds; the result then has code 124. */
  timeoutMs?: number;
  /** Stops the process when aborted; the result then has code 130. */
  signal?: AbortSignal;
  /** Receives stdout as it arrives; the result's `stdout` then stays empty, as on the host executor. */
  onStdout?: (chunk: string) => void;
  /** Receives stderr as it arrives; the result's `stderr` then stays empty. */
  onStderr?: (chunk: string) => void;
  /**
   * Runs before the process group is signalled on timeout or abort, for
   * commands whose real work runs elsewhere (a container, a VM).
   */
  beforeKill?: () => Promise<void>;
  /** Milliseconds between SIGTERM and SIGKILL when stopping (default 2000). */
  killGraceMs?: number;
}

/**
 * Runs `file` with `args` in its own process group and resolves when it has
 * exited and its output streams have closed. Rejects only when the process
 * cannot be started (for example `ENOENT`).
 */
export function spawnProcess(
  file: string,
  args: readonly string[],
  options: SpawnOptions,
): Promise<CommandResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, [...args], {
      cwd: options.cwd,
      env: definedEnv(options.env),
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      detached: true,
    });
    const output = collectOutput(child, options);
    const stopper = new Stopper(child, options);

    if (options.input !== undefined && child.stdin) {
      child.stdin.on("error", () => {
        // The child may exit without reading its input; that is not an error here.
      });
      child.stdin.end(options.input);
    }

    child.once("error", (error) => {
      stopper.dispose();
      reject(error);
    });
    child.once("close", (code, signal) => {
      stopper.dispose();
      resolvePromise(
        buildResult(code, signal, output.stdout(), output.stderr(), stopper.reason),
      );
    });
  });
}

function collectOutput(child: ChildProcess, options: SpawnOptions) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout?.setEncoding("utf8");
  child.stderr?.setEncoding("utf8");
  child.stdout?.on("data", (chunk: string) => {
    if (options.onStdout) options.onStdout(chunk);
    else stdout.push(chunk);
  });
  child.stderr?.on("data", (chunk: string) => {
    if (options.onStderr) options.onStderr(chunk);
    else stderr.push(chunk);
  });
  return { stdout: () => stdout.join(""), stderr: () => stderr.join("") };
}

/** Stops a child on timeout or abort: the `beforeKill` hook, then SIGTERM, then SIGKILL. */
class Stopper {
  reason?: "timeout" | "interrupt";
  #timer?: ReturnType<typeof setTimeout>;
  #killTimer?: ReturnType<typeof setTimeout>;
  #onAbort = () => void this.stop("interrupt");
  #child: ChildProcess;
  #options: SpawnOptions;

  constructor(child: ChildProcess, options: SpawnOptions) {
    this.#child = child;
    this.#options = options;
    if (options.timeoutMs !== undefined) {
      this.#timer = setTimeout(() => void this.stop("timeout"), options.timeoutMs);
    }
    if (options.signal?.aborted) queueMicrotask(this.#onAbort);
    else options.signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  async stop(reason: "timeout" | "interrupt"): Promise<void> {
    if (this.reason !== undefined) return;
    this.reason = reason;
    try {
      await this.#options.beforeKill?.();
    } catch {
      // The process group is signalled next, which stops the local side regardless.
    }
    signalGroup(this.#child, "SIGTERM");
    this.#killTimer = setTimeout(
      () => signalGroup(this.#child, "SIGKILL"),
      this.#options.killGraceMs ?? 2000,
    );
  }

  dispose(): void {
    clearTimeout(this.#timer);
    clearTimeout(this.#killTimer);
    this.#options.signal?.removeEventListener("abort", this.#onAbort);
  }
}

/** Signals the child's whole process group, which outlives the child while its members run. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

function buildResult(
  code: number | null,
  signal: NodeJS.Signals | null,
  stdout: string,
  stderr: string,
  stopped: "timeout" | "interrupt" | undefined,
): CommandResult {
  if (stopped === "timeout") {
    return { code: TIMEOUT_EXIT_CODE, stdout, stderr, timedOut: true, signal: "SIGTERM" };
  }
  if (stopped === "interrupt") {
    return { code: INTERRUPT_EXIT_CODE, stdout, stderr, signal: "SIGINT" };
  }
  if (code !== null) return { code, stdout, stderr };
  const number = signal ? constants.signals[signal] ?? 0 : 0;
  return { code: 128 + number, stdout, stderr, ...(signal ? { signal } : {}) };
}

/** Drops undefined values, which `spawn` would otherwise pass as the string "undefined". */
export function definedEnv(env: ProcessEnv): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined) result[key] = value;
  }
  return result;
}
