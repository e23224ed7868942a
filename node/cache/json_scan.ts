/**
 * Scanning of JSON objects whose values are all strings, such as the
 * entries of the file-state index or the inputs of a key manifest. Strings
 * without escapes come back as slices of the text, which share its memory,
 * so an object of tens of thousands of members costs no copy of each.
 *
 * @module
 */

/** Character codes of the JSON syntax the scanners look for. */
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COLON = 0x3a;
export const COMMA = 0x2c;
export const OPENING_BRACE = 0x7b;
export const CLOSING_BRACE = 0x7d;

/** Position in the scanned text, and the next backslash at or after it (-1 for none). */
interface Cursor {
  at: number;
  backslash: number;
}

/**
 * Reads the JSON object of string values that starts at `start` (its `{`),
 * with no whitespace between tokens, as `JSON.stringify` writes it. Calls
 * `add` for each member in order. Returns the position after the closing
 * brace, or undefined when no such object starts there; `add` may have been
 * called for some members by then.
 */
export function scanStringRecord(
  text: string,
  start: number,
  add: (key: string, value: string) => void,
): number | undefined {
  if (text.charCodeAt(start) !== OPENING_BRACE) return undefined;
  const cursor: Cursor = { at: start + 1, backslash: text.indexOf("\\", start) };
  if (text.charCodeAt(cursor.at) === CLOSING_BRACE) return cursor.at + 1;
  for (;;) {
    const key = readString(text, cursor);
    if (key === undefined || text.charCodeAt(cursor.at) !== COLON) return undefined;
    cursor.at++;
    const value = readString(text, cursor);
    if (value === undefined) return undefined;
    add(key, value);
    const next = text.charCodeAt(cursor.at);
    cursor.at++;
    if (next === CLOSING_BRACE) return cursor.at;
    if (next !== COMMA) return undefined;
  }
}

/**
 * Reads the JSON string that starts at `cursor.at` and moves the cursor past
 * it. Returns undefined when no valid string starts there.
 */
function readString(text: string, cursor: Cursor): string | undefined {
  const start = cursor.at;
  if (text.charCodeAt(start) !== QUOTE) return undefined;
  let end = text.indexOf('"', start + 1);
  if (end === -1) return undefined;
  if (cursor.backslash === -1 || cursor.backslash > end) {
    cursor.at = end + 1;
    return text.slice(start + 1, end);
  }
  // A backslash comes before the next quote, so the string may contain escapes.
  end = start + 1;
  while (end < text.length && text.charCodeAt(end) !== QUOTE) {
    end += text.charCodeAt(end) === BACKSLASH ? 2 : 1;
  }
  if (end >= text.length) return undefined;
  cursor.at = end + 1;
  cursor.backslash = text.indexOf("\\", cursor.at);
  try {
    const value = JSON.parse(text.slice(start, end + 1));
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}
