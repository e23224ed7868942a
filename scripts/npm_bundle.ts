/**
 * Bundles the compiled JavaScript of the npm package with esbuild: one file
 * per entry point (every `exports` target and the bin), with the code they
 * share in `chunks/`. Node then resolves and links a few dozen files instead
 * of one per source module on every start. Dynamic `import()` calls stay
 * split points, so a command's code still loads only when it runs. Node
 * built-ins load through `npm_builtins.ts`, CommonJS dependencies through
 * `npm_commonjs.ts`, and `npm_run_chunk.ts` keeps the modules of a run in
 * one chunk.
 *
 * @module
 */

import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import * as esbuild from "esbuild";
import { builtinPlugin, checkLazyBuiltins, collectBuiltinImports } from "./npm_builtins.ts";
import { checkRequiredPackages, requirePlugin } from "./npm_commonjs.ts";
import { prepareRunChunk } from "./npm_run_chunk.ts";

/** Folder, relative to the package root, of the chunks shared between entry points. */
export const CHUNK_DIR = "chunks";

/** The source of a bundle's npm dependencies. */
export type PackageImports =
  /** Bare specifiers, resolved from the user's `node_modules` (the npm package). */
  | { readonly kind: "node_modules" }
  /** `npm:` specifiers with each dependency's version range (the JSR package). */
  | { readonly kind: "npm-specifiers"; readonly ranges: Readonly<Record<string, string>> };

/** Options of {@link bundleModules}. */
export interface BundleOptions {
  /**
   * The bin (if any) and the CLI module among the entries. With it, the
   * modules of a run share one chunk.
   */
  readonly runChunk?: { readonly bin?: string; readonly main: string };
  /** The form of the bundle's npm imports. Default: bare specifiers from `node_modules`. */
  readonly packages?: PackageImports;
}

/**
 * Returns the package a bare specifier such as `yaml` or `@scope/name/sub`
 * names, or undefined for a relative, absolute or scheme specifier.
 */
export function packageName(specifier: string): string | undefined {
  if (/^[./]/.test(specifier) || /^[a-z][a-z0-9+.-]*:/i.test(specifier)) return undefined;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/**
 * Creates the esbuild plugin that turns each import of a package in `ranges`
 * into an external `npm:<name>@<range>` import, subpath kept. Any other bare
 * specifier fails the build, since a Deno user has no `node_modules` to
 * resolve it from.
 */
export function npmSpecifierPlugin(ranges: Readonly<Record<string, string>>): esbuild.Plugin {
  return {
    name: "async-pipeline-npm-specifiers",
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        const name = packageName(args.path);
        if (name === undefined) return undefined;
        const range = ranges[name];
        if (range === undefined) {
          return { errors: [{ text: `"${args.path}" is not a dependency in package.json` }] };
        }
        return { path: `npm:${name}@${range}${args.path.slice(name.length)}`, external: true };
      });
    },
  };
}

/**
 * Replaces the `compiled` JavaScript files in `outDir` by bundles of
 * `entries` (paths relative to `outDir`, such as `cli/bin.js`) and their
 * shared chunks. npm packages stay external imports (see
 * {@link BundleOptions.packages}). Declaration files are left alone. Returns
 * the JavaScript files written, relative to `outDir`.
 */
export async function bundleModules(
  outDir: string,
  entries: readonly string[],
  compiled: readonly string[],
  options: BundleOptions = {},
): Promise<string[]> {
  const { runChunk, packages = { kind: "node_modules" } } = options;
  const builtins = await collectBuiltinImports(outDir, compiled);
  await checkLazyBuiltins(builtins);
  if (packages.kind === "node_modules") await checkRequiredPackages();
  const generated = runChunk ? [await prepareRunChunk(outDir, entries, runChunk)] : [];
  // Deno resolves `npm:` specifiers itself; only Node needs the require() stand-ins.
  const packagePlugin = packages.kind === "node_modules"
    ? requirePlugin()
    : npmSpecifierPlugin(packages.ranges);
  const staging = await mkdtemp(join(tmpdir(), "async-pipeline-bundle-"));
  try {
    const result = await esbuild.build({
      absWorkingDir: outDir,
      entryPoints: [...entries],
      outdir: staging,
      outbase: outDir,
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      target: "node20",
      ...(packages.kind === "node_modules" ? { packages: "external" as const } : {}),
      chunkNames: `${CHUNK_DIR}/[name]-[hash]`,
      metafile: true,
      plugins: [builtinPlugin(builtins), packagePlugin],
      logLevel: "silent",
    });
    const written = Object.keys(result.metafile.outputs)
      .map((path) => relative(staging, join(outDir, path)))
      .sort();
    for (const file of [...compiled.filter((path) => path.endsWith(".js")), ...generated]) {
      await rm(join(outDir, file));
    }
    for (const file of written) {
      await mkdir(dirname(join(outDir, file)), { recursive: true });
      await copyFile(join(staging, file), join(outDir, file));
    }
    return written;
  } finally {
    await esbuild.stop();
    await rm(staging, { recursive: true, force: true });
  }
}
