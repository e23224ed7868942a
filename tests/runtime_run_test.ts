import assert from "node:assert/strict";
import { ErrorCode, PipelineError } from "../core/errors.ts";
import {
  createRuntime,
  defineRuntime,
  type RuntimeRunResult,
  type RuntimeTaskResult,
  task,
} from "../runtime/mod.ts";

/** Resolves after pending timers and I/O callbacks had a chance to run. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function byId(result: RuntimeRunResult): Record<string, RuntimeTaskResult> {
  return Object.fromEntries(result.tasks.map((entry) => [entry.id, entry]));
}

Deno.test("run follows dependency order", async () => {
  const log: string[] = [];
  const step = (id: string) => async () => {
    log.push(`${id} start`);
    await yieldToEventLoop();
    log.push(`${id} end`);
    return id;
  };
  const runtime = createRuntime(defineRuntime([
    task({ id: "deploy", dependsOn: ["test"] }, step("deploy")),
    task({ id: "test", dependsOn: ["build"] }, step("test")),
    task({ id: "build" }, step("build")),
  ]));

  const result = await runtime.run();

  assert.equal(result.status, "passed");
  assert.deepEqual(log, [
    "build start",
    "build end",
    "test start",
    "test end",
    "deploy start",
    "deploy end",
  ]);
  assert.deepEqual(result.tasks.map((entry) => entry.id), ["build", "test", "deploy"]);
  assert.deepEqual(result.tasks.map((entry) => entry.value), ["build", "test", "deploy"]);
});

Deno.test("run waits for every dependency", async () => {
  const finished: string[] = [];
  let seenAtJoin: string[] = [];
  const slow = (id: string, turns: number) => async () => {
    for (let turn = 0; turn < turns; turn++) await yieldToEventLoop();
    finished.push(id);
    return id;
  };
  const runtime = createRuntime(defineRuntime([
    task({ id: "a" }, slow("a", 3)),
    task({ id: "b" }, slow("b", 1)),
    task({ id: "join", dependsOn: ["a", "b"] }, () => {
      seenAtJoin = [...finished];
      return "joined";
    }),
  ]));

  const result = await runtime.run();

  assert.deepEqual(seenAtJoin.sort(), ["a", "b"]);
  assert.equal(byId(result).join.value, "joined");
});

Deno.test("run passes dependency values", async () => {
  const runtime = createRuntime(defineRuntime([
    task({ id: "load" }, () => [3, 4]),
    task({ id: "unused" }, () => "ignored"),
    task({ id: "sum", dependsOn: ["load"] }, (ctx) => {
      assert.deepEqual(Object.keys(ctx.dependencies), ["load"]);
      return (ctx.dependencies.load as number[]).reduce((total, item) => total + item, 0);
    }),
  ]));

  const result = await runtime.run();

  assert.equal(byId(result).sum.value, 7);
  assert.equal(byId(result).sum.status, "passed");
});

Deno.test("run starts independent tasks together", async () => {
  let active = 0;
  let maxActive = 0;
  const work = async () => {
    active++;
    maxActive = Math.max(maxActive, active);
    await yieldToEventLoop();
    active--;
  };
  const definition = defineRuntime([
    task({ id: "a" }, work),
    task({ id: "b" }, work),
    task({ id: "c" }, work),
  ]);

  await createRuntime(definition).run();
  assert.equal(maxActive, 3);

  maxActive = 0;
  await createRuntime(definition, { concurrency: 2 }).run();
  assert.equal(maxActive, 2);

  maxActive = 0;
  await createRuntime(definition, { concurrency: 1 }).run();
  assert.equal(maxActive, 1);
});

Deno.test("run reports failures without throwing", async () => {
  const runtime = createRuntime(defineRuntime([
    task({ id: "build" }, () => {
      throw new Error("compile error in src/app.ts");
    }),
    task({ id: "test", dependsOn: ["build"] }, () => "never"),
    task({ id: "deploy", dependsOn: ["test"] }, () => "never"),
    task({ id: "lint" }, () => "clean"),
  ]));

  const result = await runtime.run();
  const tasks = byId(result);

  assert.equal(result.status, "failed");
  assert.equal(tasks.build.status, "failed");
  assert.equal(tasks.build.error?.code, ErrorCode.TASK_FAILED);
  assert.equal(tasks.build.error?.message, "compile error in src/app.ts");
  assert.ok(tasks.build.error?.cause instanceof Error);
  assert.equal(tasks.build.value, undefined);

  assert.equal(tasks.test.status, "skipped");
  assert.equal(tasks.test.reason, 'dependency "build" did not pass.');
  assert.equal(tasks.test.durationMs, 0);
  assert.equal(tasks.deploy.status, "skipped");
  assert.equal(tasks.deploy.reason, 'dependency "test" did not pass.');

  assert.equal(tasks.lint.status, "passed");
  assert.equal(tasks.lint.value, "clean");
});

Deno.test("run keeps pipeline error codes", async () => {
  const runtime = createRuntime(defineRuntime([
    task({ id: "publish" }, () => {
      throw new PipelineError(ErrorCode.MISSING_SECRET, "NPM_TOKEN is not set.", {
        hint: "Export NPM_TOKEN.",
      });
    }),
    task({ id: "reject" }, () => Promise.reject("plain string")),
  ]));

  const tasks = byId(await runtime.run());

  assert.equal(tasks.publish.error?.code, ErrorCode.MISSING_SECRET);
  assert.equal(tasks.publish.error?.message, "NPM_TOKEN is not set.");
  assert.equal(tasks.publish.error?.hint, "Export NPM_TOKEN.");
  assert.equal(tasks.reject.error?.code, ErrorCode.TASK_FAILED);
  assert.equal(tasks.reject.error?.message, "plain string");
  assert.equal(tasks.reject.error?.cause, "plain string");
});

Deno.test("run shares input and state", async () => {
  const runIds = new Set<string>();
  const runtime = createRuntime(defineRuntime([
    task({ id: "first" }, [
      (ctx, next) => {
        runIds.add(ctx.runId);
        ctx.state.seen = [`first:${ctx.input}`];
        return next();
      },
      (ctx) => {
        (ctx.state.seen as string[]).push(`first-inner:${ctx.taskId}`);
      },
    ]),
    task({ id: "second", dependsOn: ["first"] }, (ctx) => {
      runIds.add(ctx.runId);
      (ctx.state.seen as string[]).push(`second:${ctx.input}`);
    }),
  ]));

  const result = await runtime.run("payload");

  assert.deepEqual(result.state, {
    seen: ["first:payload", "first-inner:first", "second:payload"],
  });
  assert.equal(runIds.size, 1);
  assert.ok(runIds.has(result.runId));

  const again = await runtime.run("other");
  assert.notEqual(again.runId, result.runId);
  assert.deepEqual(again.state, { seen: ["first:other", "first-inner:first", "second:other"] });
});

Deno.test("run result shape", async () => {
  const runtime = createRuntime(defineRuntime([task({ id: "only" }, () => 1)]));

  const result = await runtime.run();

  assert.equal(typeof result.runId, "string");
  assert.ok(result.durationMs >= 0);
  assert.deepEqual(Object.keys(result.tasks[0]).sort(), ["durationMs", "id", "status", "value"]);
  assert.ok(result.tasks[0].durationMs >= 0);
});

Deno.test("run targets select a subgraph", async () => {
  const ran: string[] = [];
  const record = (id: string) => () => {
    ran.push(id);
    return id;
  };
  const runtime = createRuntime(defineRuntime([
    task({ id: "build" }, record("build")),
    task({ id: "test", dependsOn: ["build"] }, record("test")),
    task({ id: "docs" }, record("docs")),
  ]));

  const result = await runtime.run(undefined, { targets: ["test"] });

  assert.deepEqual(result.tasks.map((entry) => entry.id), ["build", "test"]);
  assert.deepEqual(ran, ["build", "test"]);
});

Deno.test("run rejects unknown targets", async () => {
  let calls = 0;
  const runtime = createRuntime(defineRuntime([task({ id: "build" }, () => calls++)]));

  await assert.rejects(runtime.run(undefined, { targets: ["biuld"] }), (error: unknown) => {
    assert.ok(error instanceof PipelineError);
    assert.equal(error.code, ErrorCode.UNKNOWN_TASK);
    assert.equal(error.hint, 'Did you mean "build"?');
    return true;
  });
  assert.equal(calls, 0);
});

Deno.test("run signal aborted before start", async () => {
  let calls = 0;
  const runtime = createRuntime(defineRuntime([
    task({ id: "a" }, () => calls++),
    task({ id: "b", dependsOn: ["a"] }, () => calls++),
  ]));

  const result = await runtime.run(undefined, { signal: AbortSignal.abort() });

  assert.equal(calls, 0);
  assert.equal(result.status, "interrupted");
  assert.deepEqual(result.tasks.map((entry) => entry.status), ["skipped", "skipped"]);
  assert.equal(result.tasks[0].reason, "the run was aborted before the task started.");
});

Deno.test("run signal aborts running task", async () => {
  const controller = new AbortController();
  const started = Promise.withResolvers<void>();
  let laterRuns = 0;
  const runtime = createRuntime(defineRuntime([
    task({ id: "watch" }, async (ctx) => {
      started.resolve();
      await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
      ctx.signal.throwIfAborted();
    }),
    task({ id: "later", dependsOn: ["watch"] }, () => laterRuns++),
  ]));

  const pending = runtime.run(undefined, { signal: controller.signal });
  await started.promise;
  controller.abort(new Error("user cancelled"));
  const result = await pending;
  const tasks = byId(result);

  assert.equal(result.status, "interrupted");
  assert.equal(tasks.watch.status, "failed");
  assert.equal(tasks.watch.error?.code, "ASYNC_PIPELINE_INTERRUPTED");
  assert.equal(tasks.watch.error?.message, "user cancelled");
  assert.equal(tasks.later.status, "skipped");
  assert.equal(laterRuns, 0);
});

Deno.test("run signal aborted after a task passed", async () => {
  const controller = new AbortController();
  const runtime = createRuntime(defineRuntime([
    task({ id: "first" }, () => {
      controller.abort();
      return "done";
    }),
    task({ id: "second", dependsOn: ["first"] }, () => "never"),
  ]));

  const result = await runtime.run(undefined, { signal: controller.signal });

  assert.equal(result.status, "interrupted");
  assert.deepEqual(result.tasks.map((entry) => entry.status), ["passed", "skipped"]);
  assert.equal(result.tasks[1].reason, "the run was aborted before the task started.");
});

Deno.test("run that finished keeps passed after a late abort", async () => {
  const controller = new AbortController();
  const runtime = createRuntime(defineRuntime([
    task({ id: "only" }, () => {
      controller.abort();
      return "done";
    }),
  ]));

  const result = await runtime.run(undefined, { signal: controller.signal });

  assert.equal(result.status, "passed");
});

Deno.test("run failure without an abort stays failed", async () => {
  const runtime = createRuntime(defineRuntime([
    task({ id: "broken" }, () => {
      throw new Error("broken");
    }),
  ]));

  const result = await runtime.run(undefined, { signal: new AbortController().signal });

  assert.equal(result.status, "failed");
  assert.equal(result.tasks[0].error?.code, "ASYNC_PIPELINE_TASK_FAILED");
});

Deno.test("run keeps the code of a task error thrown during an abort", async () => {
  const controller = new AbortController();
  const runtime = createRuntime(defineRuntime([
    task({ id: "own" }, () => {
      controller.abort();
      throw new Error("own failure");
    }),
  ]));

  const result = await runtime.run(undefined, { signal: controller.signal });

  assert.equal(result.status, "interrupted");
  assert.equal(result.tasks[0].error?.code, "ASYNC_PIPELINE_TASK_FAILED");
});

Deno.test("run of an empty runtime", async () => {
  const result = await createRuntime(defineRuntime([])).run();

  assert.equal(result.status, "passed");
  assert.deepEqual(result.tasks, []);
});

Deno.test("run skip reason lists dependencies", async () => {
  const fail = () => {
    throw new Error("failed");
  };
  const runtime = createRuntime(defineRuntime([
    task({ id: "a" }, fail),
    task({ id: "b" }, fail),
    task({ id: "join", dependsOn: ["a", "b"] }, () => "never"),
  ]));

  const tasks = byId(await runtime.run());

  assert.equal(tasks.join.status, "skipped");
  assert.equal(tasks.join.reason, 'dependencies "a", "b" did not pass.');
});

Deno.test("createRuntime brackets a spaced option name", () => {
  assert.throws(
    () => createRuntime(defineRuntime([task({ id: "a" }, () => "a")]), { "max tasks": 2 } as never),
    (error: PipelineError) => {
      assert.equal(error.code, ErrorCode.UNKNOWN_FIELD);
      assert.equal(error.path, 'options["max tasks"]');
      return true;
    },
  );
});

Deno.test("run rejects unknown options", async () => {
  const runtime = createRuntime(defineRuntime([task({ id: "a" }, () => "a")]));
  await assert.rejects(
    runtime.run(undefined, { target: ["a"] } as never),
    (error: PipelineError) => {
      assert.equal(error.code, ErrorCode.UNKNOWN_FIELD);
      assert.equal(error.hint, 'Did you mean "targets"?');
      return true;
    },
  );
});
