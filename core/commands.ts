/**
 * Command policy: which commands that cross the pipeline's tool boundary may
 * run. Governed commands are CLI invocations made through `runPipelineCli`
 * and commands a task runs through `ctx.command(...)`; plain `sh` steps are
 * not governed.
 *
 * @module
 */

import { ErrorCode, PipelineError } from "./errors.ts";
import { checkArgumentCount, checkBuilderOptions } from "./fields.ts";

/** The variable that `command.requireEnvironment(name)` compares with its name. */
export const ENVIRONMENT_VARIABLE = "ASYNC_PIPELINE_ENVIRONMENT";

/** Runs the command. */
export interface AllowAction {
  readonly kind: "allow";
}
/** Fails the command with `ASYNC_PIPELINE_COMMAND_DENIED`. */
export interface DenyAction {
  readonly kind: "deny";
  readonly reason?: string;
}
/** Returns a fixed result without spawning anything. */
export interface MockAction {
  readonly kind: "mock";
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}
/** Allows the command only when `ASYNC_PIPELINE_ENVIRONMENT` equals `environment`. */
export interface RequireEnvironmentAction {
  readonly kind: "require-environment";
  readonly environment: string;
}

/** Any policy action. */
export type CommandAction = AllowAction | DenyAction | MockAction | RequireEnvironmentAction;

/** A rule matching argv exactly or by prefix. */
export interface CommandRule {
  readonly kind: "command-rule";
  readonly exact?: readonly string[];
  readonly prefix?: readonly string[];
  readonly action: CommandAction;
}

/** Output handling for recorded commands. */
export interface CommandOutputOptions {
  /** Maximum recorded bytes per stream (default 20000). */
  readonly maxBytes: number;
  /** Mask secret values in recorded output (default true). */
  readonly redactSecrets: boolean;
}

/** A complete command policy. */
export interface CommandPolicy {
  readonly kind: "command-policy";
  readonly rules: readonly CommandRule[];
  readonly fallback: CommandAction;
  /** Record each governed command in the execution record. */
  readonly record: boolean;
  readonly output: CommandOutputOptions;
}

function invalid(message: string, hint?: string): PipelineError {
  return new PipelineError(ErrorCode.INVALID_FIELD, message, { hint });
}

function isAction(value: unknown): value is CommandAction {
  if (typeof value !== "object" || value === null) return false;
  const kind = (value as CommandAction).kind;
  return kind === "allow" || kind === "deny" || kind === "mock" || kind === "require-environment";
}

function argv(builder: string, field: string, value: unknown): readonly string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === "string")) {
    throw invalid(
      `${builder}: ${field} must be a non-empty array of strings, such as ["npm", "publish"].`,
    );
  }
  return Object.freeze([...value]);
}

function rule(options: {
  exact?: string[];
  prefix?: string[];
  action: CommandAction;
}): CommandRule {
  checkArgumentCount(
    "command.rule",
    arguments,
    1,
    "pass one object, command.rule({ exact | prefix, action })",
  );
  checkBuilderOptions("command.rule", options, ["exact", "prefix", "action"]);
  if ((options.exact === undefined) === (options.prefix === undefined)) {
    throw invalid("command.rule: set exactly one of exact or prefix.");
  }
  if (!isAction(options.action)) {
    throw invalid(
      "command.rule: action must be command.allow(), command.deny(), command.mock(...) or command.requireEnvironment(...).",
    );
  }
  return Object.freeze({
    kind: "command-rule",
    ...(options.exact ? { exact: argv("command.rule", "exact", options.exact) } : {}),
    ...(options.prefix ? { prefix: argv("command.rule", "prefix", options.prefix) } : {}),
    action: options.action,
  });
}

