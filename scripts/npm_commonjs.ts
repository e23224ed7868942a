/**
 * An esbuild plugin that loads CommonJS dependencies of the npm bundle with
 * `require()`.
 *
 * Importing a CommonJS package from an ES module makes Node resolve it as an
 * ES module dependency, scan its source for export names with
 * `cjs-module-lexer` and wrap it in a module record. A `require()` through
 * `module.createRequire()` resolves and loads the same file and returns the
 * same `module.exports`, which an ES module import exposes as its default
 * export.
 *
 * @module
 */

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type * as esbuild from "esbuild";

/** The repository's `node_modules`, where the build reads the dependencies' manifests. */
const NODE_MODULES = fileURLToPath(new URL("../node_modules", import.meta.url));

/**
 * Dependencies loaded with `require()`. Each must be CommonJS without an
 * `exports` map, so that `require()` and `import` resolve the same file, and
 * the package may import only its default export.
 */
export const REQUIRED_PACKAGES: readonly string[] = ["picomatch"];

/**
 * Checks that the `package.json` of each of `names` under `nodeModules` (by
 * default the repository's) describes a CommonJS package without an
 * `exports` map.
 *
 * @throws {Error} naming the first package that does not qualify.
 */
export async function checkRequiredPackages(
  names: readonly string[] = REQUIRED_PACKAGES,
  nodeModules: string = NODE_MODULES,
): Promise<void> {
  for (const name of names) {
    const manifest = JSON.parse(await readFile(join(nodeModules, name, "package.json"), "utf8"));
    if (manifest.type === "module" || manifest.exports !== undefined) {
      throw new Error(
        `${name} has ${manifest.type === "module" ? '"type": "module"' : "an exports map"}, ` +
          "so require() may load another file than import. Remove it from REQUIRED_PACKAGES.",
      );
    }
  }
}

/** Returns the source of the module that replaces package `name` in the bundle. */
export function requiredPackageSource(name: string): string {
  return [
    'import { createRequire } from "node:module";',
    `export default createRequire(import.meta.url)(${JSON.stringify(name)});`,
    "",
  ].join("\n");
}

const NAMESPACE = "async-pipeline-require";

/**
 * Creates the esbuild plugin that resolves static imports of the packages in
 * `names` to a module from {@link requiredPackageSource}. A named import of
 * such a package fails the build, since the stand-in has only a default export.
 */
export function requirePlugin(names: readonly string[] = REQUIRED_PACKAGES): esbuild.Plugin {
  return {
    name: "async-pipeline-require",
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.kind !== "import-statement" || !names.includes(args.path)) return undefined;
        return { path: args.path, namespace: NAMESPACE };
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
        contents: requiredPackageSource(args.path),
        loader: "js",
      }));
    },
  };
}
