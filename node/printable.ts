/**
 * File names and lines of task output as they can be printed. A name read
 * from the disk may contain a newline or a terminal escape sequence, which
 * would split a line of output or drive the terminal, so such names are
 * quoted with JSON escapes. The failure summary quotes lines of output alike.
 *
 * @module
 */

/** Control characters, which a file name may contain and a terminal would act on. */
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Returns `path` as it is, or quoted with JSON escapes when it contains a control character. */
export function printablePath(path: string): string {
  return CONTROL.test(path) ? quoted(path) : path;
}

/**
 * Returns `text` in double quotes with JSON escapes. JSON leaves DEL and the C1
 * controls (U+007F to U+009F) as they are, so these are escaped as `\u009b` too.
 */
function quoted(text: string): string {
  return JSON.stringify(text).replace(
    /[\u007f-\u009f]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Control characters other than a tab, which only moves the cursor to the next tab stop. */
// deno-lint-ignore no-control-regex
const CONTROL_BUT_TAB = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;

/**
 * Returns a line of task output as it is, or quoted with JSON escapes when it
 * contains a control character other than a tab: a terminal escape, a `\r`
 * or the bytes of binary output, which would drive the terminal.
 */
export function printableLine(line: string): string {
  return CONTROL_BUT_TAB.test(line) ? quoted(line) : line;
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
