/** The context handed to function steps when they run. @module */

import type { sh as shBuilder } from "./sh.ts";

/** Git facts about a repository, present when its directory is a git work tree. */
export interface GitFacts {
  /** Full commit SHA of HEAD. */
  readonly commit: string;
  /** Current branch, absent on a detached HEAD. */
  readonly branch?: string;
  /** True when tracked files differ from HEAD or untracked files exist. */
  readonly dirty: boolean;
}

/** The repository under test: the root pipeline's directory. */
export interface CandidateContext {
  readonly dir: string;
  /** Digest of the candidate's current state (commit plus local changes, or file contents). */
  readonly fingerprint: string;
  readonly git?: GitFacts;
}

/** The source repository a namespaced task or prepare step runs in. */
export interface SourceContext {
  readonly id: string;
  readonly dir: string;
  readonly type: "path" | "git";
  readonly ref?: string;
  readonly commit?: string;
}

/** Result of a command run through `ctx.command(...)`. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Set when the command was stopped by a timeout or interrupt. */
  readonly signal?: string;
  readonly timedOut?: boolean;
  /**
   * Set when the command's own processes had ended but a process outside its
   * process group kept its output open, so the output was closed without
   * waiting for that process.
   */
  readonly warning?: string;
}

/** Everything a function step receives. */
export interface TaskContext {
  /** Current task id (`<source>:<task>` for source tasks). */
  readonly taskId: string;
  /** Current execution id. */
  readonly runId: string;
  /** Task working directory: the root repo, or the source checkout for source tasks. */
  readonly cwd: string;
  /** Process environment of the task, with the job's env applied. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly root: { readonly dir: string };
  readonly candidate: CandidateContext;
  readonly source?: SourceContext;
  /** Aborted when the task times out or the run is interrupted. */
  readonly signal: AbortSignal;
  /** Adds metadata to this task's result in the execution record. Throws once the step ended. */
  meta(values: Record<string, unknown>): void;
  /** Appends a line to the task log. */
  log(message: string): void;
  /** The `sh` builder, for composing commands. */
  readonly sh: typeof shBuilder;
  /** Runs argv through the pipeline's command policy. Rejects, starting nothing, once the step ended. */
  command(args: readonly string[], options?: { cwd?: string }): Promise<CommandResult>;
}
