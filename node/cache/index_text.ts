/**
 * The text of the file-state index file, read and written entry by entry.
 *
 * The file is `{"version":N,"entries":{"<path>":"<entry>",...}}`, as
 * `JSON.stringify` writes it. With tens of thousands of entries, parsing it
 * whole makes a temporary object with a property per file, and writing it
 * whole makes that object again plus one string and one buffer of the whole
 * file. Here each entry is read as two slices of the file's text, and
 * written in pieces.
 *
 * @module
 */

import { scanStringRecord } from "./json_scan.ts";
import { type TextSink, writeTextFile } from "./text_sink.ts";

/**
 * Parses the text of an index file into its entry text by absolute path.
 * Returns undefined when it is not an index of `version`. Throws when it is
 * not valid JSON.
 */
export function parseIndexText(text: string, version: number): Map<string, string> | undefined {
  return parseLayout(text, version) ?? parseJson(text, version);
}

/** Parses index text of any JSON layout, keeping the entries whose text is a string. */
function parseJson(text: string, version: number): Map<string, string> | undefined {
  const data = JSON.parse(text);
  if (data?.version !== version || typeof data.entries !== "object" || data.entries === null) {
    return undefined;
  }
  const entries = new Map<string, string>();
  // A for-in loop, unlike Object.entries, makes no pair array per file.
  const stored = data.entries as Record<string, unknown>;
  for (const file in stored) {
    const entry = stored[file];
    if (typeof entry === "string") entries.set(file, entry);
  }
  return entries;
}

/**
 * Parses index text that has the exact layout {@link writeIndexText} writes.
 * Returns undefined for any other layout.
 */
function parseLayout(text: string, version: number): Map<string, string> | undefined {
  const prefix = `{"version":${version},"entries":`;
  if (!text.startsWith(prefix)) return undefined;
  const entries = new Map<string, string>();
  const end = scanStringRecord(text, prefix.length, (file, entry) => entries.set(file, entry));
  return end === text.length - 1 && text.endsWith("}") ? entries : undefined;
}

/**
 * Writes an index file of `version` to `path`. `eachEntry` calls its
 * argument once per entry with the path and the entry text.
 */
export function writeIndexText(
  path: string,
  version: number,
  eachEntry: (emit: (file: string, entry: string) => void) => void,
): void {
  writeTextFile(path, (sink: TextSink) => {
    sink.add(`{"version":${version},"entries":{`);
    let separator = "";
    eachEntry((file, entry) => {
      sink.add(`${separator}${JSON.stringify(file)}:${JSON.stringify(entry)}`);
      separator = ",";
    });
    sink.add("}}");
  });
}
