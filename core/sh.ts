/**
 * The `sh` tag: shell steps whose interpolated values are quoted.
 *
 * Each interpolated value becomes one shell argument (an array becomes
 * several). `sh.raw(text)` inserts text unquoted. An interpolated
 * `env.secret(...)` or `env.var(...)` is kept as a reference and resolved when
 * the step runs; a secret shows as `***` in every rendered text.
 *
 * @module
 */

import { ErrorCode, PipelineError } from "./errors.ts";
import { isSecretRef, isVarRef, type SecretRef, type VarRef } from "./env.ts";
import { checkArgumentCount, deepFreeze } from "./fields.ts";

/**
 * One piece of a shell command template. A text piece that quotes one
 * interpolated string keeps that string in `interpolated`, so the runner can
 * pass a secret value through the environment instead of the command line.
 */
export type ShellPart =
  | { readonly kind: "text"; readonly value: string; readonly interpolated?: string }
  | { readonly kind: "secret"; readonly ref: SecretRef }
  | { readonly kind: "var"; readonly ref: VarRef };

/** A shell command built with the `sh` tag. */
export interface ShellCommand {
  readonly kind: "shell";
  /**
   * Template pieces. Literal text and quoted numbers, booleans and `sh.raw`
   * text are merged. Each interpolated string is its own text piece.
   */
  readonly parts: readonly ShellPart[];
  /** Display text; secrets show as `***` and variables as `$NAME`. */
  readonly text: string;
}

/** Context handed to a deferred shell callback when its step runs. */
export interface DeferredShellContext {
  readonly taskId: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly root: { readonly dir: string };
  readonly candidate: { readonly dir: string; readonly fingerprint: string };
  readonly source?: { readonly id: string; readonly dir: string };
}

/** A shell step whose command is computed from the run context when it runs. */
export interface DeferredShell {
  readonly kind: "deferred-shell";
  readonly callback: (ctx: DeferredShellContext) => ShellCommand | string;
}

/** Text inserted into a command without quoting. */
export interface RawShell {
  readonly kind: "raw-shell";
  readonly value: string;
}

/** A value accepted inside `` sh`...` ``. */
export type ShellValue =
  | string
  | number
  | boolean
  | bigint
  | RawShell
  | ShellCommand
  | SecretRef
  | VarRef
  | readonly ShellValue[];

const SAFE_WORD = /^[A-Za-z0-9_\/.,:=@%+^-]+$/;

/** Quotes one value as a single POSIX shell word. */
export function shellQuote(value: string): string {
  if (value !== "" && SAFE_WORD.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function appendText(parts: ShellPart[], text: string): void {
  const last = parts[parts.length - 1];
  if (last && last.kind === "text" && last.interpolated === undefined) {
    parts[parts.length - 1] = { kind: "text", value: last.value + text };
  } else if (text !== "") {
    parts.push({ kind: "text", value: text });
  }
}

function appendValue(parts: ShellPart[], value: unknown, index: number): void {
  if (Array.isArray(value)) {
    value.forEach((item, position) => {
      if (position > 0) appendText(parts, " ");
      appendValue(parts, item, index);
    });
    return;
  }
  if (typeof value === "string") {
    return void parts.push({ kind: "text", value: shellQuote(value), interpolated: value });
  }
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    return appendText(parts, shellQuote(String(value)));
  }
  if (isRawShell(value)) return appendText(parts, value.value);
  if (isShellCommand(value)) {
    for (const part of value.parts) {
      if (part.kind === "text" && part.interpolated === undefined) appendText(parts, part.value);
      else parts.push(part);
    }
    return;
  }
  if (isSecretRef(value)) return void parts.push({ kind: "secret", ref: value });
  if (isVarRef(value)) return void parts.push({ kind: "var", ref: value });
  throw new PipelineError(
    ErrorCode.INVALID_FIELD,
    `sh interpolation #${index + 1} is ${
      value === null ? "null" : typeof value
    }; expected a string, number, array, sh.raw(...), env.secret(...) or env.var(...).`,
    { hint: "Convert the value to a string first, or use sh.raw(...) for unquoted text." },
  );
}

/** Renders display text: secrets as `***`, variables as `$NAME`. */
function displayText(parts: readonly ShellPart[]): string {
  return parts.map((part) => {
    if (part.kind === "text") return part.value;
    if (part.kind === "secret") return "***";
    return `"$${part.ref.name}"`;
  }).join("");
}

function makeCommand(parts: ShellPart[]): ShellCommand {
  // deepFreeze records the command, so freezing the task that contains it
  // later does not walk it again.
  return deepFreeze({ kind: "shell", parts, text: displayText(parts) });
}

function shTag(strings: TemplateStringsArray, ...values: ShellValue[]): ShellCommand;
function shTag(callback: (ctx: DeferredShellContext) => ShellCommand | string): DeferredShell;
function shTag(
  first: TemplateStringsArray | ((ctx: DeferredShellContext) => ShellCommand | string),
  ...values: ShellValue[]
): ShellCommand | DeferredShell {
  if (typeof first === "function") {
    checkArgumentCount("sh(callback)", [first, ...values], 1, "pass only the callback");
    return Object.freeze({ kind: "deferred-shell", callback: first });
  }
  if (!Array.isArray(first) || !("raw" in first)) {
    throw new PipelineError(
      ErrorCode.INVALID_FIELD,
      "sh must be used as a tagged template (sh`cmd`) or given a callback (sh((ctx) => ...)).",
      {
        hint: 'For a plain string command use sh.raw("...") inside a template: sh`${sh.raw(cmd)}`.',
      },
    );
  }
  const parts: ShellPart[] = [];
  first.forEach((literal, index) => {
    // A template may hold an escape that JavaScript cannot read, such as
    // `\033`: its text is then undefined and only the raw text exists.
    if (literal === undefined) throw unreadableEscape(first.raw[index]);
    appendText(parts, literal);
    if (index < values.length) appendValue(parts, values[index], index);
  });
  return makeCommand(parts);
}

/**
 * Escapes that a template cannot read: legacy octal (`\033`, `\1`), `\x`
 * without two hex digits, `\u` without four hex digits or a braced code point.
 */
const UNREADABLE_ESCAPE =
  /\\(?:0[0-9]{1,2}|[1-9][0-9]{0,2}|x[0-9A-Fa-f]?(?![0-9A-Fa-f])|u\{(?![0-9A-Fa-f]+\})[^}]{0,8}\}?|u[0-9A-Fa-f]{0,3}(?![0-9A-Fa-f{]))/;

