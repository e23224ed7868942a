/**
 * The npm `package.json` of the published package, derived from `deno.json`
 * (name, version, exports) and the development `package.json` (runtime
 * dependencies). Pure: the caller reads and writes the files.
 *
 * @module
 */

/** The fields of `deno.json` the npm manifest is built from. */
export interface DenoConfig {
  readonly name: string;
  readonly version: string;
  readonly license?: string;
  /** Subpath to source module, such as `"./core": "./core/mod.ts"`. */
  readonly exports: Readonly<Record<string, string>>;
}

/** The fields of the development `package.json` the npm manifest reads. */
export interface DevelopmentPackageJson {
  /** Runtime dependencies: every one of them ships with the npm package. */
  readonly dependencies?: Readonly<Record<string, string>>;
}

/** One `exports` entry with a declaration file for TypeScript and a module for `import`. */
export interface ExportConditions {
  readonly types: string;
  readonly import: string;
}

/** The generated npm manifest. */
export interface NpmManifest {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly license: string;
  readonly type: "module";
  readonly exports: Readonly<Record<string, ExportConditions | string>>;
  readonly bin: Readonly<Record<string, string>>;
  readonly engines: { readonly node: string };
  readonly dependencies: Readonly<Record<string, string>>;
  readonly keywords: readonly string[];
}

/** Name of the executable the package installs. */
export const BIN_NAME = "async-pipeline";

/** Source module of the npm executable, relative to the repository root. */
export const BIN_SOURCE = "./cli/bin.ts";

/** Lowest Node.js version the package supports. */
export const MIN_NODE_VERSION = 20;

/** Maps a source path (`./core/mod.ts`) to the emitted file with the given extension. */
export function emittedPath(source: string, extension: ".js" | ".d.ts"): string {
  if (!/\.m?ts$/.test(source)) {
    throw new Error(`Cannot map "${source}" to an emitted file: expected a .ts or .mts module.`);
  }
  const mapped = source.endsWith(".mts")
    ? source.replace(/\.mts$/, extension === ".js" ? ".mjs" : ".d.mts")
    : source.replace(/\.ts$/, extension);
  return mapped.startsWith("./") ? mapped : `./${mapped}`;
}

/** Builds the npm `exports` map from `deno.json` `exports`, subpath for subpath. */
export function npmExports(
  denoExports: Readonly<Record<string, string>>,
): Record<string, ExportConditions | string> {
  const result: Record<string, ExportConditions | string> = {};
  for (const [subpath, source] of Object.entries(denoExports)) {
    result[subpath] = { types: emittedPath(source, ".d.ts"), import: emittedPath(source, ".js") };
  }
  result["./package.json"] = "./package.json";
  return result;
}

/**
 * Builds the npm manifest.
 *
 * @throws {Error} when `deno.json` lacks a name, a version or exports.
 * @example
 * ```ts
 * const manifest = npmManifest(
 *   { name: "@async/pipeline", version: "0.1.0", exports: { ".": "./mod.ts" } },
 *   { dependencies: { yaml: "^2.9.1" } },
 * );
 * manifest.exports["."]; // { types: "./mod.d.ts", import: "./mod.js" }
 * ```
 */
export function npmManifest(deno: DenoConfig, development: DevelopmentPackageJson): NpmManifest {
  for (const field of ["name", "version"] as const) {
    if (typeof deno[field] !== "string" || deno[field] === "") {
      throw new Error(`deno.json: "${field}" is missing; the npm package takes it from there.`);
    }
  }
  if (typeof deno.exports !== "object" || Object.keys(deno.exports).length === 0) {
    throw new Error('deno.json: "exports" is missing; the npm package mirrors it.');
  }
  return {
    name: deno.name,
    version: deno.version,
    description:
      "Typed task pipelines: a content-addressed cache, execution records and GitHub Actions generation.",
    license: deno.license ?? "MIT",
    type: "module",
    exports: npmExports(deno.exports),
    bin: { [BIN_NAME]: emittedPath(BIN_SOURCE, ".js") },
    engines: { node: `>=${MIN_NODE_VERSION}` },
    dependencies: sortedRecord(development.dependencies ?? {}),
    keywords: ["pipeline", "task-runner", "ci", "github-actions", "cache", "deno"],
  };
}

function sortedRecord(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
