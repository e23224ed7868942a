/** The selection of a step's environment variables that a sandbox receives. @module */

import type { ProcessEnv } from "../types.ts";

/**
 * Variables that describe the host rather than the step (its search path,
 * home, user, shell and temporary directory). Forwarding them would point the
 * sandboxed command at paths that exist only on the host.
 */
export const HOST_ONLY_VARIABLES: ReadonlySet<string> = new Set([
  "PATH",
  "HOME",
  "PWD",
  "OLDPWD",
  "SHLVL",
  "HOSTNAME",
  "USER",
  "LOGNAME",
  "SHELL",
  "TMPDIR",
  "TMP",
  "TEMP",
  "_",
  "LD_LIBRARY_PATH",
  "LD_PRELOAD",
]);

/** Prefixes of variables that configure host tools (the docker client, Lima, ssh, the desktop session). */
export const HOST_ONLY_PREFIXES: readonly string[] = ["DOCKER_", "LIMA_", "SSH_", "XDG_", "DYLD_"];

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Returns the sorted names of `env` that a sandbox receives: every defined
 * variable except the host-only ones and names a POSIX shell cannot export.
 */
export function sandboxEnvNames(env: ProcessEnv): string[] {
  return Object.keys(env)
    .filter((name) => env[name] !== undefined)
    .filter((name) => NAME_PATTERN.test(name))
    .filter((name) => !HOST_ONLY_VARIABLES.has(name))
    .filter((name) => !HOST_ONLY_PREFIXES.some((prefix) => name.startsWith(prefix)))
    .sort();
}
