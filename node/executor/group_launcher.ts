/**
 * Choosing how a command becomes the leader of a new process group.
 *
 * `spawn(..., { detached: true })` calls `setsid()` in the child between fork
 * and exec. Deno implements that with a full `fork()` of the runtime, whose
 * cost grows with the runner's memory, while a plain spawn uses the cheaper
 * `posix_spawn`. Under Deno, a command is therefore started through the
 * `setsid` program. Spawned plainly, that program is not a group leader, so it
 * calls `setsid()` and execs the command in the same process. The command's
 * pid then is the id of its new group and session. Under Node a detached
 * spawn costs no more than a plain one, so there it stays.
 *
 * Under Deno both programs are looked up once per `PATH` and passed as
 * absolute paths, so no spawn searches `PATH` again.
 *
 * @module
 */

import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import process from "../process.ts";
import type { ProcessEnv } from "../types.ts";

/** Maximum number of cached lookups. The cache is cleared when it is full. */
const CACHE_LIMIT = 64;

const cache = new Map<string, GroupLaunch | null>();

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Returns the path of `name` in an absolute directory of `path`. Relative
 * directories are skipped because their content depends on the working directory.
 */
export function findOnPath(name: string, path: string): string | undefined {
  if (name.includes("/")) {
    return isAbsolute(name) && isExecutableFile(name) ? name : undefined;
  }
  for (const dir of path.split(delimiter)) {
    if (!isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** Options of {@link setsidLauncher} and {@link groupLaunch}, for tests. */
export interface SetsidLauncherOptions {
  /** Whether a detached spawn forks the whole runtime (default: true under Deno). */
  readonly slowDetach?: boolean;
}

/** How to spawn a command so that it leads a new process group. */
export interface GroupLaunch {
  /** Program to spawn. */
  readonly file: string;
  /** Arguments that come before the command's own. */
  readonly prefix: readonly string[];
  /** True when the spawn itself must create the group (`detached: true`). */
  readonly detached: boolean;
}

/**
 * Returns how to start `file` as a group leader. Outside Deno, and when
 * `env.PATH` has no `setsid`, that is a detached spawn of `file`. So is it
 * when `file` is not on `env.PATH`, so a missing command still fails to spawn
 * with ENOENT instead of making `setsid` exit 127. Otherwise it is the
 * absolute path of `setsid` with the absolute path of `file` as its first
 * argument. Lookups are cached per `PATH` and `file` for the life of the
 * process, so an executable added to an earlier `PATH` directory later is not seen.
 */
export function groupLaunch(
  file: string,
  env: ProcessEnv,
  options: SetsidLauncherOptions = {},
): GroupLaunch {
  if (!(options.slowDetach ?? process.versions.deno !== undefined)) {
    return { file, prefix: [], detached: true };
  }
  const path = env.PATH ?? "";
  const key = `${path}\0${file}`;
  let found = cache.get(key);
  if (found === undefined) {
    const setsid = findOnPath("setsid", path);
    const target = setsid === undefined ? undefined : findOnPath(file, path);
    found = target === undefined ? null : { file: setsid!, prefix: [target], detached: false };
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, found);
  }
  return found ?? { file, prefix: [], detached: true };
}

/**
 * Returns the absolute path of the `setsid` program to start `file` through,
 * or undefined when `file` should be spawned detached (see {@link groupLaunch}).
 */
export function setsidLauncher(
  file: string,
  env: ProcessEnv,
  options: SetsidLauncherOptions = {},
): string | undefined {
  const launch = groupLaunch(file, env, options);
  return launch.detached ? undefined : launch.file;
}
