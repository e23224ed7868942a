/**
 * Clean-up scripts that stop a sandbox's work when the runner dies without
 * stopping it (a SIGKILL, a crash). The watchdog runs them.
 *
 * @module
 */

import { shellQuote } from "../../core/sh.ts";
import { watchCleanup } from "../executor/watchdog.ts";
import type { ProcessEnv } from "../types.ts";

/** Variables that `docker` and `limactl` read to find their daemon, VM and settings. */
const CLIENT_VARIABLES: ReadonlySet<string> = new Set([
  "PATH",
  "HOME",
  "XDG_CONFIG_HOME",
  "XDG_RUNTIME_DIR",
]);

/** Prefixes of the variables that configure the docker client and Lima. */
const CLIENT_PREFIXES: readonly string[] = ["DOCKER_", "LIMA_"];

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Builds a shell script that runs `argv` with the variables of `env` that the
 * client program needs. The values are exported by the shell, so they do not
 * appear on a command line, and the step's other variables, secrets among
 * them, are left out.
 */
export function clientScript(argv: readonly string[], env: ProcessEnv): string {
  const exports = Object.keys(env)
    .filter((name) =>
      CLIENT_VARIABLES.has(name) || CLIENT_PREFIXES.some((prefix) => name.startsWith(prefix))
    )
    .filter((name) => NAME_PATTERN.test(name) && typeof env[name] === "string")
    .sort()
    .map((name) => `${name}=${shellQuote(env[name]!)}`);
  const run = `exec ${argv.map(shellQuote).join(" ")}`;
  return exports.length > 0 ? `export ${exports.join(" ")}; ${run}` : run;
}

/**
 * Lists `argv`, with the client variables of `env`, with the watchdog, which
 * runs it if the runner dies before the returned function is called.
 */
export function cleanUpOnRunnerExit(argv: readonly string[], env: ProcessEnv): () => void {
  return watchCleanup(clientScript(argv, env));
}
