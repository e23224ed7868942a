import assert from "node:assert/strict";
import { ErrorCode, PipelineError } from "../core/errors.ts";
import {
  compose,
  type ComposeItem,
  createRuntime,
  defineRuntime,
  type Middleware,
  parallel,
  type ParallelOptions,
  task,
} from "../runtime/mod.ts";
import { context } from "./helpers/runtime_context.ts";

function run(middleware: Middleware, ctx = context()): Promise<unknown> {
  return Promise.resolve(middleware(ctx, () => Promise.resolve(undefined)));
}

/** Resolves after pending timers and I/O callbacks had a chance to run. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Resolves when `signal` aborts. */
function aborted(signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return Promise.resolve(signal.reason);
  return new Promise((resolve) => {
    signal.addEventListener("abort", () => resolve(signal.reason), { once: true });
  });
}

Deno.test("parallel keeps item order", async () => {
  const gates = [Promise.withResolvers<void>(), Promise.withResolvers<void>()];
  const stage = parallel([
    async () => {
      await gates[0].promise;
      return "first";
    },
    async () => {
      await gates[1].promise;
      return "second";
    },
    () => "third",
  ]);

  const pending = run(stage);
  gates[1].resolve();
  await yieldToEventLoop();
  gates[0].resolve();

  assert.deepEqual(await pending, ["first", "second", "third"]);
});

Deno.test("parallel starts items together", async () => {
  const started: string[] = [];
  const release = Promise.withResolvers<void>();
  const item = (name: string) => async () => {
    started.push(name);
    await release.promise;
    return name;
  };

  const pending = run(parallel([item("a"), item("b"), item("c")]));
  await yieldToEventLoop();

  assert.deepEqual(started, ["a", "b", "c"]);
  release.resolve();
  assert.deepEqual(await pending, ["a", "b", "c"]);
});

Deno.test("parallel concurrency limit", async () => {
  let active = 0;
  let maxActive = 0;
  const item = (value: number) => async () => {
    active++;
    maxActive = Math.max(maxActive, active);
    await yieldToEventLoop();
    await yieldToEventLoop();
    active--;
    return value;
  };

  const values = await run(parallel({ concurrency: 2 }, [1, 2, 3, 4, 5].map(item)));

  assert.deepEqual(values, [1, 2, 3, 4, 5]);
  assert.equal(maxActive, 2);
  assert.equal(active, 0);
});

Deno.test("parallel concurrency one is sequential", async () => {
  const log: string[] = [];
  const item = (name: string) => async () => {
    log.push(`${name} start`);
    await yieldToEventLoop();
    log.push(`${name} end`);
    return name;
  };

  const values = await run(parallel({ concurrency: 1 }, [item("a"), item("b")]));

  assert.deepEqual(values, ["a", "b"]);
  assert.deepEqual(log, ["a start", "a end", "b start", "b end"]);
});

Deno.test("parallel rejection aborts siblings", async () => {
  const failure = new Error("typecheck failed");
  const gate = Promise.withResolvers<void>();
  let siblingReason: unknown;
  let siblingSettled = false;

  const stage = parallel([
    async () => {
      await gate.promise;
      throw failure;
    },
    async (ctx) => {
      siblingReason = await aborted(ctx.signal);
      await yieldToEventLoop();
      siblingSettled = true;
      return "stopped early";
    },
  ]);

  const pending = run(stage);
  gate.resolve();

  await assert.rejects(pending, (error: unknown) => {
    assert.equal(error, failure);
    return true;
  });
  assert.equal(siblingReason, failure);
  // The stage waits for running siblings before it rejects.
  assert.equal(siblingSettled, true);
});

Deno.test("parallel rejects with the first error", async () => {
  const first = new Error("first");
  const stage = parallel([
    () => Promise.reject(first),
    async (ctx) => {
      await aborted(ctx.signal);
      throw new Error("second, after abort");
    },
  ]);

  await assert.rejects(run(stage), (error: unknown) => error === first);
});

Deno.test("parallel failure starts no more items", async () => {
  const started: string[] = [];
  const stage = parallel({ concurrency: 1 }, [
    () => {
      started.push("a");
      throw new Error("a failed");
    },
    () => {
      started.push("b");
      return "b";
    },
  ]);

  await assert.rejects(run(stage), /a failed/);
  assert.deepEqual(started, ["a"]);
});

Deno.test("parallel failure skips downstream", async () => {
  let downstreamRuns = 0;
  const middleware = compose(
    parallel([() => "ok", () => Promise.reject(new Error("boom"))]),
    () => {
      downstreamRuns++;
      return "after";
    },
  );

  await assert.rejects(run(middleware), /boom/);
  assert.equal(downstreamRuns, 0);
});

Deno.test("parallel signal is separate from context", async () => {
  const outer = new AbortController();
  let itemSignal: AbortSignal | undefined;
  const stage = parallel([
    (ctx) => {
      itemSignal = ctx.signal;
      throw new Error("fail");
    },
  ]);

  await assert.rejects(run(stage, context({ signal: outer.signal })), /fail/);
  assert.ok(itemSignal);
  assert.notEqual(itemSignal, outer.signal);
  assert.equal(itemSignal.aborted, true);
  assert.equal(outer.signal.aborted, false);
});

