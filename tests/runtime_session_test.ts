import assert from "node:assert/strict";
import { ErrorCode } from "../core/errors.ts";
import {
  cache,
  createRuntime,
  defineRuntime,
  type Runtime,
  type RuntimeRunResult,
  type RuntimeTaskResult,
  task,
} from "../runtime/mod.ts";

/** Resolves after pending timers and I/O callbacks had a chance to run. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function resultOf(result: RuntimeRunResult, id: string): RuntimeTaskResult {
  const found = result.tasks.find((entry) => entry.id === id);
  assert.ok(found, `no result for task "${id}"`);
  return found;
}

/** A runtime with one cached task that counts how often its handler runs. */
function countingRuntime(): { runtime: Runtime; calls: () => number } {
  let calls = 0;
  const runtime = createRuntime(defineRuntime([
    task({ id: "lookup" }, [
      cache.use("memory:session"),
      (ctx) => {
        calls++;
        return `value for ${String(ctx.input)} #${calls}`;
      },
    ]),
  ]));
  return { runtime, calls: () => calls };
}

Deno.test("session cache hits within a session", async () => {
  const { runtime, calls } = countingRuntime();
  await runtime.start();

  const first = await runtime.run("a");
  const second = await runtime.run("a");
  await runtime.stop();

  assert.equal(calls(), 1);
  assert.equal(resultOf(first, "lookup").cache, "miss");
  assert.equal(resultOf(second, "lookup").cache, "hit");
  assert.equal(resultOf(second, "lookup").value, "value for a #1");
  assert.equal(resultOf(second, "lookup").status, "passed");
});

Deno.test("session cache misses across sessions", async () => {
  const { runtime, calls } = countingRuntime();

  await runtime.start();
  await runtime.run("a");
  await runtime.stop();
  await runtime.start();
  const afterRestart = await runtime.run("a");
  await runtime.stop();

  assert.equal(calls(), 2);
  assert.equal(resultOf(afterRestart, "lookup").cache, "miss");
  assert.equal(resultOf(afterRestart, "lookup").value, "value for a #2");
});

Deno.test("one-shot runs share no cache", async () => {
  const { runtime, calls } = countingRuntime();

  const first = await runtime.run("a");
  const second = await runtime.run("a");

  assert.equal(calls(), 2);
  assert.equal(resultOf(first, "lookup").cache, "miss");
  assert.equal(resultOf(second, "lookup").cache, "miss");
});

Deno.test("session cache keys on input", async () => {
  const { runtime, calls } = countingRuntime();
  await runtime.start();

  const statuses: Array<string | undefined> = [];
  for (
    const input of [{ a: 1, b: 2 }, { b: 2, a: 1 }, { a: 1, b: 3 }, "1", 1, 1n, undefined, null]
  ) {
    statuses.push(resultOf(await runtime.run(input), "lookup").cache);
  }
  await runtime.stop();

  // Equal objects hit whatever their key order; 1, "1" and 1n stay distinct, as do undefined and null.
  assert.deepEqual(statuses, ["miss", "hit", "miss", "miss", "miss", "miss", "miss", "miss"]);
  assert.equal(calls(), 7);
});

Deno.test("session cache keys on dependency values", async () => {
  let version = 1;
  let reportCalls = 0;
  const runtime = createRuntime(defineRuntime([
    task({ id: "version" }, () => version),
    task({ id: "report", dependsOn: ["version"] }, [
      cache.use("memory:session"),
      (ctx) => {
        reportCalls++;
        return `report v${ctx.dependencies.version}`;
      },
    ]),
  ]));
  await runtime.start();

  const first = await runtime.run();
  const same = await runtime.run();
  version = 2;
  const changed = await runtime.run();
  await runtime.stop();

  assert.equal(resultOf(first, "report").cache, "miss");
  assert.equal(resultOf(same, "report").cache, "hit");
  assert.equal(resultOf(changed, "report").cache, "miss");
  assert.equal(resultOf(changed, "report").value, "report v2");
  assert.equal(reportCalls, 2);
});

