/**
 * A scripted executor for testing pipelines without running their commands.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RecordingExecutor, runJob } from "@async/pipeline/node";
 * import pipeline from "./pipeline.ts";
 *
 * const executor = new RecordingExecutor({
 *   results: [{ match: "npm publish", code: 0, stdout: "published\n" }],
 * });
 * const record = await runJob(pipeline, { id: "publish", executor, env: { NPM_TOKEN: "fake" } });
 * assert.equal(record.status, "passed");
 * assert.deepEqual(executor.calls.map((call) => call.command), ["npm publish"]);
 * ```
 *
 * @module
 */

import type { CommandExecutor, CommandResult, ShellRunOptions } from "../types.ts";
import { checkRecordingOptions, ruleMatches } from "./recording_options.ts";

/** One shell command the recording executor received. */
export interface RecordedCommand {
  /** Id of the task that ran the command. */
  readonly taskId: string;
  /** The command text as the shell would have received it. */
  readonly command: string;
  /** Working directory of the step. */
  readonly cwd: string;
  /** Names of the variables in the step's environment, sorted. Values are never kept. */
  readonly envNames: readonly string[];
  /**
   * Milliseconds left of the task's timeout when the command started, when
   * the task sets one: at most the timeout, less after earlier steps.
   */
  readonly timeoutMs?: number;
}

/** A scripted result: the first rule whose `match` fits the command is returned. */
export interface ScriptedResult {
  /** A string matches commands that contain it, and a RegExp is tested against the command. */
  readonly match: string | RegExp;
  /** Exit code from 0 to 255 (default 0). */
  readonly code?: number;
  readonly stdout?: string;
  readonly stderr?: string;
  /** Reports the command as stopped by its timeout, with exit code 124. */
  readonly timedOut?: boolean;
  /**
   * How many times this rule applies before later rules are tried
   * (default: every time). Use it to script "fails once, then passes".
   */
  readonly times?: number;
}

/** Options of {@link RecordingExecutor}. */
export interface RecordingExecutorOptions {
  /** Rules tried in order. Commands that match no rule pass with no output. */
  readonly results?: readonly ScriptedResult[];
  /**
   * Tools that `checkTool` reports as available. Omit it to report every tool
   * as available.
   */
  readonly tools?: readonly string[];
}

/**
 * Records each shell command with its working directory and environment
 * names, runs nothing, and returns scripted results.
 */
export class RecordingExecutor implements CommandExecutor {
  readonly name = "recording";
  /** Every command received, in order. */
  readonly calls: RecordedCommand[] = [];
  readonly #results: readonly ScriptedResult[];
  readonly #uses = new Map<ScriptedResult, number>();
  readonly #tools?: ReadonlySet<string>;

  /**
   * Checks `options` as the pipeline builders check theirs: an unknown field
   * throws `ASYNC_PIPELINE_UNKNOWN_FIELD` with the nearest valid name, and a
   * value of the wrong type `ASYNC_PIPELINE_INVALID_FIELD`.
   */
  constructor(options: RecordingExecutorOptions = {}) {
    checkRecordingOptions(arguments);
    this.#results = options.results ?? [];
    this.#tools = options.tools === undefined ? undefined : new Set(options.tools);
  }

  runShell(command: string, options: ShellRunOptions): Promise<CommandResult> {
    this.calls.push({
      taskId: options.task.id,
      command,
      cwd: options.cwd,
      envNames: Object.keys(options.env).filter((name) => options.env[name] !== undefined).sort(),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    const rule = this.#find(command);
    if (rule === undefined) return Promise.resolve({ code: 0, stdout: "", stderr: "" });
    this.#uses.set(rule, (this.#uses.get(rule) ?? 0) + 1);
    return Promise.resolve({
      code: rule.timedOut ? 124 : rule.code ?? 0,
      stdout: rule.stdout ?? "",
      stderr: rule.stderr ?? "",
      ...(rule.timedOut ? { timedOut: true } : {}),
    });
  }

  checkTool(tool: string): Promise<boolean> {
    return Promise.resolve(this.#tools === undefined || this.#tools.has(tool));
  }

  #find(command: string): ScriptedResult | undefined {
    return this.#results.find((rule) => {
      if (rule.times !== undefined && (this.#uses.get(rule) ?? 0) >= rule.times) return false;
      return ruleMatches(rule, command);
    });
  }
}
