/**
 * The text of the file-state index file, read and written entry by entry.
 *
 * The file is `{"version":N,"entries":{"<path>":"<entry>",...},"walks":{...}}`,
 * as `JSON.stringify` writes it. With tens of thousands of entries, parsing
 * it whole makes a temporary object with a property per file, and writing
 * it whole makes that object again plus one string and one buffer of the
 * whole file. Here each entry is read as two slices of the file's text, and
 * written in pieces.
 *
 * @module
 */

import { type TextSink, writeTextFile } from "./text_sink.ts";

/** The parts of an index file. */
export interface IndexText {
  /** Entry text by absolute path. */
  readonly entries: Map<string, string>;
  /** The parsed `walks` value. */
  readonly walks: unknown;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const CLOSING_BRACE = 0x7d;

/**
 * Parses the text of an index file. Returns undefined when it is not an
 * index of `version`. Throws when it is not valid JSON.
 */
export function parseIndexText(text: string, version: number): IndexText | undefined {
  return parseLayout(text, version) ?? parseJson(text, version);
}

/** Parses index text of any JSON layout, keeping the entries whose text is a string. */
function parseJson(text: string, version: number): IndexText | undefined {
  const data = JSON.parse(text);
  if (data?.version !== version || typeof data.entries !== "object" || data.entries === null) {
    return undefined;
  }
  const entries = new Map<string, string>();
  for (const [file, entry] of Object.entries(data.entries)) {
    if (typeof entry === "string") entries.set(file, entry);
  }
  return { entries, walks: data.walks };
}

/**
 * Parses index text that has the exact layout {@link writeIndexText} writes.
 * Returns undefined for any other layout. Throws when the `walks` part is
 * not valid JSON.
 */
function parseLayout(text: string, version: number): IndexText | undefined {
  const prefix = `{"version":${version},"entries":{`;
  if (!text.startsWith(prefix)) return undefined;
  const entries = new Map<string, string>();
  const cursor = { at: prefix.length };
  // Inside JSON strings every quote is escaped, so the first raw `},"walks":`
  // closes the entries, and only a backslash before it can start an escape.
  const entriesEnd = text.indexOf(`},"walks":`, prefix.length - 1);
  const firstBackslash = text.indexOf("\\", prefix.length);
  const plain = firstBackslash === -1 || firstBackslash > entriesEnd;
  if (text.charCodeAt(cursor.at) !== CLOSING_BRACE) {
    for (;;) {
      const file = readString(text, cursor, plain);
      if (file === undefined || text.charCodeAt(cursor.at) !== COLON) return undefined;
      cursor.at++;
      const entry = readString(text, cursor, plain);
      if (entry === undefined) return undefined;
      entries.set(file, entry);
      const next = text.charCodeAt(cursor.at);
      if (next === CLOSING_BRACE) break;
      if (next !== COMMA) return undefined;
      cursor.at++;
    }
  }
  const walksStart = cursor.at + 1;
  if (!text.startsWith(`,"walks":`, walksStart) || !text.endsWith("}")) return undefined;
  const walks = JSON.parse(text.slice(walksStart + `,"walks":`.length, text.length - 1));
  return { entries, walks };
}

/**
 * Reads the JSON string that starts at `cursor.at` and moves the cursor past
 * it. A string without escapes comes back as a slice of `text`, which
 * shares its memory. `plain` is true when the entries contain no backslash, so
 * the closing quote is the next quote. Returns undefined when no valid
 * string starts there.
 */
function readString(text: string, cursor: { at: number }, plain: boolean): string | undefined {
  const start = cursor.at;
  if (text.charCodeAt(start) !== QUOTE) return undefined;
  let end = start + 1;
  let escaped = false;
  if (plain) end = text.indexOf('"', end);
  else {
    while (end < text.length && text.charCodeAt(end) !== QUOTE) {
      if (text.charCodeAt(end) === BACKSLASH) {
        escaped = true;
        end++;
      }
      end++;
    }
  }
  if (end === -1 || end >= text.length) return undefined;
  cursor.at = end + 1;
  if (!escaped) return text.slice(start + 1, end);
  try {
    const value = JSON.parse(text.slice(start, end + 1));
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes an index file of `version` to `path`. `eachEntry` calls its
 * argument once per entry with the path and the entry text.
 */
export function writeIndexText(
  path: string,
  version: number,
  eachEntry: (emit: (file: string, entry: string) => void) => void,
  walks: unknown,
): void {
  writeTextFile(path, (sink: TextSink) => {
    sink.add(`{"version":${version},"entries":{`);
    let separator = "";
    eachEntry((file, entry) => {
      sink.add(`${separator}${JSON.stringify(file)}:${JSON.stringify(entry)}`);
      separator = ",";
    });
    sink.add(`},"walks":${JSON.stringify(walks)}}`);
  });
}