Deno.test("session cache skips failed results", async () => {
  let calls = 0;
  const runtime = createRuntime(defineRuntime([
    task({ id: "flaky" }, [cache.use("memory:session"), () => {
      calls++;
      if (calls === 1) throw new Error("first attempt fails");
      return "second attempt";
    }]),
  ]));
  await runtime.start();

  const failed = await runtime.run();
  const retried = await runtime.run();
  const cached = await runtime.run();
  await runtime.stop();

  assert.equal(resultOf(failed, "flaky").status, "failed");
  assert.equal(resultOf(failed, "flaky").cache, undefined);
  assert.equal(resultOf(retried, "flaky").cache, "miss");
  assert.equal(resultOf(retried, "flaky").value, "second attempt");
  assert.equal(resultOf(cached, "flaky").cache, "hit");
  assert.equal(calls, 2);
});

Deno.test("session cache rejects unkeyable input", async () => {
  const { runtime, calls } = countingRuntime();

  const result = await runtime.run({ user: { save: () => {} } });
  const lookup = resultOf(result, "lookup");

  assert.equal(lookup.status, "failed");
  assert.equal(lookup.error?.code, ErrorCode.RUNTIME_CACHE_KEY);
  assert.equal(lookup.error?.message, "Cannot build a cache key: input.user.save is a function.");
  assert.equal(calls(), 0);
});

Deno.test("stop waits for a running task", async () => {
  const events: string[] = [];
  const release = Promise.withResolvers<void>();
  const started = Promise.withResolvers<void>();
  const runtime = createRuntime(defineRuntime([
    task({ id: "slow" }, async () => {
      started.resolve();
      await release.promise;
      events.push("task finished");
      return "done";
    }),
  ]));
  await runtime.start();

  const run = runtime.run();
  await started.promise;
  const stopping = runtime.stop().then(() => events.push("stopped"));
  assert.equal(runtime.started, false);
  for (let turn = 0; turn < 5; turn++) await yieldToEventLoop();

  assert.deepEqual(events, []);
  release.resolve();
  await stopping;

  assert.deepEqual(events, ["task finished", "stopped"]);
  assert.equal(resultOf(await run, "slow").value, "done");
});

Deno.test("stop waits for every session run", async () => {
  const releases = [Promise.withResolvers<void>(), Promise.withResolvers<void>()];
  const finished: number[] = [];
  const runtime = createRuntime(defineRuntime([
    task({ id: "wait" }, async (ctx) => {
      const index = ctx.input as number;
      await releases[index].promise;
      finished.push(index);
    }),
  ]));
  await runtime.start();

  const runs = [runtime.run(0), runtime.run(1)];
  let stopped = false;
  const stopping = runtime.stop().then(() => stopped = true);
  releases[1].resolve();
  await runs[1];
  await yieldToEventLoop();
  assert.equal(stopped, false);
  releases[0].resolve();
  await stopping;

  assert.deepEqual(finished, [1, 0]);
  await Promise.all(runs);
});

Deno.test("run after stop uses one-shot session", async () => {
  const { runtime, calls } = countingRuntime();
  await runtime.start();
  await runtime.run("a");

  const stopping = runtime.stop();
  const afterStop = await runtime.run("a");
  await stopping;

  assert.equal(resultOf(afterStop, "lookup").cache, "miss");
  assert.equal(calls(), 2);
});

Deno.test("start while stopping opens new session", async () => {
  const release = Promise.withResolvers<void>();
  const started = Promise.withResolvers<void>();
  let cachedCalls = 0;
  const runtime = createRuntime(defineRuntime([
    task({ id: "cached" }, [cache.use("memory:session"), () => ++cachedCalls]),
    task({ id: "slow" }, async (ctx) => {
      if (ctx.input !== "hold") return;
      started.resolve();
      await release.promise;
    }),
  ]));
  await runtime.start();
  const heldRun = runtime.run("hold");
  await started.promise;

  const order: string[] = [];
  const stopping = runtime.stop().then(() => order.push("stopped"));
  const restarting = runtime.start().then(() => order.push("started"));
  release.resolve();
  await Promise.all([heldRun, stopping, restarting]);

  assert.deepEqual(order, ["stopped", "started"]);
  assert.equal(runtime.started, true);
  const fresh = await runtime.run("hold-free");
  await runtime.stop();
  assert.equal(resultOf(fresh, "cached").cache, "miss");
  assert.equal(cachedCalls, 2);
});

Deno.test("start and stop are idempotent", async () => {
  const { runtime, calls } = countingRuntime();

  await runtime.stop();
  await runtime.start();
  await runtime.run("a");
  await runtime.start();
  const second = await runtime.run("a");
  await runtime.stop();
  await runtime.stop();

  assert.equal(resultOf(second, "lookup").cache, "hit");
  assert.equal(calls(), 1);
  assert.equal(runtime.started, false);
});
