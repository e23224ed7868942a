/** The selection of a step's environment variables that a sandbox receives. @module */

import { HOST_ONLY_PREFIXES, HOST_ONLY_VARIABLES, isHostOnlyVariable } from "../../core/sandbox.ts";
import type { ProcessEnv } from "../types.ts";

export { HOST_ONLY_PREFIXES, HOST_ONLY_VARIABLES };

/**
 * Variables that every sandbox receives when they are set. They describe the
 * terminal, colors, locale, time zone and whether the run is in CI, and
 * carry no credentials.
 */
export const NEUTRAL_VARIABLES: ReadonlySet<string> = new Set([
  "CI",
  "TERM",
  "COLORTERM",
  "NO_COLOR",
  "FORCE_COLOR",
  "LANG",
  "TZ",
]);

/** Prefixes of the neutral locale variables (`LC_ALL`, `LC_CTYPE`, ...). */
export const NEUTRAL_PREFIXES: readonly string[] = ["LC_"];

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isNeutral(name: string): boolean {
  return NEUTRAL_VARIABLES.has(name) || NEUTRAL_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/**
 * Returns the sorted names of `env` that a sandbox receives: the `declared`
 * names (the variables the pipeline declares for the step), the sandbox's
 * `passEnv` names and the neutral variables, each only when it is set in
 * `env`. Host-only variables and names a POSIX shell cannot export are left
 * out, even when they are declared. Every other host variable, such as a CI
 * token, stays on the host.
 */
export function sandboxEnvNames(
  env: ProcessEnv,
  declared: readonly string[] = [],
  passEnv: readonly string[] = [],
): string[] {
  const names = new Set([...declared, ...passEnv]);
  for (const name of Object.keys(env)) if (isNeutral(name)) names.add(name);
  return [...names]
    .filter((name) => typeof env[name] === "string")
    .filter((name) => NAME_PATTERN.test(name))
    .filter((name) => !isHostOnlyVariable(name))
    .sort();
}
