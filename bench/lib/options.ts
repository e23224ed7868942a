/**
 * Command-line handling shared by `bench/run.ts` and `bench/profile.ts`: a bad
 * option or value prints one line that names it and the valid choices, and
 * exits with code 2.
 *
 * @module
 */

import process from "node:process";
import { parseArgs, type ParseArgsConfig } from "node:util";

/** Exit code of a command line that names an unknown option or an invalid value. */
export const USAGE_EXIT_CODE = 2;

/** An invalid command line. Its message names the bad value and the valid ones. */
export class UsageError extends Error {
  override name = "UsageError";
}

type OptionSpecs = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parses `args` with `node:util` `parseArgs` and no positional arguments.
 * Its errors become a {@link UsageError} that lists the valid options.
 */
export function parseCommandLine<const T extends OptionSpecs>(
  args: string[],
  options: T,
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false })
      .values;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS_")) {
      throw error;
    }
    const valid = Object.entries(options)
      .map(([name, spec]) => spec.type === "string" ? `--${name} <value>` : `--${name}`)
      .join(", ");
    // Keep the first sentence, such as "Unknown option '--suite'", in lower case.
    const first = (error as Error).message.split(". ")[0];
    const message = first.charAt(0).toLowerCase() + first.slice(1);
    throw new UsageError(`${message}; valid options: ${valid}.`);
  }
}

/** Returns `value` when `valid` contains it, and otherwise throws a {@link UsageError}. */
export function checkChoice<T extends string>(
  option: string,
  value: string,
  valid: readonly T[],
  context = "",
): T {
  if ((valid as readonly string[]).includes(value)) return value as T;
  throw new UsageError(
    `invalid ${option} "${value}"${context}; valid: ${valid.join(", ")}.`,
  );
}

/** Parses a positive integer option value, or throws a {@link UsageError}. */
export function positiveInteger(option: string, value: string): number {
  const number = Number(value);
  if (value.trim() !== "" && Number.isInteger(number) && number >= 1) {
    return number;
  }
  throw new UsageError(
    `invalid ${option} "${value}": expected a positive integer.`,
  );
}

/**
 * Runs `main` and sets the exit code it returns. A {@link UsageError} prints
 * `<command>: <message>` on stderr and exits with {@link USAGE_EXIT_CODE}.
 * Other errors propagate with their stack trace.
 */
export async function runCommand(
  command: string,
  main: () => number | Promise<number>,
): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${command}: ${error.message}`);
    process.exitCode = USAGE_EXIT_CODE;
  }
}
