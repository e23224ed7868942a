/**
 * Importing pipeline modules on every supported runtime. Deno and Bun import
 * TypeScript natively, and so does Node where it strips types
 * (`process.features.typescript`, on by default from Node 22.18 and 23.6).
 * Older Node imports `.ts`, `.mts` and `.cts` files through the `jiti`
 * loader. JavaScript files always use the runtime's own `import()`.
 *
 * @module
 */

import { extname } from "node:path";
import process from "./process.ts";
import { fileURLToPath } from "node:url";
import { namedImportCheck } from "./import_check.ts";
import { thrownByRunningCode } from "./stack_frames.ts";

/** The runtime facts that decide how a module is imported. */
export interface RuntimeFeatures {
  /** Deno's version, when running under Deno. */
  readonly deno?: string;
  /** Bun's version, when running under Bun. */
  readonly bun?: string;
  /** Node's `process.features.typescript`: `"strip"`, `"transform"` or false. */
  readonly typescript?: unknown;
}

/** Import method: the runtime's own `import()` or the TypeScript loader. */
export type ImportStrategy = "native" | "loader";

/** Extensions of TypeScript modules. */
export const TYPESCRIPT_EXTENSIONS: readonly string[] = [".ts", ".mts", ".cts"];

/** Reads the features of the running process. */
export function currentRuntime(): RuntimeFeatures {
  const features = process.features as { typescript?: unknown };
  return {
    deno: process.versions.deno,
    bun: process.versions.bun,
    typescript: features.typescript,
  };
}

/**
 * Chooses how to import the module at `path`.
 *
 * @example
 * ```ts
 * importStrategy("/app/pipeline.ts", { typescript: false }); // "loader"
 * importStrategy("/app/pipeline.ts", { typescript: "strip" }); // "native"
 * importStrategy("/app/pipeline.mjs", {}); // "native"
 * ```
 */
export function importStrategy(path: string, runtime: RuntimeFeatures): ImportStrategy {
  if (!isTypeScript(path)) return "native";
  if (runtime.deno || runtime.bun || runtime.typescript) return "native";
  return "loader";
}

/**
 * Reports whether a failed native import of a TypeScript module is worth
 * retrying with `jiti`. Node's type stripping rejects syntax that needs
 * transformation (enums, namespaces, parameter properties) and `.ts` files
 * inside `node_modules`. It also raises a `SyntaxError` for ES module syntax
 * in a package whose `package.json` sets `"type": "commonjs"`, and for a
 * type imported without `import type`, which reads as a missing export.
 * `jiti` handles all of these, and it still fails on an import of a value
 * that the module does not export (see `./import_check.ts`).
 *
 * Code that type stripping cannot parse at all
 * (`ERR_INVALID_TYPESCRIPT_SYNTAX`) is not retried. It is invalid for `jiti`
 * too, and Node's error names the line. An error thrown by code that ran,
 * such as a `SyntaxError` from `JSON.parse` in the module body, is not
 * retried either, because a retry would run that body a second time.
 */
export function isRetryableWithLoader(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "ERR_INVALID_TYPESCRIPT_SYNTAX") return false;
  if (thrownByRunningCode(error)) return false;
  return error instanceof SyntaxError ||
    code === "ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX" ||
    code === "ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING";
}

/** True once this process has imported a module through `jiti`. */
let loaderImported = false;

/**
 * Returns true when this process has imported a module through `jiti`,
 * whose rewritten code is what `Function.prototype.toString` then returns.
 */
export function usedTypeScriptLoader(): boolean {
  return loaderImported;
}

/**
 * Imports a module through `jiti`, which transpiles TypeScript in memory,
 * with the check that fails on a missing named import.
 *
 * NOTE: jiti keys its file cache by the file and its source only, so a file
 * that an older version of this package compiled runs unchecked until it changes.
 */
export async function importWithLoader(url: string): Promise<unknown> {
  const { createJiti } = await import("jiti");
  const jiti = createJiti(import.meta.url, {
    transformOptions: { babel: { plugins: [namedImportCheck] } },
  });
  const module = await jiti.import(fileURLToPath(url));
  loaderImported = true;
  return module;
}

/**
 * Imports the module at the `file:` URL `url`, choosing native `import()` or
 * the TypeScript loader from the runtime's features.
 */
export async function importModule(
  url: string,
  runtime: RuntimeFeatures = currentRuntime(),
): Promise<unknown> {
  const path = fileURLToPath(url);
  if (importStrategy(path, runtime) === "loader") return await importWithLoader(url);
  try {
    return await import(url);
  } catch (error) {
    const isNode = !runtime.deno && !runtime.bun;
    if (!isNode || !isTypeScript(path) || !isRetryableWithLoader(error)) throw error;
    // NOTE: a module that Node cannot strip, loaded by `import()` from a
    // running module, fails with the same error as a static import. So the
    // code that ran before that `import()` runs a second time under jiti.
    try {
      return await importWithLoader(url);
    } catch (retryError) {
      // A SyntaxError from jiti too means the file itself is at fault, and
      // the native error names that in Node's standard words. Any other
      // error was thrown by the module body, which jiti did get to run, as
      // a pipeline definition with an unknown field does in a CommonJS package.
      // A missing export that jiti confirms is the one to report, also when
      // the native error is about syntax in another module that jiti can read.
      if (isMissingExport(retryError)) throw retryError;
      throw retryError instanceof SyntaxError ? error : retryError;
    }
  }
}

/** True for the error of an import of a name that the imported module does not export. */
function isMissingExport(error: unknown): boolean {
  return error instanceof SyntaxError && /does not provide an export named/.test(error.message);
}

function isTypeScript(path: string): boolean {
  return TYPESCRIPT_EXTENSIONS.includes(extname(path));
}
