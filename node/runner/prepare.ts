/**
 * The checks a run makes before its first command: the declared env, the
 * secret and variable references of plain `sh` steps, and every task's
 * `requires`. All problems are collected into one error.
 *
 * @module
 */

import type { EnvValue } from "../../core/env.ts";
import { ErrorCode, formatIssue, type PipelineIssue } from "../../core/errors.ts";
import { PipelineError } from "../../core/errors.ts";
import { type RenderedShell, renderShell, resolveDeclaredEnv } from "../env.ts";
import { Redactor } from "../redact.ts";
import { redactError } from "../redact_error.ts";
import { checkRequirements, requiredSecretValues } from "../requirements.ts";
import type { CommandExecutor, ProcessEnv } from "../types.ts";
import type { RunPlan } from "./plan.ts";
import { secretDigest } from "./steps.ts";

/** Results of the checks that the run uses. */
export interface PreparedRun {
  /** The run env with the resolved declared env applied. */
  readonly env: ProcessEnv;
  readonly envKeys: readonly string[];
  /** Declared env keys and the variables their values read, which a sandbox receives. */
  readonly declaredEnv: readonly string[];
  readonly secretValues: readonly string[];
  readonly renderedShells: Map<string, Map<number, RenderedShell>>;
  readonly issues: readonly PipelineIssue[];
  readonly warnings: readonly string[];
}

/**
 * Resolves env and shell references and checks requirements, collecting
 * every problem. The secret values found are added to `redactor` before the
 * executor looks up tools, and an error the executor throws there (such as a
 * sandbox that cannot start, quoting its own error output) is masked with it.
 */
export async function prepareRun(
  plan: RunPlan,
  runEnv: ProcessEnv,
  executor: CommandExecutor,
  redactor: Redactor = new Redactor(),
): Promise<PreparedRun> {
  const declared = resolveDeclaredEnv(plan.env, runEnv, plan.envPath);
  // Frozen, so the spawn seam can reuse its copy of the env for every step.
  const env: ProcessEnv = Object.freeze({ ...runEnv, ...declared.values });
  const issues: PipelineIssue[] = [...declared.issues];
  const secretValues = [...declared.secretValues];

  const renderedShells = new Map<string, Map<number, RenderedShell>>();
  for (const task of plan.tasks) {
    const steps = new Map<number, RenderedShell>();
    task.steps.forEach((step, index) => {
      if (step.kind !== "shell") return;
      const rendered = renderShell(
        step.command,
        env,
        `tasks.${task.id} step ${index + 1}`,
        secretDigest,
      );
      if ("issues" in rendered) issues.push(...rendered.issues);
      else {
        steps.set(index, rendered);
        secretValues.push(...rendered.secretValues);
      }
    });
    renderedShells.set(task.id, steps);
  }

  secretValues.push(...requiredSecretValues(plan.tasks, env));
  redactor.add(secretValues);
  let requirements;
  try {
    requirements = await checkRequirements(plan.tasks, env, executor);
  } catch (error) {
    throw redactError(redactor, error);
  }
  issues.push(...requirements.issues);
  secretValues.push(...requirements.secretValues);
  return {
    env,
    envKeys: Object.keys(plan.env),
    declaredEnv: declaredEnvNames(plan.env),
    secretValues: [...new Set(secretValues)],
    renderedShells,
    issues,
    warnings: requirements.warnings,
  };
}

/** Returns the keys of a declared env and the names of the variables its secrets and variables read. */
export function declaredEnvNames(declared: Readonly<Record<string, EnvValue>>): string[] {
  const names = new Set<string>();
  for (const [key, value] of Object.entries(declared)) {
    names.add(key);
    if (typeof value !== "string") names.add(value.name);
  }
  return [...names];
}

/**
 * Builds the error for unmet requirements. One problem keeps its own code.
 * Several share theirs when they agree, else `ASYNC_PIPELINE_MISSING_REQUIREMENTS`.
 */
export function requirementsError(jobId: string, issues: readonly PipelineIssue[]): PipelineError {
  if (issues.length === 1) return PipelineError.fromIssues([...issues]);
  const codes = new Set(issues.map((issue) => issue.code));
  const code = codes.size === 1 ? issues[0].code : ErrorCode.MISSING_REQUIREMENTS;
  const lines = issues.map((issue) => `  - [${issue.code}] ${formatIssue(issue)}`);
  return new PipelineError(
    code,
    `"${jobId}" cannot start: ${issues.length} problems found:\n${lines.join("\n")}`,
    { issues: [...issues] },
  );
}
