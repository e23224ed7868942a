/**
 * Environment value builders: literals, secrets and variables.
 *
 * Values here are declarations. They are resolved against a process
 * environment only when a job runs (see `node/env.ts`).
 *
 * @module
 */

import { ErrorCode, PipelineError, suggest } from "./errors.ts";
import { checkArgumentCount, type IssueCollector } from "./fields.ts";

/** A value read from a secret source (`process.env.NAME` locally, `secrets.NAME` on GitHub). */
export interface SecretRef {
  readonly kind: "secret";
  /** Name of the secret in its source. */
  readonly name: string;
}

/** A value read from a variable source (`process.env.NAME` locally, `vars.NAME` on GitHub). */
export interface VarRef {
  readonly kind: "var";
  /** Name of the variable in its source. */
  readonly name: string;
  /** Used when the variable is missing. For a mapped variable this selects the map entry. */
  readonly default?: string;
  /** Maps the variable's value (the selector) to the runtime value, such as `{ prod, dev }`. */
  readonly map?: Readonly<Record<string, string>>;
}

/** Any value accepted in an `env` map. */
export type EnvValue = string | SecretRef | VarRef;

/** Options for {@link env.var}. */
export interface VarOptions {
  /** Value used when the variable is missing. */
  default?: string;
}

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Returns the environment variable names among `names` and reports each
 * other entry at `<path>[<index>]`. A secret that a task requires by name is
 * read from the variable of that name, and a generated workflow renders it
 * as `${{ secrets.<name> }}`, so nothing else can work.
 */
export function envNames(
  issues: IssueCollector,
  path: string,
  names: readonly string[],
): string[] {
  names.forEach((name, index) => {
    if (NAME_PATTERN.test(name)) return;
    issues.invalid(
      `${path}[${index}]`,
      `${JSON.stringify(name)} is not an environment variable name.`,
      "Use letters, digits and underscores, not starting with a digit, such as NPM_TOKEN.",
    );
  });
  return names.filter((name) => NAME_PATTERN.test(name));
}

/**
 * Variable that the runner derives the secret-digest key of the task cache
 * from. The runner reads it itself and never passes it to steps.
 */
export const CACHE_SECRET_ENV = "ASYNC_PIPELINE_CACHE_SECRET";

/** Message and fix for a pipeline that declares or reads {@link CACHE_SECRET_ENV}. */
export const CACHE_SECRET_RESERVED = {
  message: `${CACHE_SECRET_ENV} is read by the runner alone: it keys the cache's digests of ` +
    "secrets and never reaches a step, so the pipeline cannot declare or read it.",
  hint: `Set ${CACHE_SECRET_ENV} in the environment of the run (in GitHub Actions, a ` +
    "repository secret of that name) and remove it from the pipeline.",
};

function checkName(name: unknown, builder: string): string {
  if (name === CACHE_SECRET_ENV) {
    throw new PipelineError(ErrorCode.INVALID_FIELD, CACHE_SECRET_RESERVED.message, {
      hint: CACHE_SECRET_RESERVED.hint,
    });
  }
  if (typeof name !== "string" || !NAME_PATTERN.test(name)) {
    throw new PipelineError(
      ErrorCode.INVALID_FIELD,
      `${builder} expects an environment variable name such as "NPM_TOKEN", got ${
        JSON.stringify(name)
      }.`,
      { hint: "Use letters, digits and underscores, not starting with a digit." },
    );
  }
  return name;
}

/**
 * Makes a reference throw when code converts it to a string or a number, as
 * `${ref}`, `"Bearer " + ref` or `String(ref)` do. Such a conversion would
 * otherwise give `[object Object]`, and a command would get that text instead
 * of the value. The properties are not enumerable, so spreading, comparing and
 * `JSON.stringify` see only `kind` and `name`.
 */
function rejectConversion<T extends object>(ref: T, label: string): T {
  const fail = (): never => {
    throw new PipelineError(
      ErrorCode.INVALID_FIELD,
      `${label} cannot be joined into a string or converted to one: it is a reference ` +
        `whose value is read when the step runs, so it would become "[object Object]".`,
      {
        hint: `Interpolate it into sh\`...\` on its own, as in sh\`tool --token \${${label}}\`, ` +
          `or declare it as an env key of its own, such as env: { KEY: ${label} }, and read ` +
          `ctx.env.KEY in a function step or "$KEY" in a shell step.`,
      },
    );
  };
  return Object.defineProperties(ref, {
    [Symbol.toPrimitive]: { value: fail },
    toString: { value: fail },
  });
}

