/**
 * Keeps the modules of `async-pipeline run` in one chunk of the npm bundle.
 *
 * esbuild puts each module in the chunk of the entry points that reach it,
 * entry points including every target of a dynamic `import()`. With several
 * public entries and one lazily imported module per command, the modules a
 * run needs would be spread over a few dozen small chunks, and Node resolves,
 * reads and links each file on every start.
 *
 * Before bundling, a generated module imports every module of the run path,
 * and every entry point and dynamic import target imports that module. Every
 * entry then reaches the whole run path, so esbuild gives it one chunk. The
 * generated import comes last in each file, so a module's own imports still
 * evaluate first. The bin gets no such import: it turns on Node's compile
 * cache before it imports anything else.
 *
 * @module
 */

import { appendFile, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import * as esbuild from "esbuild";

/** The generated module, relative to the package root. It exists only while bundling. */
export const RUN_PATH_MODULE = "run_path.js";

/** The modules a run starts from: the CLI, the run command, and the main module `pipeline.ts` imports. */
export const RUN_PATH_ROOTS: readonly string[] = ["cli/main.js", "cli/commands/run.js", "mod.js"];

/** Static imports and dynamic import targets among the package's own modules. */
export interface ModuleGraph {
  /** Modules each module imports statically, by path relative to the package root. */
  readonly imports: ReadonlyMap<string, readonly string[]>;
  /** Modules that some module imports with `import()`. */
  readonly dynamicTargets: ReadonlySet<string>;
}

/**
 * Reads the graph of the compiled modules under `dir` reached from `entries`.
 * Stops esbuild's service when done; a later build starts it again.
 */
export async function readModuleGraph(
  dir: string,
  entries: readonly string[],
): Promise<ModuleGraph> {
  let result: esbuild.BuildResult<{ metafile: true; write: false }>;
  try {
    result = await esbuild.build({
      absWorkingDir: dir,
      entryPoints: [...entries],
      bundle: true,
      splitting: true,
      write: false,
      metafile: true,
      format: "esm",
      platform: "node",
      packages: "external",
      outdir: "out",
      logLevel: "silent",
    });
  } finally {
    await esbuild.stop();
  }
  const imports = new Map<string, string[]>();
  const dynamicTargets = new Set<string>();
  for (const [path, input] of Object.entries(result.metafile.inputs)) {
    const own = input.imports.filter((each) => !each.external);
    imports.set(
      path,
      own.filter((each) => each.kind !== "dynamic-import").map((each) => each.path),
    );
    for (const each of own) if (each.kind === "dynamic-import") dynamicTargets.add(each.path);
  }
  return { imports, dynamicTargets };
}

/**
 * Lists the modules that `roots` reach through static imports, sorted, less
 * the modules in `exclude`.
 */
export function runPathModules(
  graph: ModuleGraph,
  roots: readonly string[],
  exclude: readonly string[],
): string[] {
  const reached = new Set<string>();
  const pending = [...roots];
  while (pending.length > 0) {
    const path = pending.pop()!;
    if (reached.has(path)) continue;
    reached.add(path);
    pending.push(...(graph.imports.get(path) ?? []));
  }
  return [...reached].filter((path) => !exclude.includes(path)).sort();
}

function specifier(from: string, to: string): string {
  const path = relative(dirname(from), to);
  return path.startsWith(".") ? path : `./${path}`;
}

/**
 * Writes {@link RUN_PATH_MODULE} into `dir` and appends an import of it to
 * each of `importers`. Returns the generated module's path, relative to `dir`.
 */
export async function linkRunPath(
  dir: string,
  modules: readonly string[],
  importers: readonly string[],
): Promise<string> {
  const lines = modules.map((path) =>
    `import ${JSON.stringify(specifier(RUN_PATH_MODULE, path))};`
  );
  await writeFile(join(dir, RUN_PATH_MODULE), `${lines.join("\n")}\n`);
  for (const path of importers) {
    const line = `import ${JSON.stringify(specifier(path, RUN_PATH_MODULE))};`;
    await appendFile(join(dir, path), `\n${line}\n`);
  }
  return RUN_PATH_MODULE;
}

/**
 * Prepares the compiled modules under `dir` so that bundling `entries` puts
 * the run path in one chunk. `bin` is the executable, which stays as it is,
 * and `main` the CLI module, which stays its own entry file because it checks
 * `import.meta` to tell whether it runs as the main module. Returns the
 * generated module's path, relative to `dir`, to delete after bundling.
 */
export async function prepareRunChunk(
  dir: string,
  entries: readonly string[],
  options: { readonly bin?: string; readonly main: string },
): Promise<string> {
  const graph = await readModuleGraph(dir, entries);
  const modules = runPathModules(graph, RUN_PATH_ROOTS, [options.main]);
  const importers = [...new Set([...entries, ...graph.dynamicTargets])]
    .filter((path) => path !== options.bin)
    .sort();
  return await linkRunPath(dir, modules, importers);
}
