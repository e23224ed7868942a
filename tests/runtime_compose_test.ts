import assert from "node:assert/strict";
import { ErrorCode, PipelineError } from "../core/errors.ts";
import {
  branch,
  cache,
  compose,
  type ComposeItem,
  createRuntime,
  defineRuntime,
  type RuntimeContext,
  task,
} from "../runtime/mod.ts";
import { context } from "./helpers/runtime_context.ts";

/** Resolves after pending timers and I/O callbacks had a chance to run. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function hasCode(code: string) {
  return (error: unknown) => {
    assert.ok(error instanceof PipelineError, `expected a PipelineError, got ${error}`);
    assert.equal(error.code, code);
    return true;
  };
}

Deno.test("compose runs middleware in onion order", async () => {
  const log: string[] = [];
  const middleware = compose(
    async (_ctx, next) => {
      log.push("a before");
      const value = await next();
      log.push("a after");
      return value;
    },
    async (_ctx, next) => {
      log.push("b before");
      const value = await next();
      log.push("b after");
      return value;
    },
    () => {
      log.push("c");
      return "end";
    },
  );

  const value = await middleware(context(), () => Promise.resolve(undefined));

  assert.equal(value, "end");
  assert.deepEqual(log, ["a before", "b before", "c", "b after", "a after"]);
});

Deno.test("compose next returns downstream value", async () => {
  const middleware = compose(
    async (_ctx, next) => `wrapped(${await next()})`,
    () => "inner",
  );

  assert.equal(await middleware(context(), () => Promise.resolve(undefined)), "wrapped(inner)");
});

Deno.test("compose stops when next is skipped", async () => {
  let reached = false;
  const middleware = compose(
    () => "short",
    () => {
      reached = true;
      return "late";
    },
  );

  assert.equal(await middleware(context(), () => Promise.resolve(undefined)), "short");
  assert.equal(reached, false);
});

Deno.test("compose end calls outer next", async () => {
  const middleware = compose(async (_ctx, next) => await next());

  const value = await middleware(context(), () => Promise.resolve("outer"));

  assert.equal(value, "outer");
});

Deno.test("compose nested arrays run sequentially", async () => {
  const log: string[] = [];
  const step = (name: string) => async (_ctx: RuntimeContext, next: () => Promise<unknown>) => {
    log.push(`${name} start`);
    await yieldToEventLoop();
    log.push(`${name} end`);
    return next();
  };
  const middleware = compose(
    step("one"),
    [step("two"), [step("three"), step("four")]],
    () => "done",
  );

  const value = await middleware(context(), () => Promise.resolve(undefined));

  assert.equal(value, "done");
  assert.deepEqual(log, [
    "one start",
    "one end",
    "two start",
    "two end",
    "three start",
    "three end",
    "four start",
    "four end",
  ]);
});

Deno.test("compose shares ctx state", async () => {
  const ctx = context();
  const middleware = compose(
    (c, next) => {
      c.state.count = 1;
      return next();
    },
    [(c, next) => {
      c.state.count = (c.state.count as number) + 1;
      return next();
    }],
    (c) => c.state.count,
  );

  assert.equal(await middleware(ctx, () => Promise.resolve(undefined)), 2);
  assert.deepEqual(ctx.state, { count: 2 });
});

Deno.test("compose accepts synchronous middleware", async () => {
  const middleware = compose((_ctx, next) => next(), () => 42);

  const result = middleware(context(), () => Promise.resolve(undefined));

  assert.ok(result instanceof Promise);
  assert.equal(await result, 42);
});

Deno.test("compose turns synchronous throws into rejections", async () => {
  const middleware = compose(() => {
    throw new Error("sync failure");
  });

  const result = middleware(context(), () => Promise.resolve(undefined));

  assert.ok(result instanceof Promise);
  await assert.rejects(result as Promise<unknown>, /sync failure/);
});

Deno.test("next called twice is rejected", async () => {
  const middleware = compose(
    async function callsTwice(_ctx, next) {
      await next();
      return next();
    },
    () => "value",
  );

  await assert.rejects(
    middleware(context({ taskId: "deploy" }), () => Promise.resolve(undefined)) as Promise<unknown>,
    (error: unknown) => {
      assert.ok(error instanceof PipelineError);
      assert.equal(error.code, ErrorCode.RUNTIME_NEXT_TWICE);
      assert.match(error.message, /next\(\) was called more than once/);
      assert.match(error.message, /middleware "callsTwice"/);
      assert.match(error.message, /task "deploy"/);
      assert.match(error.hint ?? "", /Call next\(\) once/);
      return true;
    },
  );
});

Deno.test("next called twice fails the task", async () => {
  let downstreamRuns = 0;
  const runtime = createRuntime(defineRuntime([
    task({ id: "twice" }, [
      (_ctx, next) => {
        next();
        return next();
      },
      () => {
        downstreamRuns++;
        return "value";
      },
    ]),
  ]));

  const result = await runtime.run();

  assert.equal(result.status, "failed");
  assert.equal(result.tasks[0].status, "failed");
  assert.equal(result.tasks[0].error?.code, ErrorCode.RUNTIME_NEXT_TWICE);
  assert.match(result.tasks[0].error?.message ?? "", /task "twice"/);
  assert.equal(downstreamRuns, 1);
});

Deno.test("next called twice by the handler", async () => {
  const runtime = createRuntime(defineRuntime([
    task({ id: "single" }, async (_ctx, next) => {
      await next();
      await next();
    }),
  ]));

  const result = await runtime.run();

  assert.equal(result.tasks[0].error?.code, ErrorCode.RUNTIME_NEXT_TWICE);
});

Deno.test("compose rejects non-function items", () => {
  const cases: Array<{ items: unknown[]; path: string; found: string }> = [
    { items: [() => 1, "build"], path: "items[1]", found: "a string" },
    { items: [null], path: "items[0]", found: "null" },
    { items: [() => 1, [() => 2, 42]], path: "items[1][1]", found: "a number" },
    { items: [{ run: () => 1 }], path: "items[0]", found: "an object" },
    { items: [undefined], path: "items[0]", found: "undefined" },
  ];
  for (const { items, path, found } of cases) {
    assert.throws(
      () => compose(...(items as ComposeItem[])),
      (error: unknown) => {
        assert.ok(error instanceof PipelineError);
        assert.equal(error.code, ErrorCode.RUNTIME_INVALID_ITEM);
        assert.equal(error.path, path);
        assert.equal(
          error.message,
          `compose(...) ${path}: expected a middleware function (ctx, next), ` +
            `an array of items, parallel(...) or branch(...), got ${found}.`,
        );
        return true;
      },
    );
  }
});

Deno.test("compose rejects a directive item", () => {
  assert.throws(
    () => compose(cache.use("memory:session") as unknown as ComposeItem),
    (error: unknown) => {
      assert.ok(error instanceof PipelineError);
      assert.equal(error.code, ErrorCode.RUNTIME_INVALID_ITEM);
      assert.match(error.message, /^compose\(\.\.\.\) items\[0\]: .*got a cache directive\./);
      assert.match(error.hint ?? "", /top-level step array of a runtime task/);
      return true;
    },
  );
});

Deno.test("branch takes true path with async predicate", async () => {
  const checked: unknown[] = [];
  const middleware = branch(
    async (ctx) => {
      checked.push(ctx.input);
      await yieldToEventLoop();
      return ctx.input === "yes";
    },
    () => "true path",
    () => "false path",
  );

  assert.equal(
    await middleware(context({ input: "yes" }), () => Promise.resolve(undefined)),
    "true path",
  );
  assert.deepEqual(checked, ["yes"]);
});

Deno.test("branch takes false path with async predicate", async () => {
  const middleware = branch(
    (ctx) => Promise.resolve(ctx.input === "yes"),
    () => "true path",
    () => "false path",
  );

  assert.equal(
    await middleware(context({ input: "no" }), () => Promise.resolve(undefined)),
    "false path",
  );
});

Deno.test("branch treats predicate values as truthy", async () => {
  const middleware = branch((ctx) => ctx.input, () => "truthy", () => "falsy");

  for (const input of [1, "x", {}, []]) {
    assert.equal(await middleware(context({ input }), () => Promise.resolve(undefined)), "truthy");
  }
  for (const input of [0, "", null, undefined]) {
    assert.equal(await middleware(context({ input }), () => Promise.resolve(undefined)), "falsy");
  }
});

Deno.test("branch chosen item continues chain", async () => {
  const middleware = compose(
    branch(() => true, async (_ctx, next) => `chosen+${await next()}`),
    () => "rest",
  );

  assert.equal(await middleware(context(), () => Promise.resolve(undefined)), "chosen+rest");
});

Deno.test("branch without false item passes through", async () => {
  let whenTrueRuns = 0;
  const middleware = compose(
    branch(() => false, () => {
      whenTrueRuns++;
      return "true path";
    }),
    () => "after branch",
  );

  assert.equal(await middleware(context(), () => Promise.resolve(undefined)), "after branch");
  assert.equal(whenTrueRuns, 0);
});

Deno.test("branch accepts arrays as paths", async () => {
  const log: string[] = [];
  const middleware = branch(
    () => true,
    [(_ctx, next) => {
      log.push("first");
      return next();
    }, () => {
      log.push("second");
      return "group";
    }],
  );

  assert.equal(await middleware(context(), () => Promise.resolve(undefined)), "group");
  assert.deepEqual(log, ["first", "second"]);
});

Deno.test("branch predicate rejection propagates", async () => {
  const middleware = branch(() => Promise.reject(new Error("lookup failed")), () => "x");

  await assert.rejects(
    middleware(context(), () => Promise.resolve(undefined)) as Promise<unknown>,
    /lookup failed/,
  );
});

Deno.test("branch rejects invalid arguments", () => {
  assert.throws(
    () => branch("yes" as unknown as () => boolean, () => 1),
    hasCode(ErrorCode.RUNTIME_INVALID_ITEM),
  );
  assert.throws(
    () => branch(() => true, 5 as unknown as ComposeItem),
    (error: unknown) => {
      assert.ok(error instanceof PipelineError);
      assert.equal(error.code, ErrorCode.RUNTIME_INVALID_ITEM);
      assert.equal(error.path, "whenTrue");
      return true;
    },
  );
  assert.throws(
    () => branch(() => true, () => 1, "no" as unknown as ComposeItem),
    (error: unknown) => {
      assert.ok(error instanceof PipelineError);
      assert.equal(error.path, "whenFalse");
      return true;
    },
  );
});
