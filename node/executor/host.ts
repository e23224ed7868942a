/** The host executor: shell steps run with `sh -c` on this machine. @module */

import process from "../process.ts";
import type { CommandExecutor, CommandResult, ShellRunOptions } from "../types.ts";
import { runInProcessGroup } from "./process_group.ts";
import { findExecutable } from "./which.ts";

/** Options of {@link HostCommandExecutor}. */
export interface HostExecutorOptions {
  /** `PATH` used by `checkTool` (default: `process.env.PATH`). */
  path?: string;
  /** Milliseconds between SIGTERM and SIGKILL when a step is stopped (default 2000). */
  killGraceMs?: number;
}

/**
 * Runs each shell step as `sh -c <command>` in the task's working directory,
 * as the leader of its own process group. A timeout or an abort sends
 * SIGTERM to the whole group, then SIGKILL after a grace period.
 */
export class HostCommandExecutor implements CommandExecutor {
  readonly name = "host";
  readonly #path: string;
  readonly #killGraceMs?: number;

  constructor(options: HostExecutorOptions = {}) {
    this.#path = options.path ?? process.env.PATH ?? "";
    this.#killGraceMs = options.killGraceMs;
  }

  runShell(command: string, options: ShellRunOptions): Promise<CommandResult> {
    return runInProcessGroup("sh", ["-c", command], {
      cwd: options.cwd,
      env: options.env,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      killGraceMs: this.#killGraceMs,
      onStdout: options.onStdout,
      onStderr: options.onStderr,
    });
  }

  /** Looks `tool` up on `PATH`. A name with a slash is checked as a path. */
  async checkTool(tool: string): Promise<boolean> {
    return (await findExecutable(tool, { PATH: this.#path }, process.cwd())) !== undefined;
  }
}
