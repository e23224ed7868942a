/**
 * Builds the JSR package `@async/pipeline` from the source: the same bundled
 * JavaScript as the npm package, for Deno.
 *
 * ```sh
 * ./node_modules/.bin/deno task build:jsr            # writes jsr/
 * ./node_modules/.bin/deno run -A scripts/build_jsr.ts --out /tmp/jsr
 * cd jsr && ../node_modules/.bin/deno publish
 * ```
 *
 * Published as source, the package would make Deno load about 170 modules on
 * every start of the CLI. Bundled, a fully cached run starts in two thirds of
 * the time, with about 10 MB less memory. Every export is an entry point, and
 * the modules they share are in `chunks/`, so a pipeline and the CLI use the
 * same module instances. npm dependencies are `npm:` imports with the ranges
 * of `package.json`. Each entry file names its declaration file with
 * `@ts-self-types`, so JSR shows the same types as the npm package.
 *
 * @module
 */

import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { VERSION } from "../core/version.ts";
import { checkOutDir, checkVersion, runBuildCommand } from "./build_npm.ts";
import { bundleModules } from "./npm_bundle.ts";
import { copyDocs } from "./npm_docs.ts";
import { compileModules, listSourceModules } from "./npm_compile.ts";
import type { DenoConfig, DevelopmentPackageJson } from "./npm_manifest.ts";
import { emittedPath } from "./npm_manifest.ts";

/** The CLI module, relative to the package root: the `./cli` export. */
const CLI_MODULE = "cli/main.js";

/** Files copied unchanged from the repository root into the package. */
const COPIED_FILES = ["LICENSE"] as const;

/** The `deno.json` of the JSR package. */
export interface JsrConfig {
  readonly name: string;
  readonly version: string;
  readonly license?: string;
  /** Subpath to bundled module, such as `"./core": "./core/mod.js"`. */
  readonly exports: Readonly<Record<string, string>>;
  /** npm dependencies for the declaration files, which keep bare specifiers. */
  readonly imports: Readonly<Record<string, string>>;
}

/** Manifest and file list of a finished build. */
export interface JsrBuildResult {
  readonly outDir: string;
  readonly config: JsrConfig;
  /** Emitted files, relative to `outDir`. */
  readonly files: readonly string[];
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, "utf8")) as T;
}

/**
 * Builds the JSR package's `deno.json` from the repository's: the same name,
 * version and subpaths, each mapped to its bundled module, and an import map
 * of the runtime dependencies of `package.json`.
 */
export function jsrConfig(deno: DenoConfig, development: DevelopmentPackageJson): JsrConfig {
  const exports: Record<string, string> = {};
  for (const [subpath, source] of Object.entries(deno.exports)) {
    exports[subpath] = emittedPath(source, ".js");
  }
  const imports: Record<string, string> = {};
  for (const [name, range] of Object.entries(development.dependencies ?? {})) {
    imports[name] = `npm:${name}@${range}`;
  }
  return {
    name: deno.name,
    version: deno.version,
    ...(deno.license ? { license: deno.license } : {}),
    exports,
    imports,
  };
}

/**
 * Puts `@ts-self-types` at the top of the entry module `path` (relative to
 * `outDir`), after a shebang line if it has one, naming its declaration file.
 */
async function linkTypes(outDir: string, path: string): Promise<void> {
  const file = join(outDir, path);
  const text = await readFile(file, "utf8");
  const types = `./${path.split("/").pop()!.replace(/\.js$/, ".d.ts")}`;
  const directive = `// @ts-self-types="${types}"\n`;
  const shebang = text.startsWith("#!") ? text.slice(0, text.indexOf("\n") + 1) : "";
  await writeFile(file, shebang + directive + text.slice(shebang.length));
}

/**
 * Points the relative `.js` imports of a declaration file's text at the
 * declaration files themselves. TypeScript maps `./x.js` to `./x.d.ts` when
 * it resolves like Node, but Deno, and so JSR, looks for the file as written.
 */
export function declarationImports(text: string): string {
  return text.replace(
    /((?:\bfrom|\bimport\(|^import)\s*)(["'])(\.{1,2}\/[^"'\n]*?)\.js\2/gm,
    (_match, prefix: string, quote: string, path: string) =>
      `${prefix}${quote}${path}.d.ts${quote}`,
  );
}

/** Builds the package from the repository at `root` into `outDir`, replacing its contents. */
export async function buildJsrPackage(root: string, outDir: string): Promise<JsrBuildResult> {
  checkOutDir(root, outDir, "jsr/");
  const deno = await readJson<DenoConfig>(join(root, "deno.json"));
  const development = await readJson<DevelopmentPackageJson>(join(root, "package.json"));
  checkVersion(deno.version, VERSION);
  const config = jsrConfig(deno, development);

  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });

  const entries = Object.values(config.exports).map((target) => target.replace(/^\.\//, ""));
  const compiled = compileModules(root, await listSourceModules(root), outDir);
  const bundled = await bundleModules(outDir, entries, compiled, {
    runChunk: { main: CLI_MODULE },
    packages: { kind: "npm-specifiers", ranges: development.dependencies ?? {} },
  });
  for (const entry of entries) await linkTypes(outDir, entry);
  for (const file of compiled.filter((path) => path.endsWith(".d.ts"))) {
    const path = join(outDir, file);
    await writeFile(path, declarationImports(await readFile(path, "utf8")));
  }
  const files = [...compiled.filter((file) => !file.endsWith(".js")), ...bundled];
  await writeFile(join(outDir, "deno.json"), `${JSON.stringify(config, null, 2)}\n`);
  for (const name of COPIED_FILES) await copyFile(join(root, name), join(outDir, name));
  const shipped = [...files, "deno.json", ...COPIED_FILES];
  const docs = await copyDocs(root, outDir, shipped);

  return { outDir, config, files: [...shipped, ...docs].sort() };
}

if (import.meta.main) {
  await runBuildCommand("build:jsr", "jsr", async (root, outDir) => {
    const result = await buildJsrPackage(root, outDir);
    return { ...result.config, files: result.files };
  });
}
