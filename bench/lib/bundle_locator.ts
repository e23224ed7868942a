/**
 * Naming the source module of a line in the npm build. The build bundles
 * modules with esbuild, which starts each module's code with a comment line
 * that contains its path, such as `// core/errors.js`. The build emits no source
 * maps, so these comments are the only link back to the modules.
 *
 * @module
 */

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type FrameLocator, rootLocator } from "./cpuprofile.ts";

/** A comment line that starts a bundled module: a compiled file or a built-in stand-in. */
const MODULE_COMMENT = /^\/\/ ([\w@.\/-]+\.[cm]?js|async-pipeline-builtin:\S+)$/;

/** Start line (zero-based) and path of each bundled module, in file order. */
type ModuleStarts = readonly { readonly line: number; readonly module: string }[];

/** Reads the module comments of one bundle file. */
export function moduleStarts(text: string): ModuleStarts {
  const starts: { line: number; module: string }[] = [];
  text.split("\n").forEach((line, index) => {
    const match = MODULE_COMMENT.exec(line);
    if (match) starts.push({ line: index, module: match[1] });
  });
  return starts;
}

/**
 * Returns a locator for the npm build installed at `packageDir`: a line of a
 * bundle file is attributed to the module whose comment comes last before
 * it. A compiled `.js` path is shown as the repository's `.ts` source when
 * `repoDir` has that file. Lines before the first comment (imports and
 * esbuild's helpers) keep the bundle file's name.
 */
export function bundleLocator(packageDir: string, repoDir: string): FrameLocator {
  const root = packageDir.endsWith("/") ? packageDir : `${packageDir}/`;
  const byScript = rootLocator(root);
  const cache = new Map<string, ModuleStarts>();
  const startsOf = (script: string): ModuleStarts => {
    let starts = cache.get(script);
    if (!starts) {
      const path = join(root, script);
      starts = existsSync(path) ? moduleStarts(readFileSync(path, "utf8")) : [];
      cache.set(script, starts);
    }
    return starts;
  };
  return (url, line) => {
    const location = byScript(url, line);
    if (!location.own || !location.script.endsWith(".js")) return location;
    const start = startsOf(location.script).findLast((entry) => entry.line <= line);
    if (!start) return location;
    const source = start.module.replace(/\.js$/, ".ts");
    const module = existsSync(join(repoDir, source)) ? source : start.module;
    return { ...location, module };
  };
}
