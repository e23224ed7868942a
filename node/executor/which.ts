/** Finding executables on a PATH. @module */

import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import type { ProcessEnv } from "../types.ts";

/**
 * Returns the absolute path of `name` as found on `env.PATH`, or undefined.
 * A name containing a slash is checked as a path relative to `cwd`.
 */
export async function findExecutable(
  name: string,
  env: ProcessEnv,
  cwd = "/",
): Promise<string | undefined> {
  if (name.includes("/")) {
    const path = isAbsolute(name) ? name : resolve(cwd, name);
    return await isExecutableFile(path) ? path : undefined;
  }
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(isAbsolute(dir) ? dir : resolve(cwd, dir), name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
