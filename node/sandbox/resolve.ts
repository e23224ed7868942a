/** Turning a sandbox selection (an id or an inline definition) into an executor. @module */

import { didYouMean, ErrorCode, PipelineError } from "../../core/errors.ts";
import type { Pipeline } from "../../core/model.ts";
import { isSandbox, type SandboxDefinition, type SandboxId } from "../../core/sandbox.ts";
import { statSync } from "node:fs";
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
 * pipeline does not declare, listing the declared ids, and
 * `ASYNC_PIPELINE_INVALID_FIELD` for a sandbox `cwd` that is not a directory.
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
    return createSandboxExecutor(selection, declared, cwd, env, `sandboxes.${selection}.cwd`);
  }
  if (isSandbox(selection)) {
    return createSandboxExecutor(`inline ${selection.type}`, selection, cwd, env, "sandbox.cwd");
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
  cwdPath: string,
): CommandExecutor {
  const projectDir = resolve(cwd, definition.cwd ?? ".");
  if (definition.cwd !== undefined) checkDirectory(id, projectDir, cwdPath);
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

/**
 * Checks that a sandbox's `cwd` is a directory on the host, so a wrong path
 * fails before the run with the field to fix, not when the first step spawns.
 */
function checkDirectory(id: string, dir: string, path: string): void {
  let problem: string | undefined;
  try {
    if (!statSync(dir).isDirectory()) problem = "is not a directory";
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problem = code === "ENOENT" || code === "ENOTDIR"
      ? "does not exist"
      : `cannot be read (${code ?? String(error)})`;
  }
  if (problem === undefined) return;
  throw new PipelineError(
    ErrorCode.INVALID_FIELD,
    `Sandbox "${id}": cwd ${dir} ${problem}.`,
    {
      path,
      hint:
        `Set ${path} to an existing directory on the host (relative paths start at the run's directory), or remove it to use the run's directory.`,
    },
  );
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
