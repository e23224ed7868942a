/**
 * Text edits on JSON and JSONC manifests that keep the author's layout:
 * indentation, key order, line endings, the trailing newline and comments.
 *
 * A value that already exists is replaced in place with `jsonc-parser`'s
 * `modify`. When the object's last property ends its line, adding an entry
 * writes a new line after it. Removing an entry written on its own line drops
 * that line. A comment at the end of a neighbouring line so stays on that
 * line. Any other layout falls back to `modify`, which reflows an inline
 * object into one property per line when it adds an entry.
 *
 * @module
 */

import {
  applyEdits,
  findNodeAtLocation,
  type FormattingOptions,
  getNodeValue,
  modify,
  type Node,
  type ParseError,
  parseTree,
} from "jsonc-parser";
import { ErrorCode, PipelineError } from "../../../core/errors.ts";
import { throwOnParseErrors } from "./workspace.ts";

/** Indentation unit and line ending of a file. */
export interface TextFormat {
  /** One level of indentation, such as four spaces or a tab. */
  readonly indent: string;
  readonly eol: "\n" | "\r\n";
}

/** Detects the indentation unit (default two spaces) and line ending of JSON text. */
export function detectFormat(text: string): TextFormat {
  const newline = text.indexOf("\n");
  const eol = newline > 0 && text[newline - 1] === "\r" ? "\r\n" : "\n";
  const indented = /\n([ \t]+)[^\s]/.exec(text);
  if (!indented) return { indent: "  ", eol };
  const indent = indented[1].startsWith("\t") ? "\t" : indented[1];
  return { indent, eol };
}

/** Parses a manifest and returns the entries of one top-level object field. */
export function readObjectField(
  text: string,
  file: string,
  field: string,
): Map<string, unknown> {
  const container = findField(parseRoot(text, file), file, field);
  const entries = new Map<string, unknown>();
  for (const property of container?.children ?? []) {
    const [key, value] = property.children ?? [];
    if (key && value) entries.set(String(key.value), getNodeValue(value));
  }
  return entries;
}

/** Sets `field[name]` to a string value, creating the field when it is missing. */
export function setEntry(
  text: string,
  file: string,
  field: string,
  name: string,
  value: string,
): string {
  const format = detectFormat(text);
  let root = parseRoot(text, file);
  if (!findNodeAtLocation(root, [field])) {
    text = insertProperty(text, root, [], field, "{}", format);
    root = parseRoot(text, file);
  }

  const container = findField(root, file, field) as Node;
  if (findNodeAtLocation(container, [name])) {
    return applyEdits(text, modify(text, [field, name], value, {}));
  }
  return insertProperty(text, container, [field], name, JSON.stringify(value), format);
}

/** Removes `field[name]`, or returns the text unchanged when the entry is absent. */
export function removeEntry(text: string, file: string, field: string, name: string): string {
  const container = findField(parseRoot(text, file), file, field);
  const properties = container?.children ?? [];
  const index = properties.findIndex((property) => property.children?.[0]?.value === name);
  if (index < 0) return text;
  // The last entry: `{}` unless a comment inside the object must stay.
  if (properties.length === 1 && container !== undefined) {
    const start = container.offset;
    const end = start + container.length;
    const property = properties[0];
    const rest = text.slice(start + 1, property.offset) +
      text.slice(property.offset + property.length, end - 1);
    if (/^[\s,]*$/.test(rest)) return `${text.slice(0, start)}{}${text.slice(end)}`;
  }

  const lineEdit = removeLine(text, properties, index);
  if (lineEdit !== undefined) return lineEdit;
  // Without formatting options, modify deletes the property without reflowing its object.
  return applyEdits(text, modify(text, [field, name], undefined, {}));
}

function parseRoot(text: string, file: string): Node {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true });
  throwOnParseErrors(errors, text, file);
  if (!root || root.type !== "object") {
    throw new PipelineError(
      ErrorCode.SYNC_FILE_INVALID,
      `${file} must contain a JSON object.`,
      { path: file, hint: `Fix ${file}, then run the command again.` },
    );
  }
  return root;
}

function findField(root: Node, file: string, field: string): Node | undefined {
  const container = findNodeAtLocation(root, [field]);
  if (container && container.type !== "object") {
    throw new PipelineError(
      ErrorCode.SYNC_FILE_INVALID,
      `"${field}" in ${file} must be an object of names to commands, found ${container.type}.`,
      { path: file, hint: `Make "${field}" an object in ${file}.` },
    );
  }
  return container;
}

function modifyOptions(format: TextFormat): { formattingOptions: FormattingOptions } {
  const insertSpaces = !format.indent.includes("\t");
  return {
    formattingOptions: {
      insertSpaces,
      tabSize: insertSpaces ? format.indent.length : 1,
      eol: format.eol,
    },
  };
}

