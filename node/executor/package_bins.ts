/**
 * The `node_modules/.bin` directories on a step's `PATH`. npm puts the
 * `node_modules/.bin` of a script's package and of every directory above it
 * in front of `PATH`, so package scripts call `tsc` or `eslint` by name.
 * Shell steps and `ctx.command` get the same directories, counted from the
 * step's working directory, whether the CLI was started through `npx`, a
 * package script, `node` or `deno run`. Only directories that exist when
 * the step starts are added, so a step after an `npm ci` in the same run
 * finds what it installed. Directories already on `PATH` are not added
 * again, so a run started through npm keeps the `PATH` npm made.
 *
 * @module
 */

import { statSync } from "node:fs";
import { basename, delimiter, dirname, join } from "node:path";
import type { ProcessEnv } from "../types.ts";

/** Maximum number of remembered environments per frozen env. The memo is cleared when it is full. */
const MEMO_LIMIT = 64;

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
}

/**
 * Returns `path` with the existing `node_modules/.bin` directories of `cwd`
 * and of each directory above it in front, nearest first, leaving out those
 * `path` has. Returns `path` itself when there is none to add.
 */
export function pathWithPackageBins(cwd: string, path: string | undefined): string | undefined {
  const present = new Set((path ?? "").split(delimiter));
  const bins: string[] = [];
  for (let dir = cwd;; dir = dirname(dir)) {
    const bin = join(dir, "node_modules", ".bin");
    if (!present.has(bin) && isDirectory(bin)) bins.push(bin);
    if (dirname(dir) === dir) break;
  }
  if (bins.length === 0) return path;
  return [...bins, ...(path ? [path] : [])].join(delimiter);
}

/** True for a `PATH` entry that is a `node_modules/.bin` directory. */
function isPackageBin(dir: string): boolean {
  return basename(dir) === ".bin" && basename(dirname(dir)) === "node_modules";
}

/**
 * Returns `path` without its `node_modules/.bin` directories: where the
 * runner looks up the programs it starts steps with (`sh`, `setsid`), so an
 * installed package cannot replace them, even when the user's own `PATH`
 * lists such a directory.
 */
export function pathWithoutPackageBins(path: string | undefined): string {
  const dirs = (path ?? "").split(delimiter);
  return dirs.some(isPackageBin)
    ? dirs.filter((dir) => !isPackageBin(dir)).join(delimiter)
    : path ?? "";
}

/** Frozen copies of frozen environments, by their `PATH`. */
const frozenCopies = new WeakMap<ProcessEnv, Map<string, ProcessEnv>>();

/**
 * Returns `env` with {@link pathWithPackageBins} as its `PATH`, or `env`
 * itself when that adds nothing. The copy of a frozen `env` is frozen too
 * and made once per `PATH`, so steps whose directories have the same
 * `node_modules/.bin` directories share it. The spawner recognizes a frozen
 * environment it has seen and sends it to its helper process only once.
 */
export function withPackageBins(env: ProcessEnv, cwd: string): ProcessEnv {
  const path = pathWithPackageBins(cwd, env.PATH);
  if (path === env.PATH) return env;
  if (!Object.isFrozen(env)) return { ...env, PATH: path };
  let copies = frozenCopies.get(env);
  if (copies === undefined) frozenCopies.set(env, copies = new Map());
  let copy = copies.get(path!);
  if (copy === undefined) {
    copy = Object.freeze({ ...env, PATH: path });
    if (copies.size >= MEMO_LIMIT) copies.clear();
    copies.set(path!, copy);
  }
  return copy;
}