function secret(name: string): SecretRef {
  checkArgumentCount(
    "env.secret",
    arguments,
    1,
    'pass only the secret name, such as env.secret("NPM_TOKEN"); secrets take no default',
  );
  const checkedName = checkName(name, "env.secret");
  const ref = { kind: "secret", name: checkedName } as const;
  return Object.freeze(rejectConversion(ref, `env.secret("${checkedName}")`));
}

function variable(name: string, options?: VarOptions): VarRef;
function variable(
  name: string,
  map: Record<string, string>,
  options?: VarOptions,
): VarRef;
function variable(
  name: string,
  mapOrOptions?: Record<string, string> | VarOptions,
  maybeOptions?: VarOptions,
): VarRef {
  checkArgumentCount(
    "env.var",
    arguments,
    3,
    "write env.var(name), env.var(name, { default }) or env.var(name, map, { default })",
  );
  checkName(name, "env.var");
  const isMap = maybeOptions !== undefined ||
    (mapOrOptions !== undefined && !isVarOptions(mapOrOptions));
  const options = (isMap ? maybeOptions : mapOrOptions as VarOptions | undefined) ?? {};
  for (const key of Object.keys(options)) {
    if (key !== "default") {
      throw new PipelineError(
        ErrorCode.UNKNOWN_FIELD,
        `env.var("${name}") options accept only "default", got "${key}".`,
        { hint: "Pass a value map as the second argument and { default } as the third." },
      );
    }
  }
  if (options.default !== undefined && typeof options.default !== "string") {
    throw new PipelineError(
      ErrorCode.INVALID_FIELD,
      `env.var("${name}") default must be a string.`,
    );
  }
  const ref: { kind: "var"; name: string; default?: string; map?: Record<string, string> } = {
    kind: "var",
    name,
  };
  if (options.default !== undefined) ref.default = options.default;
  if (isMap) {
    const map = mapOrOptions as Record<string, string>;
    checkMapKeys(name, map, maybeOptions !== undefined);
    for (const [key, value] of Object.entries(map)) {
      if (typeof value !== "string") {
        throw new PipelineError(
          ErrorCode.INVALID_FIELD,
          `env.var("${name}") map entry "${key}" must be a string.`,
        );
      }
    }
    ref.map = Object.freeze({ ...map });
    if (ref.default !== undefined && !(ref.default in map)) {
      throw new PipelineError(
        ErrorCode.INVALID_FIELD,
        `env.var("${name}") default "${ref.default}" is not a key of its value map.`,
        { hint: `Use one of: ${Object.keys(map).join(", ")}.` },
      );
    }
  }
  return Object.freeze(rejectConversion(ref, `env.var("${name}")`));
}

function checkMapKeys(name: string, map: Record<string, string>, explicit: boolean): void {
  const keys = Object.keys(map);
  if (keys.length === 0) {
    throw new PipelineError(
      ErrorCode.INVALID_FIELD,
      `env.var("${name}") has an empty value map, so every value would be unmapped.`,
      { hint: 'Add entries such as { prod: "...", dev: "..." }, or drop the map.' },
    );
  }
  const typo = keys.find((key) => key !== "default" && suggest(key, ["default"]) === "default");
  if (!explicit && typo !== undefined) {
    throw new PipelineError(
      ErrorCode.UNKNOWN_FIELD,
      `env.var("${name}", { ${typo}: ... }) looks like a misspelled "default" option.`,
      {
        hint:
          `Write env.var("${name}", { default: ... }) for a default, or pass the options as the third argument: env.var("${name}", map, {}).`,
      },
    );
  }
}

function isVarOptions(value: object): value is VarOptions {
  const keys = Object.keys(value);
  return keys.length === 0 || (keys.length === 1 && keys[0] === "default");
}

/** Builders for `env` values. */
export const env: {
  /** Declares a secret read from `NAME`. */
  secret: typeof secret;
  /** Declares a variable read from `NAME`, optionally with a default or a value map. */
  var: typeof variable;
} = Object.freeze({ secret, var: variable });

/** Returns true for {@link SecretRef} values. */
export function isSecretRef(value: unknown): value is SecretRef {
  return typeof value === "object" && value !== null &&
    (value as SecretRef).kind === "secret" && typeof (value as SecretRef).name === "string";
}

/** Returns true for {@link VarRef} values. */
export function isVarRef(value: unknown): value is VarRef {
  return typeof value === "object" && value !== null &&
    (value as VarRef).kind === "var" && typeof (value as VarRef).name === "string";
}

/** Returns true for any valid {@link EnvValue}. */
export function isEnvValue(value: unknown): value is EnvValue {
  return typeof value === "string" || isSecretRef(value) || isVarRef(value);
}
