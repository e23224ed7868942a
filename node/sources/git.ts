/** Running `git` for source checkouts, with prompts disabled and credentials masked. @module */

import { execFile } from "node:child_process";
import type { ProcessEnv } from "../types.ts";
import { maskUrlCredentials } from "../../core/sources.ts";

export { maskUrlCredentials };

/** Output of one git command. */
export interface GitResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link runGit}. */
export interface GitOptions {
  readonly cwd: string;
  readonly env: ProcessEnv;
  /** Aborting it stops git. */
  readonly signal?: AbortSignal;
}

/**
 * Returns the env for git: the run env with terminal prompts off, so a URL
 * that needs credentials fails instead of waiting for input. SSH runs in
 * batch mode unless the env already chooses an SSH command.
 */
export function gitEnv(env: ProcessEnv): ProcessEnv {
  const sshSet = env.GIT_SSH_COMMAND !== undefined || env.GIT_SSH !== undefined;
  return {
    ...env,
    GIT_TERMINAL_PROMPT: "0",
    GIT_OPTIONAL_LOCKS: "0",
    ...(sshSet ? {} : { GIT_SSH_COMMAND: "ssh -o BatchMode=yes" }),
  };
}

/**
 * Runs `git args` and resolves with its exit code and output. Resolves with
 * code 127 when git cannot start or its output exceeds 64 MiB, and rejects
 * only when `signal` aborts.
 */
export function runGit(args: readonly string[], options: GitOptions): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      [...args],
      {
        cwd: options.cwd,
        env: gitEnv(options.env),
        maxBuffer: 64 * 1024 * 1024,
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (error, stdout, stderr) => {
        if (options.signal?.aborted) return reject(options.signal.reason);
        if (error === null) return resolve({ code: 0, stdout, stderr });
        // A numeric code is git's exit status. Other failures (git missing, output over
        // maxBuffer) resolve as 127 with the error message.
        if (typeof error.code === "number") return resolve({ code: error.code, stdout, stderr });
        resolve({ code: 127, stdout, stderr: stderr || error.message });
      },
    );
  });
}

/** Returns the last non-empty lines of git's stderr, masked, for an error message. */
export function gitErrorText(result: GitResult, lines = 5): string {
  const text = result.stderr.split("\n").map((line) => line.trim()).filter(Boolean)
    .slice(-lines).join(" ");
  return maskUrlCredentials(text || `git exited with code ${result.code}`);
}
