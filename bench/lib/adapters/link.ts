/** Linking a peer tool installed in `bench/node_modules` into a generated workspace. @module */

import { mkdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";

/**
 * Links `bench/node_modules/<name>` into the workspace's `node_modules` and its
 * binary into `node_modules/.bin`, as `npm install` would have. The tool then
 * resolves its own dependencies from `bench/node_modules` through the real path.
 */
export function linkPeer(
  benchDir: string,
  workspace: string,
  name: string,
  bin: string,
): void {
  const source = join(benchDir, "node_modules", name);
  const target = join(workspace, "node_modules", name);
  mkdirSync(join(workspace, "node_modules", ".bin"), { recursive: true });
  rmSync(target, { recursive: true, force: true });
  symlinkSync(source, target, "dir");
  const binLink = join(workspace, "node_modules", ".bin", name);
  rmSync(binLink, { force: true });
  symlinkSync(join(source, bin), binLink);
}

/** Returns the version in `bench/node_modules/<name>/package.json`, or throws when missing. */
export function peerVersion(benchDir: string, name: string): string {
  const path = join(benchDir, "node_modules", name, "package.json");
  try {
    return JSON.parse(readFileSync(path, "utf8")).version;
  } catch {
    throw new Error(
      `${name} is not installed in ${benchDir}: run bench/setup.sh`,
    );
  }
}
