/** Source repository declarations whose pipelines compose into the root graph. @module */

import { ErrorCode, PipelineError } from "./errors.ts";
import { checkArgumentCount, checkBuilderOptions } from "./fields.ts";
import { type DeferredShell, isDeferredShell, isShellCommand, type ShellCommand } from "./sh.ts";

/** A step run in the source checkout before its tasks. */
export type PrepareStep = ShellCommand | DeferredShell;

/** A source in a local directory. */
export interface PathSource {
  readonly kind: "source";
  readonly type: "path";
  /** Directory, relative to the root pipeline's directory or absolute. */
  readonly path: string;
  /** Pipeline file inside the source (default `pipeline.ts`). */
  readonly pipeline: string;
  /** Whether prepare steps may modify the directory. Required for `prepare`. */
  readonly writable: boolean;
  readonly prepare: readonly PrepareStep[];
}

/** A source cloned from git into `.async/sources/<id>`. */
export interface GitSource {
  readonly kind: "source";
  readonly type: "git";
  readonly url: string;
  /** Branch, tag or commit (default `main`). */
  readonly ref: string;
  readonly pipeline: string;
  readonly prepare: readonly PrepareStep[];
}

/** Any source declaration. */
export type Source = PathSource | GitSource;

function prepareSteps(builder: string, value: unknown): readonly PrepareStep[] {
  if (value === undefined) return Object.freeze([]);
  if (!Array.isArray(value)) {
    throw new PipelineError(
      ErrorCode.INVALID_FIELD,
      `${builder}: prepare must be an array of sh steps.`,
    );
  }
  value.forEach((step, index) => {
    if (!isShellCommand(step) && !isDeferredShell(step)) {
      throw new PipelineError(
        ErrorCode.INVALID_FIELD,
        `${builder}: prepare[${index}] must be sh\`...\` or sh((ctx) => ...).`,
      );
    }
  });
  return Object.freeze([...value]);
}

function writableFlag(value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") {
    throw new PipelineError(
      ErrorCode.INVALID_FIELD,
      `source.path: writable must be true or false, got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

function nonEmpty(builder: string, field: string, value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new PipelineError(
      ErrorCode.INVALID_FIELD,
      `${builder}: ${field} must be a non-empty string.`,
    );
  }
  return value;
}

function pathSource(options: {
  path: string;
  pipeline?: string;
  writable?: boolean;
  prepare?: PrepareStep[];
}): PathSource {
  checkArgumentCount("source.path", arguments, 1, "pass one options object");
  checkBuilderOptions("source.path", options, ["path", "pipeline", "writable", "prepare"]);
  return Object.freeze({
    kind: "source",
    type: "path",
    path: nonEmpty("source.path", "path", options.path),
    pipeline: options.pipeline === undefined
      ? "pipeline.ts"
      : nonEmpty("source.path", "pipeline", options.pipeline),
    writable: writableFlag(options.writable),
    prepare: prepareSteps("source.path", options.prepare),
  });
}

function gitSource(options: {
  url: string;
  ref?: string;
  pipeline?: string;
  prepare?: PrepareStep[];
}): GitSource {
  checkArgumentCount("source.git", arguments, 1, "pass one options object");
  checkBuilderOptions("source.git", options, ["url", "ref", "pipeline", "prepare"]);
  return Object.freeze({
    kind: "source",
    type: "git",
    url: nonEmpty("source.git", "url", options.url),
    ref: options.ref === undefined ? "main" : nonEmpty("source.git", "ref", options.ref),
    pipeline: options.pipeline === undefined
      ? "pipeline.ts"
      : nonEmpty("source.git", "pipeline", options.pipeline),
    prepare: prepareSteps("source.git", options.prepare),
  });
}

/** Source builders. Sources are explicit: nothing is inferred from manifests. */
export const source: { path: typeof pathSource; git: typeof gitSource } = Object.freeze({
  path: pathSource,
  git: gitSource,
});

/** Returns true for a source declaration. */
export function isSource(value: unknown): value is Source {
  return typeof value === "object" && value !== null && (value as Source).kind === "source";
}

/** Replaces the user information of URLs (`https://user:token@host`) with `***`. */
export function maskUrlCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, "$1***@");
}
