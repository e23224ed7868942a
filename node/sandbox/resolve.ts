/** Turning a sandbox selection (an id or an inline definition) into an executor. @module */

import { didYouMean, ErrorCode, PipelineError } from "../../core/errors.ts";
import type { Pipeline } from "../../core/model.ts";
import { isSandbox, type SandboxDefinition, type SandboxId } from "../../core/sandbox.ts";
import { resolve } from "node:path";
import process from "../process.ts";
import { LimaCommandExecutor } from "../lima/executor.ts";
import type { CommandExecutor, ProcessEnv } from "../types.ts";
import { DockerCommandExecutor } from "./docker.ts";

/**
 * Returns the executor for a sandbox chosen by id from `pipeline.sandboxes`
 * or given inline. A sandbox's `cwd` is resolved against `cwd`, which is also
 * the default project directory.
 *
 * @throws {PipelineError} `ASYNC_PIPELINE_UNKNOWN_SANDBOX` for an id the
 * pipeline does not declare, listing the declared ids.
 *
 * @example
 * ```ts
 * import { resolveSandbox } from "@async/pipeline/node";
 *
 * const executor = resolveSandbox(pipeline, "docker", "/work/app");
 * ```
 */
export function resolveSandbox(
  pipeline: Pipeline,
  selection: SandboxId | SandboxDefinition,
  cwd: string,
  env: ProcessEnv = process.env,
): CommandExecutor {
  if (typeof selection === "string") {
    const declared = pipeline.sandboxes[selection];
    if (!declared) throw unknownSandbox(pipeline, selection);
    return createSandboxExecutor(selection, declared, cwd, env);
  }
  if (isSandbox(selection)) {
    return createSandboxExecutor(`inline ${selection.type}`, selection, cwd, env);
  }
  throw new PipelineError(
    ErrorCode.INVALID_FIELD,
    "sandbox must be a sandbox id or sandbox.docker(...) / sandbox.lima(...).",
    { path: "sandbox" },
  );
}

function createSandboxExecutor(
  id: string,
  definition: SandboxDefinition,
  cwd: string,
  env: ProcessEnv,
): CommandExecutor {
  const projectDir = resolve(cwd, definition.cwd ?? ".");
  if (definition.type === "docker") {
    return new DockerCommandExecutor({
      id,
      image: definition.image,
      projectDir,
      env,
      ...(definition.user !== undefined ? { user: definition.user } : {}),
      ...(definition.args !== undefined ? { args: definition.args } : {}),
      ...(definition.passEnv !== undefined ? { passEnv: definition.passEnv } : {}),
    });
  }
  return new LimaCommandExecutor({
    id,
    vm: definition.vm,
    projectDir,
    env,
    ...(definition.passEnv !== undefined ? { passEnv: definition.passEnv } : {}),
  });
}

function unknownSandbox(pipeline: Pipeline, id: string): PipelineError {
  const declared = Object.keys(pipeline.sandboxes);
  if (declared.length === 0) {
    return new PipelineError(
      ErrorCode.UNKNOWN_SANDBOX,
      `Unknown sandbox "${id}": pipeline "${pipeline.name}" declares no sandboxes.`,
      {
        path: "sandbox",
        hint:
          `Declare it in definePipeline({ sandboxes: { ${id}: sandbox.docker({ image: "node:24" }) } }), or pass an inline sandbox.docker(...) definition.`,
      },
    );
  }
  const suggestion = didYouMean(id, declared);
  return new PipelineError(
    ErrorCode.UNKNOWN_SANDBOX,
    `Unknown sandbox "${id}". Declared sandboxes: ${declared.join(", ")}.`,
    { path: "sandbox", hint: suggestion || "Use one of the declared ids." },
  );
}
