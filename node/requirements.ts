/**
 * The check of `requires.tools`, `requires.runtimes` and `requires.secrets`
 * that runs before the first command of a job. Every missing item of every
 * task is reported at once.
 *
 * @module
 */

import { ErrorCode, type PipelineIssue } from "../core/errors.ts";
import type { NormalizedTask } from "../core/model.ts";
import type { CommandExecutor, ProcessEnv } from "./types.ts";

/** Outcome of a requirements check. */
export interface RequirementsReport {
  readonly issues: readonly PipelineIssue[];
  /** Values of the required secrets that are set, masked like declared secrets. */
  readonly secretValues: readonly string[];
  readonly warnings: readonly string[];
}

/** Groups task ids by the names they require, keeping first-seen order. */
function byName(
  tasks: readonly NormalizedTask[],
  pick: (task: NormalizedTask) => readonly string[],
): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const task of tasks) {
    for (const name of pick(task)) {
      const ids = result.get(name) ?? [];
      ids.push(task.id);
      result.set(name, ids);
    }
  }
  return result;
}

function taskList(ids: readonly string[]): string {
  return ids.map((id) => `"${id}"`).join(", ");
}

/** Returns the fix for a tool that `executor` does not have. */
function missingToolHint(executor: string, tool: string): string {
  if (executor === "host") {
    return `Install ${tool} before the run, on PATH or in the project's node_modules/.bin; ` +
      "requires.tools is checked before the first task, so a task cannot install it.";
  }
  if (executor === "recording") {
    return `Add "${tool}" to the tools option of the RecordingExecutor, or leave that option out to accept every tool.`;
  }
  return `Install ${tool} in the ${executor} sandbox's image or machine, on its PATH.`;
}

/** Returns the values of the `requires.secrets` of `tasks` that are set and non-empty in `env`. */
export function requiredSecretValues(
  tasks: readonly NormalizedTask[],
  env: ProcessEnv,
): string[] {
  const values: string[] = [];
  for (const name of byName(tasks, (task) => task.requires.secrets).keys()) {
    const value = env[name];
    if (value !== undefined && value !== "") values.push(value);
  }
  return values;
}

/**
 * Checks the requirements of `tasks`. Tools and runtimes are looked up with
 * the executor's `checkTool`, so a sandbox checks its own tools. An executor
 * without `checkTool` skips that check with a warning. Secrets must be set
 * and non-empty in `env`, the task env with the job env applied.
 */
export async function checkRequirements(
  tasks: readonly NormalizedTask[],
  env: ProcessEnv,
  executor: CommandExecutor,
): Promise<RequirementsReport> {
  const issues: PipelineIssue[] = [];
  const warnings: string[] = [];
  const secretValues: string[] = [];

  const kinds = [
    { field: "tools", noun: "tool", names: byName(tasks, (task) => task.requires.tools) },
    { field: "runtimes", noun: "runtime", names: byName(tasks, (task) => task.requires.runtimes) },
  ] as const;
  const required = kinds.some((kind) => kind.names.size > 0);
  if (required && executor.checkTool === undefined) {
    warnings.push(
      `The ${executor.name} executor cannot look up tools, so requires.tools and requires.runtimes were not checked.`,
    );
  } else if (executor.checkTool !== undefined) {
    for (const { field, noun, names } of kinds) {
      for (const [tool, ids] of names) {
        if (await executor.checkTool(tool)) continue;
        issues.push({
          code: ErrorCode.MISSING_TOOL,
          path: `tasks.${ids[0]}.requires.${field}`,
          message:
            `${noun} "${tool}" is not available to the ${executor.name} executor (required by ${
              taskList(ids)
            }).`,
          hint: missingToolHint(executor.name, tool),
        });
      }
    }
  }

  for (const [name, ids] of byName(tasks, (task) => task.requires.secrets)) {
    const value = env[name];
    if (value !== undefined && value !== "") {
      secretValues.push(value);
      continue;
    }
    issues.push({
      code: ErrorCode.MISSING_SECRET,
      path: `tasks.${ids[0]}.requires.secrets`,
      message: `secret "${name}" is not set (required by ${taskList(ids)}).`,
      hint: `Set ${name} in the environment of the run, or store it as a secret in CI.`,
    });
  }
  return { issues, secretValues, warnings };
}
