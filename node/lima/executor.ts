/**
 * The Lima sandbox: each shell step runs in a Lima VM through
 * `limactl shell --workdir <dir> <vm>`.
 *
 * @module
 */

import { randomBytes } from "node:crypto";
import process from "../process.ts";
import { ErrorCode, PipelineError } from "../../core/errors.ts";
import { shellQuote } from "../../core/sh.ts";
import { runInProcessGroup } from "../executor/process_group.ts";
import { findExecutable } from "../executor/which.ts";
import { cleanUpOnRunnerExit } from "../sandbox/cleanup.ts";
import { sandboxEnvNames } from "../sandbox/env.ts";
import type { CommandExecutor, CommandResult, ProcessEnv, ShellRunOptions } from "../types.ts";

/**
 * Runs inside the VM as `sh -c STEP_SCRIPT sh <pid file> <command>`. It
 * records its pid so a timeout can kill the step, reads the exported
 * variables from stdin, runs the step's command and removes the pid file.
 */
const STEP_SCRIPT = [
  'echo "$$" > "$1" || exit 125',
  'eval "$(cat)" || { rm -f "$1"; exit 125; }',
  'sh -c "$2"',
  "status=$?",
  'rm -f "$1"',
  'exit "$status"',
].join("\n");

/**
 * Kills the process group of the step whose pid file is `$1`. The remote
 * command belongs to the ssh session's process group, so killing the group
 * also stops what the step started. The pid file goes first, so a step seen
 * stopped never leaves its pid file behind.
 */
const KILL_SCRIPT = [
  'pid=$(cat "$1" 2>/dev/null) || exit 0',
  'rm -f "$1"',
  'group=$(ps -o pgid= -p "$pid" | tr -d " ")',
  'kill -KILL "-$group" 2>/dev/null || kill -KILL "$pid" 2>/dev/null',
].join("\n");

/** Options of {@link LimaCommandExecutor}. */
export interface LimaExecutorOptions {
  /** Lima instance name, as listed by `limactl list`. */
  vm: string;
  /**
   * Host directory that the VM must mount at the same path, such as the
   * project directory. Before the first step the executor checks that the VM
   * can enter it. Without it nothing is checked, and a step whose directory
   * the VM does not mount fails when it starts.
   */
  projectDir?: string;
  /** Sandbox id named in error messages (default `lima`). */
  id?: string;
  /** Host variables forwarded by name, besides the step's declared env and the neutral ones. */
  passEnv?: readonly string[];
  /** Environment used to find and run `limactl` for `checkTool` (default `process.env`). */
  env?: ProcessEnv;
}

/**
 * Runs shell steps in a Lima VM. The step's directory must be mounted in the
 * VM at the same path (Lima mounts the home directory by default). Variables
 * are exported from a script sent on stdin, so their values never appear on a
 * command line on either side.
 *
 * @example
 * ```ts
 * import { LimaCommandExecutor } from "@async/pipeline/lima";
 * import { runJob } from "@async/pipeline/node";
 * import pipeline from "./pipeline.ts";
 *
 * await runJob(pipeline, {
 *   id: "verify",
 *   executor: new LimaCommandExecutor({ vm: "async-pipeline" }),
 * });
 * ```
 */
export class LimaCommandExecutor implements CommandExecutor {
  readonly name = "lima";
  readonly vm: string;
  readonly id: string;
  readonly projectDir?: string;
  readonly #env?: ProcessEnv;
  readonly #passEnv: readonly string[];
  #ready?: Promise<void>;
  readonly #tools = new Map<string, Promise<boolean>>();

  constructor(options: LimaExecutorOptions) {
    if (typeof options?.vm !== "string" || options.vm === "") {
      throw new PipelineError(
        ErrorCode.INVALID_FIELD,
        'LimaCommandExecutor: vm must be the name of a Lima instance, such as "default".',
      );
    }
    this.vm = options.vm;
    if (options.projectDir !== undefined) this.projectDir = options.projectDir;
    this.id = options.id ?? "lima";
    this.#env = options.env;
    this.#passEnv = options.passEnv ?? [];
  }

