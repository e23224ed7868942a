/** Listings of a directory tree, to assert that an operation changed nothing in it. */

import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";

/**
 * Lists every path under `dir` with its size, mode, mtime and content, or
 * `(missing)` when `dir` does not exist.
 */
export async function snapshot(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(dir, { recursive: true })).map(String).sort();
  } catch {
    return ["(missing)"];
  }
  const lines: string[] = [];
  for (const name of names) {
    const info = await stat(join(dir, name));
    const content = info.isFile() ? await readFile(join(dir, name), "utf8") : "";
    lines.push(`${name} ${info.size} ${info.mode} ${info.mtimeMs} ${content.length}:${content}`);
  }
  return lines;
}
