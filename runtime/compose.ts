/**
 * `compose` and `branch`, and the helpers every runtime combinator shares: turning items
 * into middleware, guarding `next()`, and recording step structure for inspection.
 *
 * @module
 */

import { ErrorCode, formatIssue, PipelineError, type PipelineIssue } from "../core/errors.ts";
import type {
  BranchPredicate,
  ComposeItem,
  Middleware,
  Next,
  RuntimeContext,
  StepInfo,
} from "./types.ts";

const stepInfos = new WeakMap<Middleware, StepInfo>();

/** Records the structure of a middleware built by a combinator, for inspection. */
export function tagStep(middleware: Middleware, info: StepInfo): Middleware {
  stepInfos.set(middleware, Object.freeze(info));
  return middleware;
}

/** Returns the structure of a middleware: its combinator shape, or its function name. */
export function describeStep(middleware: Middleware): StepInfo {
  return stepInfos.get(middleware) ??
    Object.freeze({ type: "function", name: middleware.name || "anonymous" });
}

/** Calls a middleware and turns a synchronous throw into a rejection. */
export async function invoke(
  middleware: Middleware,
  ctx: RuntimeContext,
  next: Next,
): Promise<unknown> {
  return await middleware(ctx, next);
}

/**
 * Returns the `next` handed to one middleware: it runs `downstream` on the first call
 * and throws `ASYNC_PIPELINE_RUNTIME_NEXT_TWICE` on any later call.
 */
export function guardNext(
  ctx: RuntimeContext,
  middleware: Middleware,
  downstream: Next,
): Next {
  let called = false;
  return () => {
    if (called) {
      const name = middleware.name ? `middleware "${middleware.name}"` : "an anonymous middleware";
      throw new PipelineError(
        ErrorCode.RUNTIME_NEXT_TWICE,
        `next() was called more than once by ${name} in task "${ctx.taskId}".`,
        {
          hint: "Call next() once and reuse the value it resolves to. " +
            "To run items side by side, use parallel([...]).",
        },
      );
    }
    called = true;
    return downstream();
  };
}

/** Resolves to undefined. Task handlers and parallel items get it as the end of their chain. */
export function endOfChain(): Promise<unknown> {
  return Promise.resolve(undefined);
}

/**
 * Converts a compose item into middleware, checking nested arrays at once so a bad item
 * fails when the workflow is defined rather than when it runs.
 *
 * @param owner The call that received the item, such as `compose(...)`, for the message.
 * @param path Position of the item within the call, such as `items[2][0]`.
 */
export function toMiddleware(item: unknown, owner: string, path: string): Middleware {
  if (typeof item === "function") return item as Middleware;
  if (Array.isArray(item)) return composeItems(item, owner, path);
  throw invalidItem(item, owner, path);
}

/** Composes items into one middleware that runs them in order, each calling the next. */
export function composeItems(items: readonly unknown[], owner: string, path: string): Middleware {
  const chain = items.map((item, index) => toMiddleware(item, owner, `${path}[${index}]`));

  const composed: Middleware = (ctx, next) => {
    const dispatch = (index: number): Promise<unknown> => {
      if (index === chain.length) return next();
      const middleware = chain[index];
      return invoke(middleware, ctx, guardNext(ctx, middleware, () => dispatch(index + 1)));
    };
    return dispatch(0);
  };

  return tagStep(composed, { type: "compose", items: chain.map(describeStep) });
}

/**
 * Composes middleware into one. Each function receives `(ctx, next)`, and `next()` runs
 * the rest of the chain and resolves to its value. A nested array is a sequential group
 * whose last item's `next()` continues after the group. A middleware that does not call
 * `next()` ends the chain, and its value becomes the value of the whole composition.
 *
 * @throws {PipelineError} `ASYNC_PIPELINE_RUNTIME_INVALID_ITEM` when an item is neither a
 *   function nor an array of items.
 *
 * @example
 * ```ts
 * import { compose } from "@async/pipeline/runtime";
 *
 * const timed = compose(
 *   async (ctx, next) => {
 *     ctx.state.startedAt = Date.now();
 *     return await next();
 *   },
 *   async () => "done",
 * );
 * ```
 */
export function compose(...items: ComposeItem[]): Middleware {
  return composeItems(items, "compose(...)", "items");
}

/**
 * Runs `whenTrue` when the predicate's value is truthy and `whenFalse` otherwise. The
 * predicate may be async. The chosen item receives the branch's `next`, so it can
 * continue the chain. Without `whenFalse`, a false predicate calls `next()` directly.
 *
 * @example
 * ```ts
 * import { branch } from "@async/pipeline/runtime";
 *
 * const route = branch(
 *   async (ctx) => ctx.input !== undefined,
 *   async () => "with-input",
 *   async () => "without-input",
 * );
 * ```
 */
export function branch(
  predicate: BranchPredicate,
  whenTrue: ComposeItem,
  whenFalse?: ComposeItem,
): Middleware {
  if (typeof predicate !== "function") {
    throw invalidItem(predicate, "branch(...)", "predicate", "a function (ctx) => boolean");
  }
  const onTrue = toMiddleware(whenTrue, "branch(...)", "whenTrue");
  const onFalse = whenFalse === undefined
    ? undefined
    : toMiddleware(whenFalse, "branch(...)", "whenFalse");

  const branched: Middleware = async (ctx, next) => {
    const chosen = (await predicate(ctx)) ? onTrue : onFalse;
    if (chosen === undefined) return await next();
    return await chosen(ctx, next);
  };

  return tagStep(branched, {
    type: "branch",
    predicate: predicate.name || "anonymous",
    whenTrue: describeStep(onTrue),
    ...(onFalse === undefined ? {} : { whenFalse: describeStep(onFalse) }),
  });
}

const ITEM_KINDS =
  "a middleware function (ctx, next), an array of items, parallel(...) or branch(...)";

/** Describes an item of the wrong kind at `path` as an `ASYNC_PIPELINE_RUNTIME_INVALID_ITEM` issue. */
export function invalidItemIssue(
  value: unknown,
  path: string,
  expected = ITEM_KINDS,
): PipelineIssue {
  const isDirective = typeof value === "object" && value !== null &&
    (value as { kind?: unknown }).kind === "directive";
  return {
    code: ErrorCode.RUNTIME_INVALID_ITEM,
    path,
    message: `expected ${expected}, got ${describeValue(value)}.`,
    ...(isDirective
      ? {
        hint: "Directives such as cache.use(...) belong in the top-level step array of a " +
          'runtime task: task({ id: "x" }, [cache.use("memory:session"), handler]).',
      }
      : {}),
  };
}

/**
 * Builds the error for an item of the wrong kind, such as
 * `compose(...) items[1]: expected a middleware function ..., got a string.`
 *
 * @param owner The call that received the item, such as `compose(...)`.
 */
export function invalidItem(
  value: unknown,
  owner: string,
  path: string,
  expected?: string,
): PipelineError {
  const issue = invalidItemIssue(value, path, expected);
  return new PipelineError(issue.code, `${owner} ${formatIssue(issue)}`, {
    path,
    hint: issue.hint,
    issues: [issue],
  });
}

/** Names the kind of a value without printing it, because it may hold a secret. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") {
    const kind = (value as { kind?: unknown; type?: unknown }).kind;
    if (kind === "directive") return `a ${String((value as { type?: unknown }).type)} directive`;
    return "an object";
  }
  const type = typeof value;
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
