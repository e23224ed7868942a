/** Locating and importing a project's pipeline file. @module */

import { stat } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ErrorCode, isPipelineError, PipelineError } from "../core/errors.ts";
import { isPipeline, type Pipeline } from "../core/model.ts";
import { definePipeline } from "../core/pipeline.ts";
import { importModule } from "./import_module.ts";
import { nearestPackageJson, packageConfigFailure, packageJsonProblem } from "./package_config.ts";
import { projectFrame } from "./stack_frames.ts";
import { thrownMessage } from "./thrown.ts";

/** File names searched, in order, when no `--config` is given. */
export const PIPELINE_FILE_NAMES = [
  "pipeline.ts",
  "pipeline.mts",
  "pipeline.js",
  "pipeline.mjs",
] as const;

/** A pipeline and the file it came from. */
export interface LoadedPipeline {
  readonly pipeline: Pipeline;
  /** Absolute path of the pipeline file. */
  readonly path: string;
  /** Directory of the pipeline file: the project root. */
  readonly dir: string;
}

/** Returns what is at `path`: a file, a directory, or nothing readable. */
async function kindOf(path: string): Promise<"file" | "directory" | undefined> {
  try {
    return (await stat(path)).isDirectory() ? "directory" : "file";
  } catch {
    return undefined;
  }
}

/** Finds the pipeline file in `cwd`, or resolves `config` against it. */
export async function findPipelineFile(cwd: string, config?: string): Promise<string> {
  if (config !== undefined) {
    if (config.trim() === "") {
      throw new PipelineError(ErrorCode.CONFIG_NOT_FOUND, "--config is empty.", {
        path: "--config",
        hint: "Pass the pipeline file, such as --config pipeline.ts, or leave the option out.",
      });
    }
    const path = isAbsolute(config) ? config : resolve(cwd, config);
    const kind = await kindOf(path);
    if (kind === "directory") {
      throw new PipelineError(
        ErrorCode.CONFIG_NOT_FOUND,
        `--config names a directory, not a pipeline file: ${path}.`,
        {
          path: "--config",
          hint: `Pass the file itself, such as --config ${config.replace(/\/+$/, "")}/pipeline.ts.`,
        },
      );
    }
    if (kind === undefined) {
      throw new PipelineError(ErrorCode.CONFIG_NOT_FOUND, `Pipeline file not found: ${path}.`, {
        path: "--config",
        hint: "Check the --config path.",
      });
    }
    return path;
  }
  for (const name of PIPELINE_FILE_NAMES) {
    const path = resolve(cwd, name);
    if (await kindOf(path) === "file") return path;
  }
  throw new PipelineError(
    ErrorCode.CONFIG_NOT_FOUND,
    `No pipeline file in ${cwd} (looked for ${PIPELINE_FILE_NAMES.join(", ")}).`,
    {
      hint:
        "Create pipeline.ts exporting definePipeline({...}) as default, or pass --config <path>.",
    },
  );
}

/** Returns the pipeline from a module: its default export, or the value itself. */
export function pipelineFromModule(value: unknown, where = "pipeline module"): Pipeline {
  const candidate = typeof value === "object" && value !== null && "default" in value
    ? (value as { default: unknown }).default
    : value;
  if (isPipeline(candidate)) return candidate;
  if (typeof candidate === "object" && candidate !== null && "tasks" in candidate) {
    return definePipeline(candidate as Parameters<typeof definePipeline>[0]);
  }
  throw new PipelineError(
    ErrorCode.INVALID_PIPELINE,
    `${where} does not export a pipeline as default.`,
    { hint: "Add `export default definePipeline({...})`." },
  );
}

type ModuleImporter = (url: string) => Promise<unknown>;

let importer: ModuleImporter = (url) => importModule(url);

/**
 * Replaces the module importer. The default imports natively and falls back
 * to the `jiti` TypeScript loader on Node without type stripping.
 */
export function setModuleImporter(next: ModuleImporter): void {
  importer = next;
}

/** Removes terminal color codes, which some runtimes put in import error messages. */
function stripAnsi(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}

/**
 * Returns where a syntax error points, from the frame Node puts at the top
 * of its stack: a `file:line` line, the source line and a caret line. Node's
 * type stripping names the place only there, not in the message. The column
 * is taken from the caret.
 */
