#!/usr/bin/env node
/**
 * The npm package's `async-pipeline` executable: runs the CLI and exits with
 * the code that `main()` returns: 0, 1, or 129, 130, 141 and 143 after
 * SIGHUP, SIGINT, a closed output pipe and SIGTERM.
 *
 * It is a separate file from `main.ts` so that running the bin never relies
 * on detecting the entry module.
 *
 * On Node 22.1 and later it first turns on Node's on-disk compile cache, so
 * later runs skip compiling the CLI's modules and dependencies again. The
 * CLI is imported only after that, because the cache covers only modules
 * loaded once it is on.
 *
 * @module
 */

import module from "node:module";

// Read from the global scope, as node/process.ts does, so that the npm
// bundle's bin loads no module of the package before the compile cache is on.
// deno-lint-ignore no-process-global
const process = globalThis.process;

/**
 * Turns on Node's compile cache (`module.enableCompileCache()`, in the
 * directory named by `NODE_COMPILE_CACHE` or else the system temp directory)
 * unless `NODE_DISABLE_COMPILE_CACHE` is set. Does nothing on Node 20, Deno
 * and Bun. Errors are caught, because a cache that cannot be written only
 * costs speed.
 */
function enableCompileCache(): void {
  if (process.versions.deno || process.versions.bun) return;
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return;
  try {
    (module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  } catch {
    // The run goes on without the cache.
  }
}

enableCompileCache();
const { runAndExit } = await import("./main.ts");
await runAndExit();
