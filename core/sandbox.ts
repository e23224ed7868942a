/** Sandbox profiles: opt-in isolated executors for a run. The default is the host. @module */

import { ErrorCode, PipelineError } from "./errors.ts";
import { checkArgumentCount, checkBuilderOptions } from "./fields.ts";

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
}

/** Runs each shell step through `limactl shell <vm>`. */
export interface LimaSandbox {
  readonly kind: "sandbox";
  readonly type: "lima";
  readonly vm: string;
  /** Host directory that the VM mounts at the same path (default: the run's cwd). */
  readonly cwd?: string;
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

function docker(
  options: { image: string; cwd?: string; args?: string[]; user?: string },
): DockerSandbox {
  checkArgumentCount("sandbox.docker", arguments, 1, "pass one options object");
  checkBuilderOptions("sandbox.docker", options, ["image", "cwd", "args", "user"]);
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
  };
  if (options.args !== undefined && !options.args.every((arg) => typeof arg === "string")) {
    throw new PipelineError(ErrorCode.INVALID_FIELD, "sandbox.docker: args must be strings.");
  }
  return Object.freeze(result);
}

function lima(options: { vm: string; cwd?: string }): LimaSandbox {
  checkArgumentCount("sandbox.lima", arguments, 1, "pass one options object");
  checkBuilderOptions("sandbox.lima", options, ["vm", "cwd"]);
  return Object.freeze({
    kind: "sandbox",
    type: "lima",
    vm: requireString("sandbox.lima", "vm", options.vm),
    ...(options.cwd !== undefined
      ? { cwd: requireString("sandbox.lima", "cwd", options.cwd) }
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
