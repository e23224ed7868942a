/**
 * Explaining an import that failed on a `package.json`. Node reads the
 * nearest `package.json` to decide how to load the pipeline file, and when
 * that file is not valid it names only the file. This module finds the file
 * and describes what is wrong with it, with the line and column of a JSON
 * syntax error.
 *
 * @module
 */

import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { ParseError } from "jsonc-parser";
import { isRecord } from "../core/fields.ts";
import { thrownMessage } from "./thrown.ts";

/** A `package.json` that stopped an import, and what is wrong with it. */
export interface PackageConfigFailure {
  readonly path: string;
  readonly problem: string;
}

/** Returns the `package.json` that Node refused, when that is why `error` was thrown. */
export async function packageConfigFailure(
  error: unknown,
): Promise<PackageConfigFailure | undefined> {
  // Node's own loader reports "Invalid package config <path>"; the
  // TypeScript loader used on Node 20 reports "Error parsing <path>: <reason>".
  const message = thrownMessage(error);
  const match = (error as { code?: unknown } | null)?.code === "ERR_INVALID_PACKAGE_CONFIG"
    ? /Invalid package config (.+?package\.json)/.exec(message)
    : /^Error parsing (.+?package\.json):/.exec(message);
  if (match === null) return undefined;
  return { path: match[1], problem: await describePackageJson(match[1]) };
}

/** Says why the `package.json` at `path` cannot be used: unreadable, invalid JSON or not an object. */
export async function describePackageJson(path: string): Promise<string> {
  return await packageJsonProblem(path) ?? "Node could not use it";
}

/**
 * Returns what is wrong with the `package.json` at `path`, or undefined
 * when it is a readable JSON object. A byte order mark counts as wrong,
 * because Node 20 cannot read a file that starts with one.
 */
export async function packageJsonProblem(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    return `it cannot be read (${thrownMessage(error)})`;
  }
  if (text.startsWith("\uFEFF")) {
    return "it starts with a byte order mark (BOM), which Node 20 cannot read";
  }
  // Loaded here, so that loading a pipeline does not load the parser.
  const { parse, printParseErrorCode } = await import("jsonc-parser");
  const errors: ParseError[] = [];
  const value = parse(text, errors, { disallowComments: true, allowTrailingComma: false });
  if (errors.length > 0) {
    const [first] = errors;
    const reason = printParseErrorCode(first.error);
    if (first.offset >= text.trimEnd().length) {
      return `it ends before its JSON is complete (${reason})`;
    }
    const before = text.slice(0, first.offset);
    const line = before.split("\n").length;
    const column = before.length - before.lastIndexOf("\n");
    return `it is not valid JSON at line ${line}, column ${column} (${reason})`;
  }
  return isRecord(value) ? undefined : "it does not hold a JSON object";
}

/**
 * Finds the `package.json` that Node reads for a module in `dir`: the
 * nearest one in `dir` or a parent directory. Returns undefined when there
 * is none.
 */
export function nearestPackageJson(dir: string): string | undefined {
  for (let current = resolve(dir);; current = dirname(current)) {
    const candidate = join(current, "package.json");
    if (existsSync(candidate)) return candidate;
    if (dirname(current) === current) return undefined;
  }
}
