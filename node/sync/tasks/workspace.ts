/**
 * Workspace packages of a project, found the way npm, yarn, pnpm and Deno
 * declare them: `package.json#workspaces`, `pnpm-workspace.yaml#packages`
 * and `deno.json#workspace`.
 *
 * @module
 */

import { readFile } from "node:fs/promises";
import { withPath } from "../../atomic_write.ts";
import { join, posix } from "node:path";
import { parse as parseJsonc, type ParseError, printParseErrorCode } from "jsonc-parser";
import { glob } from "tinyglobby";
import { parse as parseYaml } from "yaml";
import { ErrorCode, PipelineError } from "../../../core/errors.ts";
import { isRecord, isStringArray } from "../../../core/fields.ts";

/** A package of the workspace, identified by its `package.json#name`. */
export interface WorkspacePackage {
  readonly name: string;
  /** Directory relative to the project root, with forward slashes, or `.` for the root. */
  readonly dir: string;
}

/** Reads a file, or returns undefined when it does not exist. */
export async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    // Reading a directory fails with EISDIR and no path in the error.
    throw withPath(error, path);
  }
}

/**
 * Throws `ASYNC_PIPELINE_SYNC_FILE_INVALID` for the first parse error, naming
 * the file and the line. Does nothing when `errors` is empty.
 */
export function throwOnParseErrors(
  errors: readonly ParseError[],
  text: string,
  file: string,
): void {
  if (errors.length === 0) return;
  const [first] = errors;
  const line = text.slice(0, first.offset).split("\n").length;
  throw new PipelineError(
    ErrorCode.SYNC_FILE_INVALID,
    `${file} is not valid JSON: ${printParseErrorCode(first.error)} at line ${line}.`,
    { path: file, hint: `Fix ${file}, then run the command again.` },
  );
}

/** Parses JSON or JSONC text, naming the file when it is invalid. */
export function parseJsonFile(text: string, file: string): unknown {
  const errors: ParseError[] = [];
  const value = parseJsonc(text, errors, { allowTrailingComma: true });
  throwOnParseErrors(errors, text, file);
  return value;
}

/** Returns the member globs that the root manifests declare. */
export async function workspacePatterns(root: string): Promise<string[]> {
  const patterns: string[] = [];

  const packageText = await readOptional(join(root, "package.json"));
  if (packageText !== undefined) {
    const manifest = parseJsonFile(packageText, "package.json");
    const workspaces = isRecord(manifest) ? manifest.workspaces : undefined;
    if (isStringArray(workspaces)) patterns.push(...workspaces);
    else if (isRecord(workspaces) && isStringArray(workspaces.packages)) {
      patterns.push(...workspaces.packages);
    }
  }

  const pnpmText = await readOptional(join(root, "pnpm-workspace.yaml"));
  if (pnpmText !== undefined) {
    let pnpm: unknown;
    try {
      pnpm = parseYaml(pnpmText);
    } catch (error) {
      throw new PipelineError(
        ErrorCode.SYNC_FILE_INVALID,
        `pnpm-workspace.yaml is not valid YAML: ${(error as Error).message}`,
        { path: "pnpm-workspace.yaml", cause: error },
      );
    }
    if (isRecord(pnpm) && isStringArray(pnpm.packages)) patterns.push(...pnpm.packages);
  }

  for (const file of ["deno.json", "deno.jsonc"]) {
    const text = await readOptional(join(root, file));
    if (text === undefined) continue;
    const config = parseJsonFile(text, file);
    const members = isRecord(config) ? config.workspace : undefined;
    if (isStringArray(members)) patterns.push(...members);
    else if (isRecord(members) && isStringArray(members.members)) patterns.push(...members.members);
    break;
  }
  return patterns;
}

/** Turns a member glob into a glob for that member's `package.json`. */
function manifestGlob(pattern: string): string {
  const negated = pattern.startsWith("!");
  const body = (negated ? pattern.slice(1) : pattern).replace(/^\.\//, "").replace(/\/+$/, "");
  return `${negated ? "!" : ""}${posix.join(body || ".", "package.json")}`;
}

/** Lists the root package and every workspace member that has a `package.json` with a name. */
export async function listWorkspacePackages(root: string): Promise<WorkspacePackage[]> {
  const patterns = (await workspacePatterns(root)).map(manifestGlob);
  const found = patterns.some((pattern) => !pattern.startsWith("!"))
    ? await glob(patterns, { cwd: root, ignore: ["**/node_modules/**"] })
    : [];
  const manifests = new Set(["package.json", ...found.sort()]);

  const packages: WorkspacePackage[] = [];
  for (const manifest of manifests) {
    const text = await readOptional(join(root, manifest));
    if (text === undefined) continue;
    const value = parseJsonFile(text, manifest);
    if (!isRecord(value) || typeof value.name !== "string" || value.name === "") continue;
    packages.push({ name: value.name, dir: posix.dirname(manifest) });
  }
  return packages;
}
