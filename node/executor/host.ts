/** The host executor: shell steps run with `sh -c` on this machine. @module */

import process from "../process.ts";
import type { CommandExecutor, CommandResult, ShellRunOptions } from "../types.ts";
import { findOnPath } from "./group_launcher.ts";
import { pathWithoutPackageBins, pathWithPackageBins, withPackageBins } from "./package_bins.ts";
import { runInProcessGroup } from "./process_group.ts";
import { findExecutable } from "./which.ts";

/** Maximum number of remembered shell paths. The memo is cleared when it is full. */
const SHELL_MEMO_LIMIT = 64;

const shells = new Map<string, string>();

/**
 * Returns the absolute path of `sh` on `path`, or `sh` when it is not there.
 * `path` is the run's `PATH` without any `node_modules/.bin` directory, so no
 * installed package provides the shell.
 */
function shellOn(path: string): string {
  let shell = shells.get(path);
  if (shell === undefined) {
    shell = findOnPath("sh", path) ?? "sh";
    if (shells.size >= SHELL_MEMO_LIMIT) shells.clear();
    shells.set(path, shell);
  }
  return shell;
}

/** Options of {@link HostCommandExecutor}. */
export interface HostExecutorOptions {
  /** `PATH` used by `checkTool` (default: `process.env.PATH`). */
  path?: string;
  /**
   * Directory whose `node_modules/.bin` directories, and those above it,
   * `checkTool` also searches (default: the working directory).
   */
  cwd?: string;
  /** Milliseconds between SIGTERM and SIGKILL when a step is stopped (default 2000). */
  killGraceMs?: number;
}

/**
 * Runs each shell step as `sh -c <command>` in the task's working directory,
 * as the leader of its own process group. A timeout or an abort sends
 * SIGTERM to the whole group, then SIGKILL after a grace period. The step's
 * `PATH` starts with the `node_modules/.bin` directories of its working
 * directory and those above it, as in a package script.
 */
export class HostCommandExecutor implements CommandExecutor {
  readonly name = "host";
  readonly #path: string;
  readonly #cwd?: string;
  readonly #killGraceMs?: number;

  constructor(options: HostExecutorOptions = {}) {
    this.#path = options.path ?? process.env.PATH ?? "";
    this.#cwd = options.cwd;
    this.#killGraceMs = options.killGraceMs;
  }

  runShell(command: string, options: ShellRunOptions): Promise<CommandResult> {
    const systemPath = pathWithoutPackageBins(options.env.PATH);
    return runInProcessGroup(shellOn(systemPath), ["-c", command], {
      cwd: options.cwd,
      env: withPackageBins(options.env, options.cwd),
      lookupPath: systemPath,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      killGraceMs: this.#killGraceMs,
      onStdout: options.onStdout,
      onStderr: options.onStderr,
    });
  }

  /**
   * Looks `tool` up on `PATH` and in the `node_modules/.bin` directories a
   * step in the executor's directory gets. A name with a slash is checked as
   * a path.
   */
  async checkTool(tool: string): Promise<boolean> {
    const cwd = this.#cwd ?? process.cwd();
    const path = pathWithPackageBins(cwd, this.#path);
    return (await findExecutable(tool, { PATH: path }, cwd)) !== undefined;
  }
}
