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

/**
 * Replaces the `compiled` JavaScript files in `outDir` by bundles of
 * `entries` (paths relative to `outDir`, such as `cli/bin.js`) and their
 * shared chunks. npm packages stay external imports, resolved from the
 * user's `node_modules`. Declaration files are left alone. `runChunk` names
 * the bin and the CLI module among `entries`. With it, the modules of a run
 * share one chunk. Returns the JavaScript files written, relative to `outDir`.
 */
export async function bundleModules(
  outDir: string,
  entries: readonly string[],
  compiled: readonly string[],
  runChunk?: { bin: string; main: string },
): Promise<string[]> {
  const builtins = await collectBuiltinImports(outDir, compiled);
  await checkLazyBuiltins(builtins);
  await checkRequiredPackages();
  const generated = runChunk ? [await prepareRunChunk(outDir, entries, runChunk)] : [];
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
      packages: "external",
      chunkNames: `${CHUNK_DIR}/[name]-[hash]`,
      metafile: true,
      plugins: [builtinPlugin(builtins), requirePlugin()],
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
