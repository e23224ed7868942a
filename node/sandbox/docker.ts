/**
 * The Docker sandbox: each shell step runs in a fresh `docker run --rm`
 * container with the project mounted at the same path.
 *
 * @module
 */

import { randomBytes } from "node:crypto";
import { relative } from "node:path";
import process from "../process.ts";
import { ErrorCode, PipelineError } from "../../core/errors.ts";
import { runInProcessGroup } from "../executor/process_group.ts";
import { findExecutable } from "../executor/which.ts";
import type { CommandExecutor, CommandResult, ProcessEnv, ShellRunOptions } from "../types.ts";
import { cleanUpOnRunnerExit } from "./cleanup.ts";
import { sandboxEnvNames } from "./env.ts";

/** `docker run` exits with 125 when Docker itself failed, before the command started. */
const DOCKER_FAILURE_EXIT_CODE = 125;
/** Characters of streamed stderr kept to explain a `docker run` failure. */
const STDERR_TAIL_CHARS = 4096;

/** Options of {@link DockerCommandExecutor}. */
export interface DockerExecutorOptions {
  /** Image to run, such as `node:24`. */
  image: string;
  /** Host directory mounted read-write at the same path inside the container. */
  projectDir: string;
  /** Container user (`--user`); the image's default user when absent. */
  user?: string;
  /** Extra `docker run` arguments, placed before the image. */
  args?: readonly string[];
  /** Host variables forwarded by name, besides the step's declared env and the neutral ones. */
  passEnv?: readonly string[];
  /** Sandbox id named in error messages (default `docker`). */
  id?: string;
  /** Environment used to find and run `docker` for `checkTool` (default `process.env`). */
  env?: ProcessEnv;
}

/**
 * Runs shell steps in Docker containers. Each step becomes
 * `docker run --rm --name <name> --mount <project> -w <cwd> -e NAME... <image> sh -c <command>`.
 * Variables are passed by name, so their values travel in the environment of
 * the `docker` process and never appear on a command line. A timeout or
 * interrupt runs `docker kill <name>`, and so does the watchdog if the runner
 * dies while the container runs.
 *
 * @example
 * ```ts
 * import { DockerCommandExecutor } from "@async/pipeline/node";
 *
 * const executor = new DockerCommandExecutor({ image: "node:24", projectDir: "/work/app" });
 * ```
 */
export class DockerCommandExecutor implements CommandExecutor {
  readonly name = "docker";
  readonly image: string;
  readonly projectDir: string;
  readonly id: string;
  readonly #options: DockerExecutorOptions;
  readonly #tools = new Map<string, Promise<boolean>>();

  constructor(options: DockerExecutorOptions) {
    this.#options = options;
    this.image = options.image;
    this.projectDir = options.projectDir;
    this.id = options.id ?? "docker";
  }

  /** Runs `command` with `sh -c` in a new container and removes the container afterwards. */
  async runShell(command: string, options: ShellRunOptions): Promise<CommandResult> {
    await this.#requireDocker(options.env);
    const container = containerName(options.task.id);
    const args = [
      "run",
      "--rm",
      "--name",
      container,
      ...this.#mountArgs(options.cwd),
      "-w",
      options.cwd,
      ...sandboxEnvNames(options.env, options.declaredEnv, this.#options.passEnv)
        .flatMap((name) => ["-e", name]),
      ...this.#containerArgs(),
      "sh",
      "-c",
      command,
    ];
    // Streamed stderr is not kept in the result, so keep its tail to explain a Docker failure.
    let stderrTail = "";
    const onStderr = options.onStderr && ((chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
      options.onStderr?.(chunk);
    });
    // The container runs outside the runner's process groups, so only `docker kill` stops it.
    const forgetCleanup = cleanUpOnRunnerExit(["docker", "kill", container], options.env);
    let result: CommandResult;
    try {
      result = await runInProcessGroup("docker", args, {
        cwd: this.projectDir,
        env: options.env,
        timeoutMs: options.timeoutMs,
        signal: options.signal,
        onStdout: options.onStdout,
        onStderr,
        beforeKill: () => this.#kill(container, options.env),
      });
    } finally {
      forgetCleanup();
    }
    if (result.code === DOCKER_FAILURE_EXIT_CODE && !result.timedOut && !result.signal) {
      throw this.#dockerError(onStderr ? stderrTail : result.stderr);
    }
    return result;
  }

  /** Returns whether `tool` is on the container's PATH, running `command -v` in the image. */
  checkTool(tool: string): Promise<boolean> {
    let answer = this.#tools.get(tool);
    if (!answer) {
      answer = this.#checkTool(tool);
      this.#tools.set(tool, answer);
    }
    return answer;
  }

  async #checkTool(tool: string): Promise<boolean> {
    const env = this.#options.env ?? process.env;
    await this.#requireDocker(env);
    const container = containerName(`check-${tool}`);
    const args = [
      "run",
      "--rm",
      "--name",
      container,
      ...this.#containerArgs(),
      "sh",
      "-c",
      'command -v "$1" >/dev/null',
      "sh",
      tool,
    ];
    const forgetCleanup = cleanUpOnRunnerExit(["docker", "kill", container], env);
    let result: CommandResult;
    try {
      result = await runInProcessGroup("docker", args, { cwd: this.projectDir, env });
    } finally {
      forgetCleanup();
    }
    if (result.code === DOCKER_FAILURE_EXIT_CODE) throw this.#dockerError(result.stderr);
    return result.code === 0;
  }

