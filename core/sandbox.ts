/** Sandbox profiles: opt-in isolated executors for a run. The default is the host. @module */

import { ErrorCode, PipelineError } from "./errors.ts";
import { checkArgumentCount, checkBuilderOptions } from "./fields.ts";

/**
 * Variables that describe the host rather than the step (its search path,
 * home, user, shell and temporary directory). A sandbox never receives them,
 * because they would point the sandboxed command at paths that exist only on
 * the host.
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

/** Returns true for a variable that a sandbox never receives (see {@link HOST_ONLY_VARIABLES}). */
export function isHostOnlyVariable(name: string): boolean {
  return HOST_ONLY_VARIABLES.has(name) ||
    HOST_ONLY_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/** Runs each shell step in a Docker container with the project mounted at the same path. */
export interface DockerSandbox {
  readonly kind: "sandbox";
  readonly type: "docker";
  readonly image: string;
  /** Project directory mounted into the container (default: the run's cwd). */
  readonly cwd?: string;
  /** Extra `docker run` arguments placed before the image. */
  readonly args?: readonly string[];
  /** Container user (`--user`). */
  readonly user?: string;
  /** Host variables forwarded by name, besides the step's declared env and the neutral ones. */
  readonly passEnv?: readonly string[];
}

/** Runs each shell step through `limactl shell <vm>`. */
export interface LimaSandbox {
  readonly kind: "sandbox";
  readonly type: "lima";
  readonly vm: string;
  /** Host directory that the VM mounts at the same path (default: the run's cwd). */
  readonly cwd?: string;
  /** Host variables forwarded by name, besides the step's declared env and the neutral ones. */
  readonly passEnv?: readonly string[];
}

/** Any sandbox declaration. */
export type SandboxDefinition = DockerSandbox | LimaSandbox;

/** A sandbox id from `definePipeline({ sandboxes })`. */
export type SandboxId = string;

function requireString(builder: string, field: string, value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new PipelineError(
      ErrorCode.INVALID_FIELD,
      `${builder}: ${field} must be a non-empty string.`,
    );
  }
  return value;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Checks a `passEnv` list: variable names that a POSIX shell can export and that are not host-only. */
function checkPassEnv(builder: string, value: unknown): readonly string[] {
  if (!Array.isArray(value)) {
    throw new PipelineError(
      ErrorCode.INVALID_FIELD,
      `${builder}: passEnv must be an array of variable names, got ${
        value === null ? "null" : typeof value
      }.`,
      { hint: 'Pass host variable names, such as passEnv: ["NPM_CONFIG_REGISTRY"].' },
    );
  }
  value.forEach((name: unknown, index) => {
    if (typeof name !== "string" || !ENV_NAME.test(name)) {
      throw new PipelineError(
        ErrorCode.INVALID_FIELD,
        `${builder}: passEnv[${index}] must be a variable name, got ${JSON.stringify(name)}.`,
        { hint: "Use letters, digits and underscores, not starting with a digit." },
      );
    }
    if (isHostOnlyVariable(name)) {
      throw new PipelineError(
        ErrorCode.INVALID_FIELD,
        `${builder}: passEnv[${index}] "${name}" describes the host, so a sandbox never receives it.`,
        {
          hint: `Remove "${name}" from passEnv. Host-only variables are ${
            [...HOST_ONLY_VARIABLES].join(", ")
          } and names starting with ${HOST_ONLY_PREFIXES.join(", ")}.`,
        },
      );
    }
  });
  return Object.freeze([...value]);
}

function docker(
  options: {
    image: string;
    cwd?: string;
    args?: string[];
    user?: string;
    passEnv?: readonly string[];
  },
): DockerSandbox {
  checkArgumentCount("sandbox.docker", arguments, 1, "pass one options object");
  checkBuilderOptions("sandbox.docker", options, ["image", "cwd", "args", "user", "passEnv"]);
  const result: DockerSandbox = {
    kind: "sandbox",
    type: "docker",
    image: requireString("sandbox.docker", "image", options.image),
    ...(options.cwd !== undefined
      ? { cwd: requireString("sandbox.docker", "cwd", options.cwd) }
      : {}),
    ...(options.user !== undefined
      ? { user: requireString("sandbox.docker", "user", options.user) }
      : {}),
    ...(options.args !== undefined ? { args: Object.freeze([...options.args]) } : {}),
    ...(options.passEnv !== undefined
      ? { passEnv: checkPassEnv("sandbox.docker", options.passEnv) }
      : {}),
  };
  if (options.args !== undefined && !options.args.every((arg) => typeof arg === "string")) {
    throw new PipelineError(ErrorCode.INVALID_FIELD, "sandbox.docker: args must be strings.");
  }
  return Object.freeze(result);
}

function lima(options: { vm: string; cwd?: string; passEnv?: readonly string[] }): LimaSandbox {
  checkArgumentCount("sandbox.lima", arguments, 1, "pass one options object");
  checkBuilderOptions("sandbox.lima", options, ["vm", "cwd", "passEnv"]);
  return Object.freeze({
    kind: "sandbox",
    type: "lima",
    vm: requireString("sandbox.lima", "vm", options.vm),
    ...(options.cwd !== undefined
      ? { cwd: requireString("sandbox.lima", "cwd", options.cwd) }
      : {}),
    ...(options.passEnv !== undefined
      ? { passEnv: checkPassEnv("sandbox.lima", options.passEnv) }
      : {}),
  });
}

/** Sandbox builders. */
export const sandbox: { docker: typeof docker; lima: typeof lima } = Object.freeze({
  docker,
  lima,
});

/** Returns true for a sandbox declaration. */
export function isSandbox(value: unknown): value is SandboxDefinition {
  return typeof value === "object" && value !== null &&
    (value as SandboxDefinition).kind === "sandbox";
}
