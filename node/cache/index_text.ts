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

import { scanStringRecord } from "./json_scan.ts";
import { type TextSink, writeTextFile } from "./text_sink.ts";

/** The parts of an index file. */
export interface IndexText {
  /** Entry text by absolute path. */
  readonly entries: Map<string, string>;
  /** The parsed `walks` value. */
  readonly walks: unknown;
}

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
  const prefix = `{"version":${version},"entries":`;
  if (!text.startsWith(prefix)) return undefined;
  const entries = new Map<string, string>();
  const end = scanStringRecord(text, prefix.length, (file, entry) => entries.set(file, entry));
  if (end === undefined || !text.startsWith(`,"walks":`, end) || !text.endsWith("}")) {
    return undefined;
  }
  const walks = JSON.parse(text.slice(end + `,"walks":`.length, text.length - 1));
  return { entries, walks };
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