/** Builds the error for a template piece whose escape sequence JavaScript cannot read. */
function unreadableEscape(rawText: string): PipelineError {
  const escape = UNREADABLE_ESCAPE.exec(rawText)?.[0];
  const quotedEscape = escape === undefined ? "" : ` "${escape}"`;
  return new PipelineError(
    ErrorCode.INVALID_FIELD,
    `sh template has an escape${quotedEscape} that JavaScript cannot read in a template, so the command would be lost.`,
    { hint: "Write the backslash twice so the shell gets it: sh`printf '\\\\033[1m'`." },
  );
}

function raw(value: string): RawShell {
  checkArgumentCount("sh.raw", arguments, 1, "pass one string");
  if (typeof value !== "string") {
    throw new PipelineError(ErrorCode.INVALID_FIELD, "sh.raw expects a string.");
  }
  return Object.freeze({ kind: "raw-shell", value });
}

/** Creates shell commands. See the module documentation for quoting rules. */
export const sh: typeof shTag & {
  /** Marks text to insert unquoted. Only use it for text you control. */
  raw: typeof raw;
} = Object.assign(shTag, { raw });

/** Returns true for a {@link ShellCommand}. */
export function isShellCommand(value: unknown): value is ShellCommand {
  return typeof value === "object" && value !== null &&
    (value as ShellCommand).kind === "shell" && Array.isArray((value as ShellCommand).parts);
}

/** Returns true for a {@link DeferredShell}. */
export function isDeferredShell(value: unknown): value is DeferredShell {
  return typeof value === "object" && value !== null &&
    (value as DeferredShell).kind === "deferred-shell" &&
    typeof (value as DeferredShell).callback === "function";
}

/** Returns true for a {@link RawShell}. */
export function isRawShell(value: unknown): value is RawShell {
  return typeof value === "object" && value !== null &&
    (value as RawShell).kind === "raw-shell" && typeof (value as RawShell).value === "string";
}

/**
 * Converts a deferred callback's result (a command or a plain string) to a
 * command. `source` names the callback in the error for any other result.
 */
export function toShellCommand(
  value: ShellCommand | string,
  source = "A deferred sh callback",
): ShellCommand {
  if (typeof value === "string") return makeCommand([{ kind: "text", value }]);
  if (isShellCommand(value)) return value;
  const got = value === null || value === undefined
    ? String(value)
    : Array.isArray(value)
    ? "an array"
    : typeof value === "object"
    ? "an object"
    : `a ${typeof value}`;
  throw new PipelineError(
    ErrorCode.INVALID_FIELD,
    `${source} returned ${got}, but it must return sh\`...\` or a string.`,
    { hint: "Return the command from the callback: sh((ctx) => sh`...`)." },
  );
}