function policy(options: {
  rules?: CommandRule[];
  fallback?: CommandAction;
  record?: boolean;
  output?: { maxBytes?: number; redactSecrets?: boolean };
}): CommandPolicy {
  checkArgumentCount("command.policy", arguments, 1, "pass one options object");
  checkBuilderOptions("command.policy", options, ["rules", "fallback", "record", "output"]);
  const rules = options.rules ?? [];
  if (!Array.isArray(rules) || !rules.every((r) => r?.kind === "command-rule")) {
    throw invalid("command.policy: rules must be an array of command.rule(...).");
  }
  if (options.fallback !== undefined && !isAction(options.fallback)) {
    throw invalid("command.policy: fallback must be a command action such as command.allow().");
  }
  const output = options.output ?? {};
  checkBuilderOptions("command.policy output", output, ["maxBytes", "redactSecrets"]);
  const maxBytes = output.maxBytes ?? 20_000;
  if (!Number.isInteger(maxBytes) || maxBytes < 0) {
    throw invalid("command.policy: output.maxBytes must be a non-negative integer.");
  }
  return Object.freeze({
    kind: "command-policy",
    rules: Object.freeze([...rules]),
    fallback: options.fallback ?? allow(),
    record: options.record === true,
    output: Object.freeze({ maxBytes, redactSecrets: output.redactSecrets !== false }),
  });
}

function allow(): AllowAction {
  checkArgumentCount("command.allow", arguments, 0, "write command.allow()");
  return Object.freeze({ kind: "allow" });
}

function deny(reason?: string): DenyAction {
  checkArgumentCount(
    "command.deny",
    arguments,
    1,
    'pass at most a reason, such as command.deny("publish from CI")',
  );
  if (reason !== undefined && typeof reason !== "string") {
    throw invalid(`command.deny: reason must be a string, got ${typeof reason}.`);
  }
  return Object.freeze({ kind: "deny", ...(reason !== undefined ? { reason } : {}) });
}

function mock(result: { code?: number; stdout?: string; stderr?: string } = {}): MockAction {
  checkArgumentCount(
    "command.mock",
    arguments,
    1,
    "pass one object, command.mock({ code, stdout, stderr })",
  );
  checkBuilderOptions("command.mock", result, ["code", "stdout", "stderr"]);
  const code = result.code ?? 0;
  if (!Number.isInteger(code) || code < 0 || code > 255) {
    throw invalid("command.mock: code must be an integer from 0 to 255.");
  }
  return Object.freeze({
    kind: "mock",
    code,
    stdout: result.stdout ?? "",
    stderr: result.stderr ?? "",
  });
}

function requireEnvironment(environment: string): RequireEnvironmentAction {
  checkArgumentCount("command.requireEnvironment", arguments, 1, "pass only the environment name");
  if (typeof environment !== "string" || environment === "") {
    throw invalid('command.requireEnvironment expects an environment name such as "production".');
  }
  return Object.freeze({ kind: "require-environment", environment });
}

/** Command policy builders. */
export const command: {
  policy: typeof policy;
  rule: typeof rule;
  allow: typeof allow;
  deny: typeof deny;
  mock: typeof mock;
  requireEnvironment: typeof requireEnvironment;
} = Object.freeze({ policy, rule, allow, deny, mock, requireEnvironment });

/** Returns true for a policy built by `command.policy`. */
export function isCommandPolicy(value: unknown): value is CommandPolicy {
  return typeof value === "object" && value !== null &&
    (value as CommandPolicy).kind === "command-policy";
}

/**
 * Finds the action for `args`: the first matching rule, else the fallback.
 * A rule whose program is a bare name, such as `npm`, also matches that
 * program given by path (`/usr/bin/npm`, `./bin/npm`), so a path cannot
 * slip past it.
 */
export function matchCommand(
  policy: CommandPolicy,
  args: readonly string[],
): { action: CommandAction; rule?: CommandRule; index?: number } {
  for (const [index, candidate] of policy.rules.entries()) {
    if (candidate.exact && sameArgs(candidate.exact, args)) {
      return { action: candidate.action, rule: candidate, index };
    }
    if (candidate.prefix && sameArgs(candidate.prefix, args.slice(0, candidate.prefix.length))) {
      return { action: candidate.action, rule: candidate, index };
    }
  }
  return { action: policy.fallback };
}

function sameArgs(rule: readonly string[], args: readonly string[]): boolean {
  return rule.length === args.length &&
    rule.every((word, i) => word === args[i] || (i === 0 && sameProgram(word, args[0])));
}

/** Returns true when `program` is the bare name `name` given by a path. */
function sameProgram(name: string, program: string | undefined): boolean {
  if (program === undefined || /[/\\]/.test(name) || !/[/\\]/.test(program)) return false;
  return program.slice(Math.max(program.lastIndexOf("/"), program.lastIndexOf("\\")) + 1) === name;
}
