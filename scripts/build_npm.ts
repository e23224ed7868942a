/**
 * Builds the npm package `@async/pipeline` from the Deno source.
 *
 * ```sh
 * ./node_modules/.bin/deno task build:npm            # writes npm/
 * ./node_modules/.bin/deno run -A scripts/build_npm.ts --out /tmp/pkg
 * ```
 *
 * The output contains a `.d.ts` file for every published module, bundled
 * ESM JavaScript for every entry point with the code they share in
 * `chunks/`, a generated `package.json`, README.md, the guides under `docs/`
 * and LICENSE. Pack it with `npm pack ./npm`.
 *
 * @module
 */

import { chmod, copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { VERSION } from "../core/version.ts";
import { bundleModules } from "./npm_bundle.ts";
import { copyDocs } from "./npm_docs.ts";
import { compileModules, listSourceModules } from "./npm_compile.ts";
import {
  BIN_NAME,
  type DenoConfig,
  type DevelopmentPackageJson,
  type NpmManifest,
  npmManifest,
} from "./npm_manifest.ts";

/** The CLI module, relative to the package root: the `./cli` export. */
const CLI_MODULE = "cli/main.js";

/** Files copied unchanged from the repository root into the package. */
const COPIED_FILES = ["LICENSE"] as const;

/** Manifest and file list of a finished build. */
export interface BuildResult {
  readonly outDir: string;
  readonly manifest: NpmManifest;
  /** Emitted files, relative to `outDir`. */
  readonly files: readonly string[];
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, "utf8")) as T;
}

/** Checks that `core/version.ts` and `deno.json` name the same version. */
export function checkVersion(denoVersion: string, moduleVersion: string): void {
  if (denoVersion !== moduleVersion) {
    throw new Error(
      `Version mismatch: deno.json has "${denoVersion}" but core/version.ts has ` +
        `"${moduleVersion}". Set both to the same version.`,
    );
  }
}

async function checkBin(outDir: string, manifest: NpmManifest): Promise<void> {
  const path = join(outDir, manifest.bin[BIN_NAME]);
  const text = await readFile(path, "utf8");
  if (!text.startsWith("#!/usr/bin/env node\n")) {
    throw new Error(`${path} must start with "#!/usr/bin/env node" to run as the npm bin.`);
  }
  await chmod(path, 0o755);
}

/**
 * Rejects an output directory that contains the repository, because the
 * build deletes the output directory before writing it.
 */
export function checkOutDir(root: string, outDir: string, example = "npm/"): void {
  const fromOut = relative(resolve(outDir), resolve(root));
  if (fromOut === "" || (!fromOut.startsWith("..") && !isAbsolute(fromOut))) {
    throw new Error(
      `Invalid --out "${outDir}": it contains the repository, and the build deletes it first. ` +
        `Pass a separate directory such as ${example}.`,
    );
  }
}

/** Lists the package's entry points, relative to its root: every `exports` target and the bin. */
export function entryPoints(manifest: NpmManifest): string[] {
  const targets = Object.values(manifest.exports)
    .flatMap((target) => typeof target === "string" ? [] : [target.import]);
  return [...targets, ...Object.values(manifest.bin)]
    .map((target) => target.replace(/^\.\//, ""));
}

/** Builds the package from the repository at `root` into `outDir`, replacing its contents. */
export async function buildNpmPackage(root: string, outDir: string): Promise<BuildResult> {
  checkOutDir(root, outDir);
  const deno = await readJson<DenoConfig>(join(root, "deno.json"));
  const development = await readJson<DevelopmentPackageJson>(join(root, "package.json"));
  checkVersion(deno.version, VERSION);
  const manifest = npmManifest(deno, development);

  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });

  const compiled = compileModules(root, await listSourceModules(root), outDir);
  const bundled = await bundleModules(outDir, entryPoints(manifest), compiled, {
    runChunk: { bin: manifest.bin[BIN_NAME].replace(/^\.\//, ""), main: CLI_MODULE },
  });
  const files = [...compiled.filter((file) => !file.endsWith(".js")), ...bundled];
  await checkBin(outDir, manifest);
  await writeFile(join(outDir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const name of COPIED_FILES) await copyFile(join(root, name), join(outDir, name));
  const shipped = [...files, "package.json", ...COPIED_FILES];
  const docs = await copyDocs(root, outDir, shipped);

  return { outDir, manifest, files: [...shipped, ...docs].sort() };
}

/**
 * Runs a package build from the command line: reads `--out` (relative to the
 * working directory, default `defaultOut`), builds with `build` from the
 * repository root, and prints what it wrote. A failure prints
 * `<task> failed: <message>` and sets the exit code to 1.
 */
export async function runBuildCommand(
  task: string,
  defaultOut: string,
  build: (
    root: string,
    outDir: string,
  ) => Promise<{ name: string; version: string; files: readonly string[] }>,
): Promise<void> {
  try {
    const root = fileURLToPath(new URL("..", import.meta.url));
    const { values } = parseArgs({
      args: process.argv.slice(2),
      options: { out: { type: "string", default: defaultOut } },
    });
    const outDir = resolve(process.cwd(), values.out);

    const result = await build(root, outDir);
    const modules = result.files.filter((file) => file.endsWith(".js")).length;
    console.log(`Built ${result.name}@${result.version} in ${outDir} (${modules} modules).`);
  } catch (error) {
    console.error(`${task} failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

if (import.meta.main) {
  await runBuildCommand("build:npm", "npm", async (root, outDir) => {
    const result = await buildNpmPackage(root, outDir);
    return { ...result.manifest, files: result.files };
  });
}
