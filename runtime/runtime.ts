/** `createRuntime`: runs a runtime definition inside one-shot or long-lived sessions. @module */

import { checkBuilderOptions } from "../core/fields.ts";
import { ErrorCode, PipelineError } from "../core/errors.ts";
import { describeValue } from "./compose.ts";
import { inspectDefinition, isRuntimeDefinition } from "./definition.ts";
import { checkConcurrencyOptions } from "./options.ts";
import { executeRun, selectTasks, type Session } from "./run.ts";
import type {
  Runtime,
  RuntimeDefinition,
  RuntimeInfo,
  RuntimeOptions,
  RuntimeRunOptions,
  RuntimeRunResult,
} from "./types.ts";

/**
 * Creates a runtime for a definition. `run(input)` executes the tasks and resolves to a
 * result per task. Between `start()` and `stop()`, runs share one session, so
 * `memory:session` caches persist across them. A run outside a session gets a one-shot
 * session that ends with the run.
 *
 * @throws {PipelineError} `ASYNC_PIPELINE_INVALID_FIELD` when `definition` was not built by
 *   `defineRuntime` or `options.concurrency` is not a positive integer or Infinity.
 *
 * @example
 * ```ts
 * import { createRuntime, defineRuntime, task } from "@async/pipeline/runtime";
 *
 * const runtime = createRuntime(defineRuntime([
 *   task({ id: "greet" }, (ctx) => `hello ${ctx.input}`),
 * ]));
 * const result = await runtime.run("world");
 * console.log(result.tasks[0].value); // "hello world"
 * ```
 */
export function createRuntime(
  definition: RuntimeDefinition,
  options: RuntimeOptions = {},
): Runtime {
  if (!isRuntimeDefinition(definition)) {
    throw new PipelineError(
      ErrorCode.INVALID_FIELD,
      `createRuntime(definition): definition is ${describeValue(definition)}, ` +
        "expected the value of defineRuntime([...]).",
      { path: "definition", hint: "Write createRuntime(defineRuntime([task(...)]))." },
    );
  }
  const concurrency = checkConcurrencyOptions("createRuntime(definition, options)", options);
  return new SessionRuntime(definition, concurrency);
}

class SessionRuntime implements Runtime {
  readonly definition: RuntimeDefinition;
  readonly #concurrency: number;
  #session: Session | undefined;
  #stopping: Promise<void> | undefined;

  constructor(definition: RuntimeDefinition, concurrency: number) {
    this.definition = definition;
    this.#concurrency = concurrency;
  }

  get started(): boolean {
    return this.#session !== undefined;
  }

  async run(input?: unknown, options: RuntimeRunOptions = {}): Promise<RuntimeRunResult> {
    checkBuilderOptions("run(input, options)", options, ["targets", "signal"]);
    const ids = selectTasks(this.definition, options.targets);
    const session = this.#session ?? newSession();
    const oneShot = session !== this.#session;

    const run = executeRun(this.definition, session, ids, input, options, this.#concurrency);
    session.runs.add(run);
    try {
      return await run;
    } finally {
      session.runs.delete(run);
      if (oneShot) session.cache.clear();
    }
  }

  async start(): Promise<void> {
    if (this.#stopping !== undefined) await this.#stopping;
    this.#session ??= newSession();
  }

  stop(): Promise<void> {
    const session = this.#session;
    if (session === undefined) return this.#stopping ?? Promise.resolve();
    this.#session = undefined;
    const stopping = drain(session).finally(() => {
      if (this.#stopping === stopping) this.#stopping = undefined;
    });
    this.#stopping = stopping;
    return stopping;
  }

  inspect(): RuntimeInfo {
    return inspectDefinition(this.definition);
  }
}

function newSession(): Session {
  return { cache: new Map(), runs: new Set() };
}

/** Waits until the session's runs have settled, then drops its cache. */
async function drain(session: Session): Promise<void> {
  while (session.runs.size > 0) {
    await Promise.allSettled([...session.runs]);
  }
  session.cache.clear();
}
