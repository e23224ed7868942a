/** Argument parsing shared by CLI commands, on top of `node:util` parseArgs. @module */

import { parseArgs, type ParseArgsConfig } from "node:util";
import { didYouMean, ErrorCode, PipelineError } from "../core/errors.ts";
import { cliCommand } from "../node/cli_command.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The result of `parseArgs` for a command's options, spelled out for declaration emit. */
export type ParsedCommandArgs<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: boolean; strict: true }>
>;

/**
 * Rewords parseArgs' errors for an option without its value as one sentence.
 * Node's own text spreads them over several lines.
 */
function optionProblem(message: string, args: readonly string[]): string | undefined {
  const ambiguous = /^Option '(-[^' ]+)' argument is ambiguous/.exec(message)?.[1];
  if (ambiguous !== undefined) {
    const value = args[args.indexOf(ambiguous) + 1] ?? "-…";
    // Every numeric option is a count or a number of days, so a negative number is never valid.
    if (/^-\d/.test(value)) return `${ambiguous} cannot be negative, got "${value}".`;
    return `option "${ambiguous}" is followed by "${value}", which reads as an option. ` +
      `Write ${ambiguous}=${value} to pass it as the value.`;
  }
  const missing = /^Option '(-[^' ]+)[^']*' argument missing/.exec(message)?.[1];
  if (missing !== undefined) return `option "${missing}" needs a value.`;
  return undefined;
}

/** Parses `args` strictly; unknown options become a usage error naming the command. */
export function parseCommandArgs<O extends Options>(
  command: string,
  args: string[],
  options: O,
  allowPositionals = true,
): ParsedCommandArgs<O> {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals, strict: true, tokens: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
    const name = unknown?.replace(/^-+/, "");
    const suggestion = name === undefined ? "" : didYouMean(name, Object.keys(options));
    // Node's own text for an unknown option explains `--` at length and
    // leaves a quote open, so the option is named here instead.
    const text = unknown !== undefined
      ? `unknown option "${unknown}". A positional value that starts with "-" goes after "--".`
      : optionProblem(message, args) ?? message;
    throw new PipelineError(ErrorCode.USAGE, `${command}: ${text}`, {
      hint: suggestion
        ? suggestion.replace(/"([^"]+)"/, '"--$1"')
        : `Run \`${cliCommand()} ${command} --help\` for usage.`,
    });
  }
  rejectRepeatedOptions(command, parsed.tokens, options);
  return parsed as unknown as ParsedCommandArgs<O>;
}

/**
 * Rejects an option given twice that takes one value, because the two
 * values contradict each other. Node keeps the last one silently, while a
 * reader of the command line may go by the first.
 */
function rejectRepeatedOptions(
  command: string,
  tokens: readonly { kind: string; name?: string }[],
  options: Options,
): void {
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== "option" || token.name === undefined) continue;
    if (options[token.name]?.multiple) continue;
    if (seen.has(token.name)) {
      throw new PipelineError(
        ErrorCode.USAGE,
        `${command}: option "--${token.name}" is given more than once.`,
        { hint: `Give --${token.name} once, with the value you mean.` },
      );
    }
    seen.add(token.name);
  }
}

/** Parses a positive integer option value, naming the option when invalid. */
export function parsePositiveInt(
  command: string,
  name: string,
  value: string | undefined,
  allowZero = false,
): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < (allowZero ? 0 : 1)) {
    throw new PipelineError(
      ErrorCode.USAGE,
      `${command}: --${name} must be a ${
        allowZero ? "non-negative" : "positive"
      } integer, got "${value}".`,
      { hint: `Run \`${cliCommand()} ${command} --help\` for usage.` },
    );
  }
  return parsed;
}

/** Checks a `--format` value against the allowed list. */
export function parseFormat<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new PipelineError(
      ErrorCode.USAGE,
      `--format must be one of ${allowed.join(", ")}, got "${value}".`,
    );
  }
  return value as T;
}
