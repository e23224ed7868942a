/**
 * Resolution of a job's declared env against the run's process env, and of
 * `env.secret(...)` and `env.var(...)` values interpolated into `sh` steps.
 *
 * A declared value is read from its source key (`env.secret("NPM_TOKEN")`
 * reads `NPM_TOKEN`) and, when that is unset, from the destination key it is
 * declared under (`NODE_AUTH_TOKEN`), which is where a generated GitHub
 * workflow renders it. An empty value counts as unset, because GitHub
 * renders a missing secret or variable as an empty string. Problems are
 * collected, so one error lists every missing value. Messages name keys and
 * sources, never a secret value.
 *
 * @module
 */

import type { EnvValue, SecretRef, VarRef } from "../core/env.ts";
import { ErrorCode, type PipelineIssue } from "../core/errors.ts";
import { type ShellCommand, shellQuote } from "../core/sh.ts";
import type { ProcessEnv } from "./types.ts";

/** A job env resolved against a process env. */
export interface ResolvedEnv {
  /** Resolved values of the declared keys. */
  readonly values: Readonly<Record<string, string>>;
  /** Values that came from `env.secret(...)`, which are masked everywhere. */
  readonly secretValues: readonly string[];
  /** Every problem found, empty when all values resolved. */
  readonly issues: readonly PipelineIssue[];
}

function lookup(env: ProcessEnv, key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  const value = env[key];
  return value === undefined || value === "" ? undefined : value;
}

function secretSourceText(ref: SecretRef, destination?: string): string {
  return destination === undefined || destination === ref.name
    ? `"${ref.name}"`
    : `"${ref.name}" (or "${destination}")`;
}

/**
 * Resolves a secret from its source key, then its destination key.
 * Returns the value or an issue naming both keys.
 */
export function resolveSecret(
  ref: SecretRef,
  env: ProcessEnv,
  at: string,
  destination?: string,
): { value: string } | { issue: PipelineIssue } {
  const value = lookup(env, ref.name) ?? lookup(env, destination);
  if (value !== undefined) return { value };
  return {
    issue: {
      code: ErrorCode.MISSING_SECRET,
      path: at,
      message: `secret ${secretSourceText(ref, destination)} is not set.`,
      hint: `Set ${ref.name} in the environment of the run, or store it as a secret in CI.`,
    },
  };
}

/**
 * Resolves a variable: source key, then destination key, then the default.
 * A mapped variable maps that selector through its table. A destination
 * value that is already one of the table's results is used as it is, so a
 * nested run that inherited the resolved env resolves it again.
 */
export function resolveVar(
  ref: VarRef,
  env: ProcessEnv,
  at: string,
  destination?: string,
): { value: string } | { issue: PipelineIssue } {
  const fromSource = lookup(env, ref.name);
  const fromDestination = destination === ref.name ? undefined : lookup(env, destination);
  const selector = fromSource ?? fromDestination ?? ref.default;
  const keys = destination === undefined || destination === ref.name
    ? `"${ref.name}"`
    : `"${ref.name}" (or "${destination}")`;
  if (selector === undefined) {
    return {
      issue: {
        code: ErrorCode.MISSING_VAR,
        path: at,
        message: `variable ${keys} is not set and has no default.`,
        hint:
          `Set ${ref.name} in the environment, or declare env.var("${ref.name}", { default: "..." }).`,
      },
    };
  }
  if (ref.map === undefined) return { value: selector };
  if (Object.hasOwn(ref.map, selector)) return { value: ref.map[selector] };
  if (fromSource === undefined && Object.values(ref.map).includes(selector)) {
    return { value: selector };
  }
  return {
    issue: {
      code: ErrorCode.UNMAPPED_VAR,
      path: at,
      message: `variable ${keys} is ${
        JSON.stringify(selector)
      }, which its value map does not list.`,
      hint: `Set ${ref.name} to one of: ${Object.keys(ref.map).join(", ")}.`,
    },
  };
}

