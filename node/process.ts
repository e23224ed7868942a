/**
 * The runtime's `process` object, read from the global scope.
 *
 * Importing `node:process` makes Node build that module's namespace from
 * every property of `process`. That creates `process.stdin` as a side effect
 * and costs a few milliseconds of every start. Deno and Bun define the same
 * global, so reading it works on every supported runtime.
 *
 * @module
 */

import type nodeProcess from "node:process";

// deno-lint-ignore no-process-global
const process: typeof nodeProcess = globalThis.process;

export default process;