/** The rest of a property's line: an optional comma, then comments. */
interface LineTail {
  /** Offset of the comma after the property, or -1. */
  readonly comma: number;
  /** Offset of the line break that ends the line. */
  readonly lineEnd: number;
}

/** Reads the rest of a property's line. Returns undefined when anything but a comma or comments follows. */
function scanLineTail(text: string, from: number): LineTail | undefined {
  let comma = -1;
  let index = from;
  while (index < text.length) {
    const char = text[index];
    if (char === "\r" || char === "\n") return { comma, lineEnd: index };
    if (char === " " || char === "\t") index++;
    else if (char === "," && comma < 0) comma = index++;
    else if (text.startsWith("//", index)) {
      const lineBreak = text.slice(index).search(/\r?\n/);
      return lineBreak < 0 ? undefined : { comma, lineEnd: index + lineBreak };
    } else if (text.startsWith("/*", index)) {
      const close = text.indexOf("*/", index + 2);
      if (close < 0 || /[\r\n]/.test(text.slice(index, close))) return undefined;
      index = close + 2;
    } else return undefined;
  }
  return undefined;
}

/** Returns the indentation before a node when only whitespace precedes it on its line. */
function lineIndent(text: string, node: Node): string | undefined {
  const lineStart = text.lastIndexOf("\n", node.offset - 1) + 1;
  const before = text.slice(lineStart, node.offset);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

/** Returns the whitespace that starts the line containing `offset`. */
function leadingWhitespace(text: string, offset: number): string {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** Appends `"key": value` as the object's last property. */
function insertProperty(
  text: string,
  object: Node,
  objectPath: string[],
  key: string,
  valueText: string,
  format: TextFormat,
): string {
  const properties = object.children ?? [];
  const last = properties.at(-1);
  const tail = last && scanLineTail(text, last.offset + last.length);
  if (!last || !tail) {
    const edits = modify(text, [...objectPath, key], JSON.parse(valueText), modifyOptions(format));
    return applyEdits(text, edits);
  }
  // The last property may share its line with the object's "{", as in
  // `"tasks": { "dev": "x" // note`. The new line then goes one level deeper
  // than that line, so the comment stays with the property it follows.
  const indent = lineIndent(text, last) ?? leadingWhitespace(text, object.offset) + format.indent;

  const [lastKey, lastValue] = last.children ?? [];
  const written = lastKey && lastValue
    ? text.slice(lastKey.offset + lastKey.length, lastValue.offset)
    : ": ";
  const separator = /[\r\n]/.test(written) ? ": " : written;
  const line = `${format.eol}${indent}${JSON.stringify(key)}${separator}${valueText}`;
  if (tail.comma >= 0) {
    return text.slice(0, tail.lineEnd) + line + "," + text.slice(tail.lineEnd);
  }
  const lastEnd = last.offset + last.length;
  return text.slice(0, lastEnd) + "," + text.slice(lastEnd, tail.lineEnd) + line +
    text.slice(tail.lineEnd);
}

/** Removes the whole line of `properties[index]`, or returns undefined when the layout does not allow it. */
function removeLine(text: string, properties: Node[], index: number): string | undefined {
  const property = properties[index];
  if (lineIndent(text, property) === undefined) return undefined;
  const tail = scanLineTail(text, property.offset + property.length);
  if (!tail) return undefined;

  const lineStart = text.lastIndexOf("\n", property.offset - 1) + 1;
  const lineBreak = text.startsWith("\r\n", tail.lineEnd) ? 2 : 1;
  const without = text.slice(0, lineStart) + text.slice(tail.lineEnd + lineBreak);

  // The last property without a trailing comma leaves its predecessor's comma dangling.
  const isLast = index === properties.length - 1;
  if (!isLast || tail.comma >= 0 || index === 0) return without;
  const previous = properties[index - 1];
  const comma = findCommaAfter(text, previous.offset + previous.length);
  if (comma < 0 || comma >= lineStart) return undefined;
  return without.slice(0, comma) + without.slice(comma + 1);
}

/** Finds the comma after a value, skipping whitespace and comments. Returns -1 when there is none. */
function findCommaAfter(text: string, from: number): number {
  let index = from;
  while (index < text.length) {
    if (/\s/.test(text[index])) index++;
    else if (text.startsWith("//", index)) {
      const lineBreak = text.indexOf("\n", index);
      if (lineBreak < 0) return -1;
      index = lineBreak;
    } else if (text.startsWith("/*", index)) {
      const close = text.indexOf("*/", index + 2);
      if (close < 0) return -1;
      index = close + 2;
    } else return text[index] === "," ? index : -1;
  }
  return -1;
}