/**
 * Resolves declared env entries (pipeline env with the job's layered over it)
 * against `env`. `pathPrefix` names the declaration in issues, such as
 * `jobs.deploy.env`, or gives the path of each key.
 */
export function resolveDeclaredEnv(
  declared: Readonly<Record<string, EnvValue>>,
  env: ProcessEnv,
  pathPrefix: string | ((key: string) => string),
): ResolvedEnv {
  const values: Record<string, string> = {};
  const secretValues: string[] = [];
  const issues: PipelineIssue[] = [];
  for (const [key, entry] of Object.entries(declared)) {
    const at = typeof pathPrefix === "string" ? `${pathPrefix}.${key}` : pathPrefix(key);
    if (typeof entry === "string") {
      values[key] = entry;
      continue;
    }
    const result = entry.kind === "secret"
      ? resolveSecret(entry, env, at, key)
      : resolveVar(entry, env, at, key);
    if ("issue" in result) {
      issues.push(result.issue);
      continue;
    }
    values[key] = result.value;
    if (entry.kind === "secret") secretValues.push(result.value);
  }
  return { values, secretValues, issues };
}

/** A shell command with its secret and variable references resolved. */
export interface RenderedShell {
  /** The command text to run. */
  readonly script: string;
  /** The command text to show: secrets as `***`, variables as their quoted values. */
  readonly display: string;
  /** Text for cache keys: secrets replaced by digests, never by their values. */
  readonly keyText: string;
  /** Secret values the command contains. */
  readonly secretValues: readonly string[];
  /**
   * Environment variables that carry the secret values. The script refers to
   * them as `"$ASYNC_PIPELINE_SECRET_<n>"`, so secret values never appear on
   * a process command line where other users of the machine could read them.
   */
  readonly secretEnv: Readonly<Record<string, string>>;
}

/** Prefix of the variables that carry interpolated secrets into a shell step. */
export const SECRET_ENV_PREFIX = "ASYNC_PIPELINE_SECRET_";

/**
 * Renders a shell command's parts: text as written, variable references
 * shell-quoted from `env`, and secret references as quoted variable
 * expansions whose values travel in {@link RenderedShell.secretEnv}. An
 * interpolated string that equals one of `knownSecrets` is rendered as a
 * secret reference too. Both forms are one shell word with the same value.
 * Returns every problem instead of a command when a reference cannot be
 * resolved. `digest` turns a secret into the text used in cache keys.
 */
export function renderShell(
  command: ShellCommand,
  env: ProcessEnv,
  at: string,
  digest: (secret: string) => string,
  knownSecrets: readonly string[] = [],
): RenderedShell | { issues: PipelineIssue[] } {
  const script: string[] = [];
  const display: string[] = [];
  const keyText: string[] = [];
  const secretValues: string[] = [];
  const secretEnv: Record<string, string> = {};
  const issues: PipelineIssue[] = [];
  const addSecret = (value: string) => {
    const name = `${SECRET_ENV_PREFIX}${secretValues.length}`;
    script.push(`"$${name}"`);
    display.push("***");
    secretEnv[name] = value;
    secretValues.push(value);
    keyText.push(`<secret:${digest(value)}>`);
  };
  for (const part of command.parts) {
    if (part.kind === "text") {
      if (part.interpolated !== undefined && knownSecrets.includes(part.interpolated)) {
        addSecret(part.interpolated);
        continue;
      }
      script.push(part.value);
      display.push(part.value);
      keyText.push(part.value);
      continue;
    }
    const result = part.kind === "secret"
      ? resolveSecret(part.ref, env, at)
      : resolveVar(part.ref, env, at);
    if ("issue" in result) {
      issues.push(result.issue);
      continue;
    }
    if (part.kind === "secret") {
      addSecret(result.value);
    } else {
      script.push(shellQuote(result.value));
      display.push(shellQuote(result.value));
      keyText.push(shellQuote(result.value));
    }
  }
  if (issues.length > 0) return { issues };
  return {
    script: script.join(""),
    display: display.join(""),
    keyText: keyText.join(""),
    secretValues,
    secretEnv,
  };
}
