/**
 * `runPipelineCli`: the `async-pipeline` CLI as a function, governed by the
 * pipeline's command policy. The `async-pipeline` executable runs the same
 * code path with the process's streams.
 *
 * @module
 */

import process from "../node/process.ts";
import type { CommandPolicy } from "../core/commands.ts";
import type { Pipeline } from "../core/model.ts";
import { decideCommand, formatArgs } from "../node/commands/policy.ts";
import { buildCommandRecord } from "../node/commands/record.ts";
import { pipelineSecretValues } from "../node/commands/secrets.ts";
import { loadPipeline } from "../node/load.ts";
import { Redactor } from "../node/redact.ts";
import { useConfigArgument } from "../node/cli_command.ts";
import type { CommandRecord, ProcessEnv } from "../node/types.ts";
import { reportError, runCli } from "./app.ts";
import { BufferSink, type CliContext, type TextSink } from "./io.ts";
import { CLI_PROGRAM, type PolicyInvocation, policyInvocation } from "./policy_args.ts";

export { CLI_PROGRAM } from "./policy_args.ts";

/** Exit codes of interrupted runs, as shells report death by these signals. */
export const INTERRUPT_EXIT_CODES = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143, EPIPE: 141 } as const;

/** Options of {@link runPipelineCli}. */
export interface RunPipelineCliOptions {
  /** CLI arguments without the program name, such as `["github", "check"]`. */
  args: readonly string[];
  /** Project directory the command runs in. */
  cwd: string;
  /** Environment of the command (default `process.env`, read only). */
  env?: ProcessEnv;
  /** Also receives stdout as it is written. */
  stdout?: TextSink;
  /** Also receives stderr as it is written. */
  stderr?: TextSink;
  /**
   * Aborting it stops a running job as an interrupt (SIGINT) does: no new
   * task starts, running commands are stopped, the record is finalized as
   * `failed` with `ASYNC_PIPELINE_INTERRUPTED`, and the code is 130.
   */
  signal?: AbortSignal;
}

/** Outcome of {@link runPipelineCli}. */
export interface RunPipelineCliResult {
  /**
   * Exit code the executable would return: 130 when `signal` aborted before
   * the command returned, as after SIGINT.
   */
  code: number;
  stdout: string;
  stderr: string;
  /** The invocation as the policy recorded it, when the pipeline's policy sets `record: true`. */
  command?: CommandRecord;
}

/**
 * Runs one CLI invocation in process and returns its exit code and output.
 * It spawns no `async-pipeline` process and changes no process-wide state
 * (working directory, environment, exit code). The invocation is matched
 * against the commands policy of the pipeline it uses as
 * `["async-pipeline", <command words>, <positionals>, <options>]`, without
 * `--debug`: a `mock` rule returns its result without running the command
 * and a `deny` rule fails with `ASYNC_PIPELINE_COMMAND_DENIED`.
 *
 * @example
 * ```ts
 * import { runPipelineCli } from "@async/pipeline";
 *
 * const result = await runPipelineCli({ args: ["github", "check"], cwd: process.cwd() });
 * if (result.code !== 0) console.error(result.stderr);
 * ```
 */
export async function runPipelineCli(
  options: RunPipelineCliOptions,
): Promise<RunPipelineCliResult> {
  const stdout = new TeeSink(options.stdout);
  const stderr = new TeeSink(options.stderr);
  const outcome = await invokePipelineCli({ ...options, stdout, stderr });
  const result: RunPipelineCliResult = {
    code: outcome.code,
    stdout: stdout.text(),
    stderr: stderr.text(),
  };
  if (outcome.policy?.record && outcome.decision) {
    const output = outcome.decision.outcome === "deny" ? undefined : result;
    result.command = buildCommandRecord(
      outcome.policy,
      [CLI_PROGRAM, ...options.args],
      outcome.decision,
      output,
      outcome.secretValues,
    );
  }
  return result;
}

/** Options of {@link invokePipelineCli}: {@link RunPipelineCliOptions} with required sinks. */
export interface InvokePipelineCliOptions extends RunPipelineCliOptions {
  stdout: TextSink;
  stderr: TextSink;
}

const INFORMATIONAL_FLAGS = ["--help", "-h", "--version", "-V"];

/** Returns true for invocations that only print help or the version. */
function isInformational(args: readonly string[]): boolean {
  const words = args.filter((arg) => arg !== "--debug");
  return words.length === 0 || words[0] === "help" || words[0] === "version" ||
    words.some((arg) => INFORMATIONAL_FLAGS.includes(arg));
}

/**
 * Applies the command policy, then dispatches to the CLI command. Both
 * {@link runPipelineCli} and the executable run through it.
 */
export async function invokePipelineCli(options: InvokePipelineCliOptions) {
  const env = options.env ?? process.env;
  const ctx: CliContext = {
    cwd: options.cwd,
    env,
    stdout: options.stdout,
    stderr: options.stderr,
    signal: options.signal ?? new AbortController().signal,
    debug: options.args.includes("--debug"),
  };
  // Help and version skip the project's pipeline file (tested), so it cannot make them fail or print.
  const informational = isInformational(options.args);
  let invocation: PolicyInvocation = { argv: [CLI_PROGRAM, ...options.args] };
  if (!informational) {
    try {
      invocation = policyInvocation(options.args);
    } catch (error) {
      return {
        code: reportError(error, ctx),
        policy: undefined,
        decision: undefined,
        secretValues: [],
      };
    }
  }
  const pipeline = informational ? undefined : await loadPolicyPipeline(options.cwd, invocation);
  const policy: CommandPolicy | undefined = pipeline?.commands;
  const secretValues = pipeline ? pipelineSecretValues(pipeline, env) : [];
  const redactor = new Redactor(secretValues);
  const decision = decideCommand(
    policy,
    invocation.argv,
    env,
    (words) => redactor.redact(formatArgs(words)),
  );

  let code: number;
  if (decision.outcome === "deny") {
    code = reportError(decision.error, ctx);
  } else if (decision.outcome === "mock") {
    if (decision.result.stdout) ctx.stdout.write(decision.result.stdout);
    if (decision.result.stderr) ctx.stderr.write(decision.result.stderr);
    code = decision.result.code;
  } else {
    useConfigArgument(invocation.config);
    try {
      code = await runCli(options.args, ctx);
    } finally {
      useConfigArgument(undefined);
    }
    // A command stopped by the signal exits as the executable does after Ctrl-C.
    if (ctx.signal.aborted) code = INTERRUPT_EXIT_CODES.SIGINT;
  }
  return { code, policy, decision: policy ? decision : undefined, secretValues };
}

/**
 * Loads the pipeline whose policy governs the invocation: the `--config`
 * file the command will use, else the pipeline file of `cwd`. A missing or
 * broken pipeline means no policy here. That opens nothing: every command
 * that changes anything loads the same file and fails with that error,
 * while help, `explain` and `doctor` must still work.
 */
async function loadPolicyPipeline(
  cwd: string,
  invocation: PolicyInvocation,
): Promise<Pipeline | undefined> {
  try {
    return (await loadPipeline(cwd, invocation.config)).pipeline;
  } catch {
    return undefined;
  }
}

/** Collects text and forwards it to an optional second sink. */
class TeeSink implements TextSink {
  readonly #buffer = new BufferSink();
  readonly #target?: TextSink;
  readonly isTTY: boolean;

  constructor(target?: TextSink) {
    this.#target = target;
    this.isTTY = target?.isTTY === true;
  }

  write(text: string): void {
    this.#buffer.write(text);
    this.#target?.write(text);
  }

  text(): string {
    return this.#buffer.text();
  }
}
