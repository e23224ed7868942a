/**
 * The `node_modules/.bin` directories on a step's `PATH`. npm puts the
 * `node_modules/.bin` of a script's package and of every directory above it
 * in front of `PATH`, so package scripts call `tsc` or `eslint` by name.
 * Shell steps and `ctx.command` get the same directories, counted from the
 * step's working directory, whether the CLI was started through `npx`, a
 * package script, `node` or `deno run`. Directories already on `PATH` are
 * not added again, so a run started through npm keeps the `PATH` npm made.
 *
 * @module
 */

import { delimiter, dirname, join } from "node:path";
import type { ProcessEnv } from "../types.ts";

/** Maximum number of remembered `PATH` values. The memo is cleared when it is full. */
const MEMO_LIMIT = 256;

const memo = new Map<string, string>();

/**
 * Returns `path` with the `node_modules/.bin` directory of `cwd` and of each
 * directory above it in front, nearest first, leaving out those `path` has.
 */
export function pathWithPackageBins(cwd: string, path: string | undefined): string {
  const key = `${cwd}\0${path ?? ""}`;
  let result = memo.get(key);
  if (result === undefined) {
    const present = new Set((path ?? "").split(delimiter));
    const bins: string[] = [];
    for (let dir = cwd;; dir = dirname(dir)) {
      const bin = join(dir, "node_modules", ".bin");
      if (!present.has(bin)) bins.push(bin);
      if (dirname(dir) === dir) break;
    }
    result = [...bins, ...(path ? [path] : [])].join(delimiter);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(key, result);
  }
  return result;
}

/** Frozen copies of frozen environments, by working directory. */
const frozenCopies = new WeakMap<ProcessEnv, Map<string, ProcessEnv>>();

/**
 * Returns `env` with {@link pathWithPackageBins} as its `PATH`. The copy of
 * a frozen `env` is frozen too and made once per working directory, so the
 * spawner, which recognizes a frozen environment it has seen, sends it to
 * its helper process once.
 */
export function withPackageBins(env: ProcessEnv, cwd: string): ProcessEnv {
  if (!Object.isFrozen(env)) return { ...env, PATH: pathWithPackageBins(cwd, env.PATH) };
  let copies = frozenCopies.get(env);
  if (copies === undefined) frozenCopies.set(env, copies = new Map());
  let copy = copies.get(cwd);
  if (copy === undefined) {
    copy = Object.freeze({ ...env, PATH: pathWithPackageBins(cwd, env.PATH) });
    if (copies.size >= MEMO_LIMIT) copies.clear();
    copies.set(cwd, copy);
  }
  return copy;
}
