/**
 * The runtime that rendered the source text of a task's function steps. A
 * function step enters the key as `Function.prototype.toString` returns it,
 * which is what the runtime's loader made of a TypeScript file. Node's type
 * stripping keeps the file's text, Deno prints the code again, and the
 * `jiti` loader (Node without type stripping) rewrites it. An entry records
 * its runtime, so a miss after a switch of runtime can name both.
 *
 * @module
 */

import { usedTypeScriptLoader } from "../import_module.ts";
import process from "../process.ts";

/** A runtime as an entry records it, such as `{ name: "node", version: "20.19.5", loader: "jiti" }`. */
export interface StepRuntime {
  /** `node`, `deno` or `bun`. */
  readonly name: string;
  readonly version: string;
  /** Set when a TypeScript module of this process was loaded through `jiti`. */
  readonly loader?: "jiti";
}

/** Returns the runtime of this process, as an entry records it. */
export function currentStepRuntime(): StepRuntime {
  const versions = process.versions as Record<string, string | undefined>;
  const [name, version] = versions.deno !== undefined
    ? ["deno", versions.deno]
    : versions.bun !== undefined
    ? ["bun", versions.bun]
    : ["node", versions.node ?? "unknown"];
  return usedTypeScriptLoader() ? { name, version, loader: "jiti" } : { name, version };
}

/** Returns true when `value` has the shape of a {@link StepRuntime}. */
export function isStepRuntime(value: unknown): value is StepRuntime {
  const runtime = value as StepRuntime | null;
  return typeof runtime === "object" && runtime !== null && typeof runtime.name === "string" &&
    typeof runtime.version === "string" &&
    (runtime.loader === undefined || runtime.loader === "jiti");
}

/**
 * Returns true when the two runtimes can render the same function
 * differently: another runtime, or the same one with and without `jiti`.
 * Versions of one runtime are taken to render alike.
 */
export function rendersDifferently(before: StepRuntime, after: StepRuntime): boolean {
  return before.name !== after.name || before.loader !== after.loader;
}

/** Returns a runtime for messages, such as `Node 20.19.5 with jiti`. */
export function describeStepRuntime(runtime: StepRuntime): string {
  const names: Record<string, string> = { node: "Node", deno: "Deno", bun: "Bun" };
  const name = names[runtime.name] ?? runtime.name;
  return `${name} ${runtime.version}${runtime.loader === "jiti" ? " with jiti" : ""}`;
}