  /** `--user`, the sandbox's extra arguments and the image: the tail shared by every `docker run`. */
  #containerArgs(): string[] {
    return [
      ...(this.#options.user !== undefined ? ["--user", this.#options.user] : []),
      ...(this.#options.args ?? []),
      this.image,
    ];
  }

  /** Mounts the project, plus the step's directory when it lies outside the project. */
  #mountArgs(cwd: string): string[] {
    const dirs = [this.projectDir];
    const fromProject = relative(this.projectDir, cwd);
    if (fromProject.startsWith("..") || fromProject.startsWith("/")) dirs.push(cwd);
    return dirs.flatMap((dir) => ["--mount", bindMount(dir)]);
  }

  async #requireDocker(env: ProcessEnv): Promise<void> {
    if (await findExecutable("docker", env)) return;
    throw new PipelineError(
      ErrorCode.SANDBOX_UNAVAILABLE,
      `Sandbox "${this.id}" needs the docker command, which was not found on PATH.`,
      {
        hint:
          "Install Docker (https://docs.docker.com/get-docker/) and make sure `docker` is on PATH, or run without --sandbox to use the host.",
      },
    );
  }

  async #kill(container: string, env: ProcessEnv): Promise<void> {
    await runInProcessGroup("docker", ["kill", container], {
      cwd: this.projectDir,
      env,
      timeoutMs: 10_000,
    });
  }

  /** Explains a `docker run` failure (exit code 125) from Docker's own message. */
  #dockerError(stderr: string): PipelineError {
    const daemonDown = /Cannot connect to the Docker daemon|docker daemon is not running/i;
    if (daemonDown.test(stderr)) {
      return new PipelineError(
        ErrorCode.SANDBOX_UNAVAILABLE,
        `Sandbox "${this.id}": the Docker daemon is not running (${
          detailLine(stderr, daemonDown)
        }).`,
        { hint: "Start Docker (Docker Desktop, or `sudo systemctl start docker`) and run again." },
      );
    }
    const pullFailed =
      /Unable to find image|pull access denied|manifest unknown|manifest for \S+ not found|repository does not exist|failed to resolve reference/i;
    if (pullFailed.test(stderr)) {
      return new PipelineError(
        ErrorCode.SANDBOX_UNAVAILABLE,
        `Sandbox "${this.id}": Docker could not pull image "${this.image}" (${
          detailLine(stderr)
        }).`,
        {
          hint:
            `Check the image name and tag, run \`docker pull ${this.image}\` to see the full error, or log in with \`docker login\` for a private registry.`,
        },
      );
    }
    return new PipelineError(
      ErrorCode.SANDBOX_FAILED,
      `Sandbox "${this.id}": docker run failed before the command started (${detailLine(stderr)}).`,
      { hint: "Run the docker command by hand to see the full error." },
    );
  }
}

/** Builds a container name unique to one step and readable in `docker ps`. */
function containerName(label: string): string {
  const slug = label.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^[-.]+/, "").slice(0, 40);
  return `async-pipeline-${slug || "step"}-${randomBytes(4).toString("hex")}`;
}

/** Builds a `--mount` value that binds `dir` at the same path, CSV-quoted when the path needs it. */
function bindMount(dir: string): string {
  const field = (name: string) => {
    const text = `${name}=${dir}`;
    return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return `type=bind,${field("source")},${field("target")}`;
}

/** The pointer to `--help` that the docker client prints after each error. */
const DOCKER_HELP_LINE = /^Run '[^']+--help' for more information\.?$/;

/**
 * Returns the line of docker's stderr to quote in an error: the first line
 * that matches `pattern`, or else the last line that is not the pointer to
 * `--help`.
 */
function detailLine(text: string, pattern?: RegExp): string {
  const lines = text.split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !DOCKER_HELP_LINE.test(line));
  const line = pattern ? lines.find((candidate) => pattern.test(candidate)) : lines.at(-1);
  return line ?? lines.at(-1) ?? "no error output";
}
