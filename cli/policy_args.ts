/**
 * A CLI invocation in the form command policy rules match: the program, the
 * command's words and its positional arguments first, then its options as
 * given. So `run --force release` and `--debug run release` both match a
 * rule with the prefix `["async-pipeline", "run", "release"]`.
 *
 * @module
 */

import { ErrorCode, PipelineError } from "../core/errors.ts";
import { cliCommand } from "../node/cli_command.ts";
import { type CliCommand, findCommand } from "./registry.ts";

/** The program name that policy rules match as argv[0] of a CLI invocation. */
export const CLI_PROGRAM = "async-pipeline";

/** A CLI invocation in the form that the command policy matches. */
export interface PolicyInvocation {
  /** The words rules match, starting with {@link CLI_PROGRAM}. */
  readonly argv: readonly string[];
  /** The `--config` value the command will use, if one is given. */
  readonly config?: string;
}

/** The pattern of an option line in a command's help, such as `--format text|json   Output format`. */
const OPTION_LINE = /^--([a-z][\w-]*)(?: (\S+))?(?:\s{2,}|$)/;

/** Returns the names of the options of `command` that take a value, read from its help lines. */
export function valueOptions(command: CliCommand): Set<string> {
  const names = new Set<string>();
  for (const line of command.options ?? []) {
    const match = OPTION_LINE.exec(line);
    if (match?.[2] !== undefined) names.add(match[1]);
  }
  return names;
}

/**
 * Returns `args` (without the program name) in the form policy rules match.
 * The global `--debug` flag is left out. Arguments of an unknown command are
 * kept in their order, since that command fails before it does anything.
 * Throws a usage error when `--config` is given more than once, because the
 * policy must come from the file the command runs.
 */
export function policyInvocation(args: readonly string[]): PolicyInvocation {
  const words = args.filter((arg) => arg !== "--debug");
  const found = findCommand(words);
  if (found === undefined) return { argv: [CLI_PROGRAM, ...words], config: configOf(words) };

  const takesValue = valueOptions(found.command);
  const positionals: string[] = [];
  const options: string[] = [];
  const configs: string[] = [];
  for (let index = 0; index < found.rest.length; index++) {
    const arg = found.rest[index];
    if (arg === "--") {
      positionals.push(...found.rest.slice(index + 1));
      break;
    }
    if (!arg.startsWith("--")) {
      positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf("=");
    const name = arg.slice(2, equals < 0 ? undefined : equals);
    let value: string | undefined;
    if (equals >= 0) value = arg.slice(equals + 1);
    else if (takesValue.has(name) && index + 1 < found.rest.length) value = found.rest[++index];
    options.push(`--${name}`, ...(value === undefined ? [] : [value]));
    if (name === "config" && value !== undefined) configs.push(value);
  }
  if (configs.length > 1) {
    const command = found.command.path.join(" ");
    throw new PipelineError(
      ErrorCode.USAGE,
      `${command}: option "--config" is given more than once.`,
      { hint: `Give --config once. Run \`${cliCommand()} ${command} --help\` for usage.` },
    );
  }
  return {
    argv: [CLI_PROGRAM, ...found.command.path, ...positionals, ...options],
    config: configs[0],
  };
}

/** Returns the value of `--config <path>` or `--config=<path>`, if present. */
function configOf(args: readonly string[]): string | undefined {
  for (const [index, arg] of args.entries()) {
    if (arg === "--") return undefined;
    if (arg === "--config") return args[index + 1];
    if (arg.startsWith("--config=")) return arg.slice("--config=".length);
  }
  return undefined;
}