  /** Runs `command` with `sh -c` in the VM, in the step's working directory. */
  async runShell(command: string, options: ShellRunOptions): Promise<CommandResult> {
    await this.#requireRunning(options.env);
    const pidFile = `/tmp/async-pipeline-${randomBytes(6).toString("hex")}.pid`;
    const args = [
      "shell",
      "--workdir",
      options.cwd,
      this.vm,
      "sh",
      "-c",
      STEP_SCRIPT,
      "sh",
      pidFile,
      command,
    ];
    // The step runs in the VM, outside the runner's process groups, so only the kill script stops it.
    const forgetCleanup = cleanUpOnRunnerExit(["limactl", ...this.#killArgs(pidFile)], options.env);
    try {
      return await runInProcessGroup("limactl", args, {
        cwd: options.cwd,
        env: options.env,
        input: exportScript(
          options.env,
          sandboxEnvNames(options.env, options.declaredEnv, this.#passEnv),
        ),
        timeoutMs: options.timeoutMs,
        signal: options.signal,
        onStdout: options.onStdout,
        onStderr: options.onStderr,
        beforeKill: () => this.#kill(pidFile, options.env),
      });
    } finally {
      forgetCleanup();
    }
  }

  /** Returns whether `tool` is on the VM's PATH. */
  checkTool(tool: string): Promise<boolean> {
    let answer = this.#tools.get(tool);
    if (!answer) {
      answer = this.#checkTool(tool);
      this.#tools.set(tool, answer);
    }
    return answer;
  }

  async #checkTool(tool: string): Promise<boolean> {
    const env = this.#env ?? process.env;
    await this.#requireRunning(env);
    const args = ["shell", this.vm, "sh", "-c", 'command -v "$1" >/dev/null', "sh", tool];
    const result = await runInProcessGroup("limactl", args, { cwd: "/", env });
    return result.code === 0;
  }

  /** Checks once per executor that `limactl` exists and the VM is running. */
  #requireRunning(env: ProcessEnv): Promise<void> {
    this.#ready ??= this.#checkRunning(env);
    return this.#ready;
  }

  async #checkRunning(env: ProcessEnv): Promise<void> {
    if (!(await findExecutable("limactl", env))) {
      throw new PipelineError(
        ErrorCode.SANDBOX_UNAVAILABLE,
        `Sandbox "${this.id}" needs the limactl command, which was not found on PATH.`,
        {
          hint:
            "Install Lima (https://lima-vm.io/docs/installation/) and make sure `limactl` is on PATH, or run without --sandbox to use the host.",
        },
      );
    }
    const result = await runInProcessGroup(
      "limactl",
      ["list", "--format", "{{.Status}}", this.vm],
      {
        cwd: "/",
        env,
      },
    );
    const status = result.stdout.trim();
    if (result.code !== 0 || status === "") {
      throw new PipelineError(
        ErrorCode.SANDBOX_UNAVAILABLE,
        `Sandbox "${this.id}": Lima VM "${this.vm}" does not exist.`,
        {
          hint: `Create and start it with \`limactl start --name=${
            shellQuote(this.vm)
          } template://default\`, or set vm to an instance listed by \`limactl list\`.`,
        },
      );
    }
    if (status !== "Running") {
      throw new PipelineError(
        ErrorCode.SANDBOX_UNAVAILABLE,
        `Sandbox "${this.id}": Lima VM "${this.vm}" is not running (status: ${status}).`,
        { hint: `Start it with \`limactl start ${shellQuote(this.vm)}\` and run again.` },
      );
    }
    if (this.projectDir !== undefined) await this.#checkMounted(this.projectDir, env);
  }

  /** Checks that the VM can enter `dir`, which it must mount at the same path. */
  async #checkMounted(dir: string, env: ProcessEnv): Promise<void> {
    const result = await runInProcessGroup(
      "limactl",
      ["shell", "--workdir", dir, this.vm, "true"],
      { cwd: "/", env },
    );
    if (result.code === 0) return;
    const detail = result.stderr.trim().split("\n").at(-1) || `exit code ${result.code}`;
    throw new PipelineError(
      ErrorCode.SANDBOX_UNAVAILABLE,
      `Sandbox "${this.id}": Lima VM "${this.vm}" cannot enter ${dir}, which it must mount at the same path (${detail}).`,
      {
        hint: `Add a writable mount of ${dir} to the VM's configuration (\`limactl edit ${
          shellQuote(this.vm)
        }\`) and restart it, or set the sandbox's cwd to a directory the VM mounts.`,
      },
    );
  }

  /** Arguments of the `limactl` command that kills the step whose pid file is `pidFile`. */
  #killArgs(pidFile: string): string[] {
    return ["shell", this.vm, "sh", "-c", KILL_SCRIPT, "sh", pidFile];
  }

  async #kill(pidFile: string, env: ProcessEnv): Promise<void> {
    await runInProcessGroup("limactl", this.#killArgs(pidFile), {
      cwd: "/",
      env,
      timeoutMs: 10_000,
    });
  }
}

/** Builds the stdin script that exports the variables `names` of `env` inside the VM. */
function exportScript(env: ProcessEnv, names: readonly string[]): string {
  return names
    .map((name) => `export ${name}=${shellQuote(env[name] ?? "")}\n`)
    .join("");
}
