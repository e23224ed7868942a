/** `parallel`: explicit fan-out with a concurrency limit and a fail-fast rule. @module */

import { isRecord } from "../core/fields.ts";
import {
  describeStep,
  endOfChain,
  guardNext,
  invalidItem,
  invoke,
  tagStep,
  toMiddleware,
} from "./compose.ts";
import { checkConcurrencyOptions } from "./options.ts";
import type { ComposeItem, Middleware, ParallelOptions, RuntimeContext } from "./types.ts";

/**
 * Runs items at the same time and collects their values in item order.
 *
 * Each item receives a context whose `signal` belongs to this parallel stage, and a
 * `next()` that resolves to undefined, because the rest of the chain runs once, after
 * the stage. When every item has fulfilled, the stage calls `next()`. It resolves to the
 * downstream value, or to the array of item values when the downstream value is undefined,
 * which is the case when the stage ends its chain.
 *
 * Failure rule: the first item to reject aborts the stage's signal with that error as the
 * reason, and no further items start. The stage then waits for the items already running
 * to settle, so no work outlives it, and rejects with the first error. Later rejections
 * are ignored. When the surrounding `ctx.signal` aborts, the stage aborts its signal the
 * same way, and rejects with the abort reason if some items never started.
 *
 * @param options `concurrency` limits how many items run at once (default `Infinity`).
 * @throws {PipelineError} `ASYNC_PIPELINE_RUNTIME_INVALID_ITEM` for a non-function item, and
 *   `ASYNC_PIPELINE_INVALID_FIELD` or `ASYNC_PIPELINE_UNKNOWN_FIELD` for bad options.
 *
 * @example
 * ```ts
 * import { parallel } from "@async/pipeline/runtime";
 *
 * const checks = parallel({ concurrency: 2 }, [
 *   async () => "typecheck",
 *   async () => "lint",
 *   async ({ signal }) => {
 *     signal.throwIfAborted();
 *     return "test";
 *   },
 * ]);
 * ```
 */
export function parallel(items: readonly ComposeItem[]): Middleware;
export function parallel(options: ParallelOptions, items: readonly ComposeItem[]): Middleware;
export function parallel(
  first: ParallelOptions | readonly ComposeItem[],
  second?: readonly ComposeItem[],
): Middleware {
  const hasOptions = second !== undefined || isRecord(first);
  const options: unknown = hasOptions ? first : {};
  const items: unknown = hasOptions ? second : first;
  const concurrency = checkConcurrencyOptions("parallel(options, items)", options);
  if (!Array.isArray(items)) {
    throw invalidItem(items, "parallel(...)", "items", "an array of items");
  }
  const branches = items.map((item, index) =>
    toMiddleware(item, "parallel(...)", `items[${index}]`)
  );

  const stage: Middleware = async (ctx, next) => {
    const values = await runAll(branches, ctx, concurrency);
    const downstream = await next();
    return downstream === undefined ? values : downstream;
  };

  return tagStep(stage, { type: "parallel", concurrency, items: branches.map(describeStep) });
}

/** Runs `branches` with at most `concurrency` at once, applying the failure rule above. */
async function runAll(
  branches: readonly Middleware[],
  ctx: RuntimeContext,
  concurrency: number,
): Promise<unknown[]> {
  const controller = new AbortController();
  const unlink = forwardAbort(ctx.signal, controller);
  const child: RuntimeContext = { ...ctx, signal: controller.signal };
  const values: unknown[] = new Array(branches.length);
  let firstError: { error: unknown } | undefined;
  let started = 0;

  const worker = async () => {
    while (!controller.signal.aborted && started < branches.length) {
      const index = started++;
      const branch = branches[index];
      try {
        values[index] = await invoke(branch, child, guardNext(child, branch, endOfChain));
      } catch (error) {
        if (firstError !== undefined) continue;
        firstError = { error };
        controller.abort(error);
      }
    }
  };

  try {
    const workerCount = Math.min(concurrency, branches.length);
    await Promise.all(Array.from({ length: workerCount }, worker));
  } finally {
    unlink();
  }

  if (firstError !== undefined) throw firstError.error;
  if (started < branches.length) controller.signal.throwIfAborted();
  return values;
}

/** Aborts `controller` when `parent` aborts. Returns a function that removes the link. */
function forwardAbort(parent: AbortSignal, controller: AbortController): () => void {
  if (parent.aborted) {
    controller.abort(parent.reason);
    return () => {};
  }
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener("abort", onAbort, { once: true });
  return () => parent.removeEventListener("abort", onAbort);
}
