/**
 * Calls to `process.exit()` and `Deno.exit()` while a run lasts.
 *
 * The process's `exit` event does not say whether code called an exit
 * function or the event loop ran out of work, nor which task's code made the
 * call. So while a run lasts, both functions are wrapped: the wrapper notes
 * the first call, with the output target of the task whose code made it,
 * found by async context as console output is, and then calls the original.
 * Wrapping is counted, so overlapping runs in one process share it, and the
 * last run to end puts the originals back. Code that saved an exit function
 * before the run started calls the original, and no call is noted.
 *
 * @module
 */

import process from "../process.ts";
import { currentTarget, type OutputTarget } from "./console_capture.ts";
import { type Method, type Patch, patch, sharedPatches } from "./method_patches.ts";

/** The exit function that was called. Under Deno, `process.exit()` calls `Deno.exit()` after it. */
export type ExitApi = "process.exit" | "Deno.exit";

/** The first exit call made while a run lasted. */
export interface ExitCall {
  readonly api: ExitApi;
  /** The output target of the task whose code made the call, or undefined outside any task. */
  readonly target: OutputTarget | undefined;
}

let first: ExitCall | undefined;

function wrapExit(api: ExitApi, original: Method): Method {
  return function (this: unknown, ...args: unknown[]) {
    first ??= { api, target: currentTarget() };
    return original.apply(this, args);
  };
}

function install(): (Patch | undefined)[] {
  first = undefined;
  const patches = [
    patch(
      process as unknown as Record<string, unknown>,
      "exit",
      (original) => wrapExit("process.exit", original),
    ),
  ];
  const deno = (globalThis as { Deno?: Record<string, unknown> }).Deno;
  if (deno) patches.push(patch(deno, "exit", (original) => wrapExit("Deno.exit", original)));
  return patches;
}

const exitPatches = sharedPatches(install);

/**
 * Wraps the exit functions until the returned function is called. Calls
 * nest: the originals are put back when every caller released. Releasing
 * twice does nothing.
 */
export function watchExitCalls(): () => void {
  return exitPatches();
}

/** Returns the first exit call seen since the wrapping was installed, if any. */
export function firstExitCall(): ExitCall | undefined {
  return first;
}