Deno.test("parallel follows context abort", async () => {
  const outer = new AbortController();
  const reason = new Error("run aborted");
  const started: string[] = [];
  let observed: unknown;
  const stage = parallel({ concurrency: 1 }, [
    (ctx) => {
      started.push("a");
      outer.abort(reason);
      observed = ctx.signal.reason;
      return "a";
    },
    () => {
      started.push("b");
      return "b";
    },
  ]);

  await assert.rejects(run(stage, context({ signal: outer.signal })), (error) => error === reason);
  assert.equal(observed, reason);
  assert.deepEqual(started, ["a"]);
});

Deno.test("parallel items share state and input", async () => {
  const ctx = context({ input: "payload" });
  const stage = parallel([
    (c) => {
      c.state.a = c.input;
      return "a";
    },
    (c) => {
      c.state.b = c.taskId;
      return "b";
    },
  ]);

  await run(stage, ctx);

  assert.deepEqual(ctx.state, { a: "payload", b: "probe" });
});

Deno.test("parallel continues the chain", async () => {
  const log: string[] = [];
  const middleware = compose(
    parallel([() => log.push("item")]),
    () => {
      log.push("after");
      return "downstream";
    },
  );

  assert.equal(await run(middleware), "downstream");
  assert.deepEqual(log, ["item", "after"]);
});

Deno.test("parallel values when downstream is empty", async () => {
  const middleware = compose(
    parallel([() => 1, () => 2]),
    (_ctx, next) => next(),
  );

  assert.deepEqual(await run(middleware), [1, 2]);
});

Deno.test("parallel items get a terminal next", async () => {
  let downstreamRuns = 0;
  const middleware = compose(
    parallel([
      async (_ctx, next) => `a:${await next()}`,
      async (_ctx, next) => `b:${await next()}`,
    ]),
    () => {
      downstreamRuns++;
      return undefined;
    },
  );

  assert.deepEqual(await run(middleware), ["a:undefined", "b:undefined"]);
  assert.equal(downstreamRuns, 1);
});

Deno.test("parallel nested groups", async () => {
  const log: string[] = [];
  const stage = parallel([
    [(_ctx, next) => {
      log.push("group first");
      return next();
    }, () => "group"],
    parallel([() => "x", () => "y"]),
  ]);

  assert.deepEqual(await run(stage), ["group", ["x", "y"]]);
  assert.deepEqual(log, ["group first"]);
});

Deno.test("parallel empty items", async () => {
  assert.deepEqual(await run(parallel([])), []);
});

Deno.test("parallel failure fails the task", async () => {
  const runtime = createRuntime(defineRuntime([
    task(
      { id: "checks" },
      parallel([() => "lint", () => Promise.reject(new Error("test failed"))]),
    ),
  ]));

  const result = await runtime.run();

  assert.equal(result.tasks[0].status, "failed");
  assert.equal(result.tasks[0].error?.code, ErrorCode.TASK_FAILED);
  assert.equal(result.tasks[0].error?.message, "test failed");
});

Deno.test("parallel rejects invalid options", () => {
  const invalid: unknown[] = [0, -1, 1.5, "2", NaN, null];
  for (const concurrency of invalid) {
    assert.throws(
      () => parallel({ concurrency } as ParallelOptions, [() => 1]),
      (error: unknown) => {
        assert.ok(error instanceof PipelineError);
        assert.equal(error.code, ErrorCode.INVALID_FIELD);
        assert.equal(error.path, "options.concurrency");
        assert.match(error.message, /positive integer or Infinity/);
        return true;
      },
      `concurrency ${String(concurrency)}`,
    );
  }
  assert.throws(
    () => parallel({ concurency: 2 } as ParallelOptions, [() => 1]),
    (error: unknown) => {
      assert.ok(error instanceof PipelineError);
      assert.equal(error.code, ErrorCode.UNKNOWN_FIELD);
      assert.equal(error.hint, 'Did you mean "concurrency"?');
      return true;
    },
  );
  assert.throws(
    () => parallel([() => 1] as unknown as ParallelOptions, [() => 2]),
    (error: unknown) => {
      assert.ok(error instanceof PipelineError);
      assert.equal(error.code, ErrorCode.INVALID_FIELD);
      assert.equal(error.path, "options");
      return true;
    },
  );
});

Deno.test("parallel rejects invalid items", () => {
  const missingItems = [
    () => parallel({}, undefined as unknown as ComposeItem[]),
    () => parallel({ concurrency: 2 } as unknown as ComposeItem[]),
    () => (parallel as (...args: unknown[]) => unknown)(),
  ];
  for (const call of missingItems) {
    assert.throws(call, (error: unknown) => {
      assert.ok(error instanceof PipelineError);
      assert.equal(error.code, ErrorCode.RUNTIME_INVALID_ITEM);
      assert.equal(error.path, "items");
      assert.match(error.message, /^parallel\(\.\.\.\) items: expected an array of items, got /);
      return true;
    });
  }
  assert.throws(
    () => parallel([() => 1, "lint" as unknown as ComposeItem]),
    (error: unknown) => {
      assert.ok(error instanceof PipelineError);
      assert.equal(error.code, ErrorCode.RUNTIME_INVALID_ITEM);
      assert.equal(error.path, "items[1]");
      assert.match(error.message, /^parallel\(\.\.\.\) items\[1\]: expected .*, got a string\.$/);
      return true;
    },
  );
});
