/** The command runner behind `ctx.command(...)`, governed by the pipeline's command policy. @module */

import type { CommandPolicy } from "../../core/commands.ts";
import { ErrorCode, PipelineError } from "../../core/errors.ts";
import { spawnProcess } from "../process/spawn.ts";
import type { CommandRecord, CommandResult, GovernedCommandRunner } from "../types.ts";
import { decideCommand, formatArgs } from "./policy.ts";
import { buildCommandRecord, redactSecrets } from "./record.ts";

/** Exit code of a command whose executable was not found, as shells report it. */
const NOT_FOUND_EXIT_CODE = 127;

/** Options of {@link createGovernedCommandRunner}. */
export interface GovernedCommandRunnerOptions {
  /** The policy to apply; without one every command runs and nothing is recorded. */
  policy?: CommandPolicy;
  /** Receives each command's record when the policy sets `record: true`. */
  onRecord?: (record: CommandRecord) => void;
}

/**
 * Creates the runner for `ctx.command(args)`. Each call is matched against
 * the policy: `allow` spawns argv directly (no shell), `mock` returns the
 * rule's result without spawning, and `deny` (or a `requireEnvironment` rule
 * whose environment does not match) throws `ASYNC_PIPELINE_COMMAND_DENIED`
 * naming the rule.
 *
 * @example
 * ```ts
 * import { command } from "@async/pipeline";
 * import { createGovernedCommandRunner } from "@async/pipeline/node";
 *
 * const records = [];
 * const run = createGovernedCommandRunner({
 *   policy: command.policy({ rules: [], record: true }),
 *   onRecord: (record) => records.push(record),
 * });
 * const result = await run(["git", "status"], { cwd: ".", env: {}, secretValues: [] });
 * ```
 */
export function createGovernedCommandRunner(
  options: GovernedCommandRunnerOptions = {},
): GovernedCommandRunner {
  const { policy, onRecord } = options;
  return async (args, { cwd, env, secretValues, signal }) => {
    if (!Array.isArray(args) || args.length === 0 || !args.every((a) => typeof a === "string")) {
      throw new PipelineError(
        ErrorCode.INVALID_FIELD,
        'ctx.command expects argv as a non-empty array of strings, such as ["git", "status"].',
      );
    }
    const display = (words: readonly string[]) => redactSecrets(formatArgs(words), secretValues);
    const decision = decideCommand(policy, args, env, display);
    const record = (result?: CommandResult) => {
      if (policy?.record && onRecord) {
        onRecord(buildCommandRecord(policy, args, decision, result, secretValues));
      }
    };

    if (decision.outcome === "deny") {
      record();
      throw decision.error;
    }
    if (decision.outcome === "mock") {
      record(decision.result);
      return decision.result;
    }
    const result = await spawnArgv(args, { cwd, env, signal });
    record(result);
    return result;
  };
}

async function spawnArgv(
  args: readonly string[],
  options: { cwd: string; env: Record<string, string | undefined>; signal?: AbortSignal },
): Promise<CommandResult> {
  const [file, ...rest] = args;
  try {
    return await spawnProcess(file, rest, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    return {
      code: NOT_FOUND_EXIT_CODE,
      stdout: "",
      stderr: `${file}: command not found (searched PATH from the task's environment)\n`,
    };
  }
}
