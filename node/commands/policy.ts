/**
 * Deciding what happens to a governed command: the first matching rule's
 * action, else the policy's fallback.
 *
 * @module
 */

import {
  type CommandAction,
  type CommandPolicy,
  type CommandRule,
  ENVIRONMENT_VARIABLE,
  matchCommand,
} from "../../core/commands.ts";
import { ErrorCode, PipelineError } from "../../core/errors.ts";
import { shellQuote } from "../../core/sh.ts";
import type { ProcessEnv } from "../types.ts";

export { ENVIRONMENT_VARIABLE };

/** The policy's decision for one governed command. */
export type CommandDecision =
  | { readonly outcome: "allow"; readonly action: CommandAction; readonly rule?: number }
  | {
    readonly outcome: "mock";
    readonly action: CommandAction;
    readonly rule?: number;
    readonly result: { code: number; stdout: string; stderr: string };
  }
  | {
    readonly outcome: "deny";
    readonly action: CommandAction;
    readonly rule?: number;
    /** The error to raise, naming the rule. */
    readonly error: PipelineError;
  };

/**
 * Decides what happens to `args` under `policy`. Without a policy every
 * command is allowed. `requireEnvironment` compares against
 * `ASYNC_PIPELINE_ENVIRONMENT` in `env`.
 */
export function decideCommand(
  policy: CommandPolicy | undefined,
  args: readonly string[],
  env: ProcessEnv,
  display: (args: readonly string[]) => string = formatArgs,
): CommandDecision {
  if (!policy) return { outcome: "allow", action: { kind: "allow" } };
  const { action, rule, index } = matchCommand(policy, args);
  const where = describeRule(rule, index);
  switch (action.kind) {
    case "allow":
      return { outcome: "allow", action, rule: index };
    case "mock":
      return {
        outcome: "mock",
        action,
        rule: index,
        result: { code: action.code, stdout: action.stdout, stderr: action.stderr },
      };
    case "deny": {
      const reason = action.reason ? ` ${sentence(action.reason)}` : "";
      const error = new PipelineError(
        ErrorCode.COMMAND_DENIED,
        `Command "${display(args)}" is denied by ${where}.${reason}`,
        {
          path: pathOf(index),
          hint: "Change that rule in the pipeline's commands policy if the command should run.",
        },
      );
      return { outcome: "deny", action, rule: index, error };
    }
    case "require-environment": {
      const current = env[ENVIRONMENT_VARIABLE];
      if (current === action.environment) return { outcome: "allow", action, rule: index };
      const actual = current === undefined || current === ""
        ? "it is not set"
        : `it is "${current}"`;
      const error = new PipelineError(
        ErrorCode.COMMAND_DENIED,
        `Command "${
          display(args)
        }" is denied by ${where}: it requires ${ENVIRONMENT_VARIABLE}="${action.environment}", but ${actual}.`,
        {
          path: pathOf(index),
          hint:
            `Set ${ENVIRONMENT_VARIABLE}=${action.environment} where this command is meant to run.`,
        },
      );
      return { outcome: "deny", action, rule: index, error };
    }
  }
}

/** Names a rule as `commands.rules[0] (prefix ["npm", "publish"])`, or the fallback. */
export function describeRule(rule: CommandRule | undefined, index: number | undefined): string {
  if (rule === undefined || index === undefined) return "commands.fallback";
  const kind = rule.exact ? "exact" : "prefix";
  const words = (rule.exact ?? rule.prefix ?? []).map((word) => JSON.stringify(word));
  return `commands.rules[${index}] (${kind} [${words.join(", ")}])`;
}

/** Joins argv for messages as a shell would read it, quoting words that need it. */
export function formatArgs(args: readonly string[]): string {
  return args.map(shellQuote).join(" ");
}

function pathOf(index: number | undefined): string {
  return index === undefined ? "commands.fallback" : `commands.rules[${index}]`;
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
