/**
 * Symbolic links that a task's outputs are written through, such as
 * `out -> /mnt/fast/out` with `outputs: ["out/**"]`. The output walk does
 * not follow links, and a restore never writes through one, so the cache
 * could store only the link itself and a later hit would leave the files
 * behind it as an older run wrote them. A task with such a link runs
 * uncached instead.
 *
 * @module
 */

import { join } from "node:path";
import picomatch from "picomatch";
import { lstatFacts } from "./facts.ts";
import { printablePath } from "../printable.ts";
import { splitPatterns } from "./patterns.ts";

/** A symbolic link on the fixed leading part of an output pattern. */
export interface OutputLink {
  /** The link's path relative to the task directory. */
  readonly path: string;
  /** The output pattern whose files would be written through it. */
  readonly pattern: string;
}

/**
 * Returns the first symbolic link on the fixed leading part of a positive
 * output pattern: a directory above the pattern's files, or, for a glob
 * such as `out/**` or `out/*.txt`, the directory the glob lists. A pattern
 * without glob syntax that names a link, such as `current`, selects the link
 * itself, which is stored as a link. Returns undefined when there is none.
 */
export function outputLinkOf(cwd: string, patterns: readonly string[]): OutputLink | undefined {
  for (const pattern of splitPatterns(patterns).include) {
    const { base, isGlob } = picomatch.scan(pattern);
    if (base === "") continue;
    const segments = base.split("/");
    const last = isGlob ? segments.length : segments.length - 1;
    for (let depth = 1; depth <= last; depth++) {
      const path = segments.slice(0, depth).join("/");
      const kind = lstatFacts(join(cwd, path))?.kind;
      if (kind === "symlink") return { path, pattern };
      if (kind !== "directory") break;
    }
  }
  return undefined;
}

/** Returns the part of a warning that names `link` and explains why the cache cannot store the outputs. */
export function outputLinkText(link: OutputLink): string {
  const path = printablePath(link.path);
  return `${path}, on the path of its outputs (${link.pattern}), is a symbolic link, and the cache ` +
    `stores and restores no file through a link. Make ${path} a directory to cache the task.`;
}
