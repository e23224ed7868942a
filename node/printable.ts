/**
 * File names as they can be printed. A name read from the disk may contain
 * a newline or a terminal escape sequence, which would split a line of
 * output or drive the terminal, so such names are quoted with JSON escapes.
 *
 * @module
 */

/** Control characters, which a file name may contain and a terminal would act on. */
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Returns `path` as it is, or quoted with JSON escapes when it contains a control character. */
export function printablePath(path: string): string {
  return CONTROL.test(path) ? JSON.stringify(path) : path;
}

/**
 * Returns the message of `error` with the paths of a system error
 * (`path` and `dest`, which Node's and Deno's `node:fs` put in the message
 * inside single quotes) made printable by {@link printablePath}.
 */
export function printableErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const { path, dest } = (error ?? {}) as { path?: unknown; dest?: unknown };
  let text = message;
  for (const name of [path, dest]) {
    if (typeof name !== "string" || !CONTROL.test(name)) continue;
    const quoted = `'${name}'`;
    text = text.includes(quoted)
      ? text.replaceAll(quoted, printablePath(name))
      : text.replaceAll(name, printablePath(name));
  }
  return text;
}
