/** The command runner behind `ctx.command(...)`, governed by the pipeline's command policy. @module */

import type { CommandPolicy } from "../../core/commands.ts";
import { ErrorCode, PipelineError } from "../../core/errors.ts";
import { Redactor } from "../redact.ts";
import { directCommandRunner } from "../runner/command.ts";
import type { CommandRecord, CommandResult, GovernedCommandRunner } from "../types.ts";
import { decideCommand, formatArgs } from "./policy.ts";
import { buildCommandRecord } from "./record.ts";

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
    const redactor = new Redactor(secretValues);
    const display = (words: readonly string[]) => redactor.redact(formatArgs(words));
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
    const result = await directCommandRunner(args, { cwd, env, secretValues, signal });
    record(result);
    return result;
  };
}
