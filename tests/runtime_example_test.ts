// The API reference's example uses async functions without await; it is kept word for word.
// deno-lint-ignore-file require-await
import assert from "node:assert/strict";
import {
  branch,
  cache,
  compose,
  createRuntime,
  defineRuntime,
  parallel,
  type RuntimeRunResult,
  task,
} from "@async/pipeline/runtime";

/** Runs the runtime example of the API reference, word for word, and returns what it built. */
async function referenceExample() {
  const work = defineRuntime([
    task(
      { id: "verify" },
      compose(
        async (ctx, next) => {
          ctx.state.started = true;
          return next();
        },
        [
          async (_ctx, next) => next(),
          async (_ctx, next) => next(),
        ],
        parallel([
          async () => "typecheck",
          async () => "test",
        ]),
        branch(
          (ctx) => Boolean(ctx.input),
          async () => "with-input",
          async () => "without-input",
        ),
      ),
    ),
    task({ id: "sync", dependsOn: ["verify"] }, [
      cache.use("memory:session"),
      async (ctx, next) => {
        ctx.state.synced = true;
        return next();
      },
    ]),
  ]);

  const runtime = createRuntime(work);
  const result = await runtime.run();
  await runtime.start();
  await runtime.stop();

  return { work, runtime, result };
}

function taskResult(result: RuntimeRunResult, id: string) {
  const found = result.tasks.find((entry) => entry.id === id);
  assert.ok(found, `no result for task "${id}"`);
  return found;
}

Deno.test("reference example run result", async () => {
  const { result } = await referenceExample();

  assert.equal(result.status, "passed");
  assert.deepEqual(result.tasks.map((entry) => entry.id), ["verify", "sync"]);
  assert.deepEqual(result.state, { started: true, synced: true });

  const verify = taskResult(result, "verify");
  assert.equal(verify.status, "passed");
  assert.equal(verify.value, "without-input");
  assert.equal(verify.error, undefined);
  assert.equal(verify.cache, undefined);
  assert.equal(typeof verify.durationMs, "number");

  const sync = taskResult(result, "sync");
  assert.equal(sync.status, "passed");
  assert.equal(sync.value, undefined);
  assert.equal(sync.cache, "miss");
});

Deno.test("reference example session lifecycle", async () => {
  const { runtime } = await referenceExample();

  assert.equal(runtime.started, false);
  await runtime.start();
  assert.equal(runtime.started, true);
  await runtime.stop();
  assert.equal(runtime.started, false);
});

Deno.test("reference example branch with input", async () => {
  const { runtime } = await referenceExample();

  const result = await runtime.run({ ref: "main" });

  assert.equal(taskResult(result, "verify").value, "with-input");
  assert.deepEqual(result.state, { started: true, synced: true });
});

Deno.test("reference example caches sync in session", async () => {
  const { runtime } = await referenceExample();
  await runtime.start();

  const first = await runtime.run();
  const second = await runtime.run();
  await runtime.stop();

  assert.equal(taskResult(first, "sync").cache, "miss");
  assert.equal(taskResult(second, "sync").cache, "hit");
  assert.equal(taskResult(second, "sync").status, "passed");
  // A cache hit skips the handler, so it does not set state.synced again.
  assert.deepEqual(second.state, { started: true });
  assert.notEqual(first.runId, second.runId);
});

Deno.test("reference example inspection", async () => {
  const { work, runtime } = await referenceExample();

  assert.deepEqual(work.order, ["verify", "sync"]);
  assert.deepEqual(work.tasks.map((entry) => entry.id), ["verify", "sync"]);
  assert.deepEqual(runtime.inspect(), {
    order: ["verify", "sync"],
    tasks: [
      {
        id: "verify",
        dependsOn: [],
        directives: [],
        steps: {
          type: "compose",
          items: [
            { type: "function", name: "anonymous" },
            {
              type: "compose",
              items: [
                { type: "function", name: "anonymous" },
                { type: "function", name: "anonymous" },
              ],
            },
            {
              type: "parallel",
              concurrency: Infinity,
              items: [
                { type: "function", name: "anonymous" },
                { type: "function", name: "anonymous" },
              ],
            },
            {
              type: "branch",
              predicate: "anonymous",
              whenTrue: { type: "function", name: "anonymous" },
              whenFalse: { type: "function", name: "anonymous" },
            },
          ],
        },
      },
      {
        id: "sync",
        dependsOn: ["verify"],
        directives: [{ type: "cache", ref: "memory:session" }],
        cache: "memory:session",
        steps: { type: "compose", items: [{ type: "function", name: "anonymous" }] },
      },
    ],
  });
});