function syntaxFrame(error: unknown): string | undefined {
  if (!(error instanceof SyntaxError) || typeof error.stack !== "string") return undefined;
  const [place, ...rest] = error.stack.split("\n");
  if (!/^(?:\/|file:\/\/).*:\d+$/.test(place)) return undefined;
  // The source lines end where the error's own header starts. They may hold
  // empty lines of the source, such as the line before the one at fault.
  const end = rest.findIndex((line) => /^[A-Z]\w*Error\b/.test(line));
  const lines = rest.slice(0, end < 0 ? 0 : end);
  while (lines.length > 0 && lines[0].trim() === "") lines.shift();
  while (lines.length > 0 && lines.at(-1)!.trim() === "") lines.pop();
  if (lines.length === 0) return undefined;
  // The caret sits under the column at fault; Node's `file:line` omits the column.
  const caret = lines.find((line) => /^\s*\^+\s*$/.test(line))?.indexOf("^");
  const at = caret === undefined ? place : `${place}:${caret + 1}`;
  return [at, ...lines.map((line) => `    ${line}`)].join("\n");
}

/**
 * A parse error of the jiti loader (Node without type stripping), such as
 * `ParseError: Unexpected token, expected ";"  \n /app/pipeline.ts:4:6`. Its
 * column counts from 0.
 */
const JITI_PARSE_ERROR = /^ParseError: ([^\n]*?)\s*\n\s*(\S.*):(\d+):(\d+)\s*$/;

/**
 * Describes why importing the pipeline module failed, with the place as
 * `at <file>:<line>:<column>`. For a syntax error it is where the error
 * points, with the column counted from 1 whichever loader reported it.
 * Otherwise it is the first frame of the stack that lies in the project,
 * such as the line of a module that threw while it ran.
 */
export function importFailure(error: unknown): string {
  const message = stripAnsi(thrownMessage(error));
  const jiti = JITI_PARSE_ERROR.exec(message);
  if (jiti !== null) return `${jiti[1]}\n  at ${jiti[2]}:${jiti[3]}:${Number(jiti[4]) + 1}`;
  const frame = syntaxFrame(error) ?? projectFrame(error)?.place;
  return frame === undefined ? message : `${message}\n  at ${frame}`;
}

/**
 * Returns the fix for a pipeline file that failed to load. Under Node, a
 * broken `package.json` can fail the import with a message about something
 * else (Node 20 names a package's `exports`), so the hint names it when the
 * nearest one has a problem.
 */
async function loadFailureHint(path: string): Promise<string> {
  const hint = "Fix the error, in the pipeline file or a module it imports, and run again.";
  if ((globalThis as { Deno?: unknown }).Deno !== undefined) return hint;
  const packageJson = nearestPackageJson(dirname(path));
  const problem = packageJson === undefined ? undefined : await packageJsonProblem(packageJson);
  return problem === undefined
    ? hint
    : `${hint} Check ${packageJson} too, which Node reads to load it: ${problem}.`;
}

/**
 * Adds the place in the project to an error that the package's own code
 * threw while a module ran, such as a pipeline definition with an unknown
 * field or an `sh` template it cannot read. An error that lists several
 * problems, each with its own path, is kept as it is.
 */
function withProjectFrame(error: PipelineError): PipelineError {
  const frame = projectFrame(error);
  if (frame === undefined || error.issues.length > 1) return error;
  return new PipelineError(error.code, `${error.message}\n  at ${frame.place}`, {
    cause: error,
    path: error.path,
    hint: error.hint,
  });
}

/** Options of {@link loadPipeline}. */
export interface LoadPipelineOptions {
  /**
   * Token appended to the module URL as a query string. The runtime caches
   * modules by URL, so a new token re-imports a file that changed on disk
   * since an earlier import in the same process.
   */
  readonly version?: string;
}

/** Imports a pipeline file and returns its normalized pipeline. */
export async function loadPipeline(
  cwd: string,
  config?: string,
  options: LoadPipelineOptions = {},
): Promise<LoadedPipeline> {
  const path = await findPipelineFile(cwd, config);
  const url = pathToFileURL(path).href;
  let module: unknown;
  try {
    module = await importer(
      options.version === undefined ? url : `${url}?v=${encodeURIComponent(options.version)}`,
    );
  } catch (error) {
    if (isPipelineError(error)) throw withProjectFrame(error);
    const packageJson = await packageConfigFailure(error);
    if (packageJson !== undefined) {
      throw new PipelineError(
        ErrorCode.CONFIG_LOAD_FAILED,
        `Failed to load ${path}: Node reads ${packageJson.path} to load it, and ${packageJson.problem}.`,
        { cause: error, path: packageJson.path, hint: `Fix ${packageJson.path} and run again.` },
      );
    }
    throw new PipelineError(
      ErrorCode.CONFIG_LOAD_FAILED,
      `Failed to load ${path}: ${importFailure(error)}`,
      { cause: error, hint: await loadFailureHint(path) },
    );
  }
  return { pipeline: pipelineFromModule(module, path), path, dir: resolve(path, "..") };
}
