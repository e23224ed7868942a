import assert from "node:assert/strict";
import { ErrorCode, type PipelineError } from "../core/errors.ts";
import { definePipeline, job, sh, task as pipelineTask } from "../mod.ts";
import {
  cache,
  compose,
  createRuntime,
  defineRuntime,
  parallel,
  type RuntimeDefinition,
  type RuntimeTask,
  type RuntimeTaskConfig,
  task,
} from "../runtime/mod.ts";

function catchError(fn: () => unknown): PipelineError {
  try {
    fn();
  } catch (error) {
    return error as PipelineError;
  }
  assert.fail("expected an error");
}

const noop = () => undefined;

Deno.test("defineRuntime rejects duplicate ids", () => {
  const error = catchError(() =>
    defineRuntime([
      task({ id: "build" }, noop),
      task({ id: "test" }, noop),
      task({ id: "build" }, noop),
    ])
  );

  assert.equal(error.code, ErrorCode.DUPLICATE_ID);
  assert.equal(error.path, "tasks[2].id");
  assert.match(error.message, /duplicate task id "build", already used by tasks\[0\]/);
});

Deno.test("defineRuntime rejects unknown dependencies", () => {
  const error = catchError(() =>
    defineRuntime([
      task({ id: "build" }, noop),
      task({ id: "test", dependsOn: ["biuld"] }, noop),
    ])
  );

  assert.equal(error.code, ErrorCode.UNKNOWN_TASK);
  assert.equal(error.path, "tasks.test.dependsOn");
  assert.match(error.message, /unknown task "biuld"/);
  assert.equal(error.hint, 'Did you mean "build"?');
});

Deno.test("defineRuntime rejects dependency cycles", () => {
  const error = catchError(() =>
    defineRuntime([
      task({ id: "a", dependsOn: ["c"] }, noop),
      task({ id: "b", dependsOn: ["a"] }, noop),
      task({ id: "c", dependsOn: ["b"] }, noop),
    ])
  );

  assert.equal(error.code, ErrorCode.DEPENDENCY_CYCLE);
  assert.equal(error.path, "tasks.a.dependsOn");
  assert.match(error.message, /dependency cycle: a -> c -> b -> a\./);
});

Deno.test("defineRuntime rejects self dependency", () => {
  const error = catchError(() => defineRuntime([task({ id: "loop", dependsOn: ["loop"] }, noop)]));

  assert.equal(error.code, ErrorCode.DEPENDENCY_CYCLE);
  assert.match(error.message, /loop -> loop/);
});

Deno.test("defineRuntime reports every problem", () => {
  const error = catchError(() =>
    defineRuntime([
      task({ id: "a", dependsOn: ["b"] }, noop),
      task({ id: "b", dependsOn: ["a", "missing"] }, noop),
      task({ id: "a" }, noop),
    ])
  );

  assert.deepEqual(error.issues.map((issue) => issue.code), [
    ErrorCode.DUPLICATE_ID,
    ErrorCode.UNKNOWN_TASK,
    ErrorCode.DEPENDENCY_CYCLE,
  ]);
  assert.equal(error.code, ErrorCode.INVALID_PIPELINE);
  assert.match(error.message, /Invalid runtime definition: 3 problems found/);
});

Deno.test("defineRuntime codes match pipeline layer", () => {
  const pipelineUnknown = catchError(() =>
    definePipeline({
      name: "app",
      tasks: { test: pipelineTask({ dependsOn: ["missing"] }, sh`true`) },
      jobs: { verify: job({ target: "test" }) },
    })
  );
  const runtimeUnknown = catchError(() =>
    defineRuntime([task({ id: "test", dependsOn: ["missing"] }, noop)])
  );
  assert.equal(runtimeUnknown.code, pipelineUnknown.code);

  const pipelineCycle = catchError(() =>
    definePipeline({
      name: "app",
      tasks: {
        a: pipelineTask({ dependsOn: ["b"] }, sh`true`),
        b: pipelineTask({ dependsOn: ["a"] }, sh`true`),
      },
      jobs: { verify: job({ target: "a" }) },
    })
  );
  const runtimeCycle = catchError(() =>
    defineRuntime([
      task({ id: "a", dependsOn: ["b"] }, noop),
      task({ id: "b", dependsOn: ["a"] }, noop),
    ])
  );
  assert.equal(runtimeCycle.code, pipelineCycle.code);
  assert.equal(runtimeCycle.message, pipelineCycle.message);
});

Deno.test("defineRuntime rejects pipeline tasks", () => {
  const error = catchError(() =>
    defineRuntime([pipelineTask({}, sh`true`) as unknown as RuntimeTask])
  );

  assert.equal(error.code, ErrorCode.RUNTIME_INVALID_ITEM);
  assert.equal(error.path, "tasks[0]");
  assert.match(error.hint ?? "", /Import task from "@async\/pipeline\/runtime"/);
});

Deno.test("defineRuntime rejects non-array input", () => {
  const error = catchError(() => defineRuntime({} as unknown as RuntimeTask[]));

  assert.equal(error.code, ErrorCode.INVALID_FIELD);
  assert.match(error.message, /tasks is an object, expected an array/);
});

Deno.test("defineRuntime orders by dependencies", () => {
  const definition = defineRuntime([
    task({ id: "deploy", dependsOn: ["test", "build"] }, noop),
    task({ id: "test", dependsOn: ["build"] }, noop),
    task({ id: "lint" }, noop),
    task({ id: "build" }, noop),
  ]);

  assert.deepEqual(definition.order, ["build", "lint", "test", "deploy"]);
  assert.deepEqual(definition.tasks.map((entry) => entry.id), ["deploy", "test", "lint", "build"]);
  assert.ok(Object.isFrozen(definition));
  assert.ok(Object.isFrozen(definition.tasks));
});

Deno.test("runtime task validates config", () => {
  const cases: Array<{ config: unknown; code: string; path: string; message: RegExp }> = [
    {
      config: {},
      code: ErrorCode.INVALID_FIELD,
      path: "task.id",
      message: /id must be a string, got undefined/,
    },
    {
      config: { id: "has space" },
      code: ErrorCode.INVALID_FIELD,
      path: 'tasks["has space"].id',
      message: /"has space" is not a valid task id/,
    },
    {
      config: { id: "a", dependOn: ["b"] },
      code: ErrorCode.UNKNOWN_FIELD,
      path: "tasks.a.dependOn",
      message: /unknown field "dependOn"/,
    },
    {
      config: { id: "a", dependsOn: "b" },
      code: ErrorCode.INVALID_FIELD,
      path: "tasks.a.dependsOn",
      message: /dependsOn must be an array of task ids/,
    },
    {
      config: { id: "a", description: 3 },
      code: ErrorCode.INVALID_FIELD,
      path: "tasks.a.description",
      message: /description must be a string/,
    },
  ];
  for (const { config, code, path, message } of cases) {
    const error = catchError(() => task(config as RuntimeTaskConfig, noop));
    assert.equal(error.code, code, JSON.stringify(config));
    assert.equal(error.path, path, JSON.stringify(config));
    assert.match(error.message, message);
  }
});

Deno.test("runtime task suggests field names", () => {
  const error = catchError(() => task({ id: "a", dependOn: ["b"] } as RuntimeTaskConfig, noop));

  assert.equal(error.hint, 'Did you mean "dependsOn"?');
  assert.equal(
    error.message,
    'tasks.a.dependOn: unknown field "dependOn". Did you mean "dependsOn"?',
  );
});

Deno.test("runtime task rejects invalid handlers", () => {
  const missing = catchError(() => task({ id: "a" }, undefined as unknown as () => void));
  assert.equal(missing.code, ErrorCode.INVALID_FIELD);
  assert.match(missing.message, /the task has no handler/);

  const text = catchError(() => task({ id: "a" }, "npm test" as unknown as () => void));
  assert.equal(text.code, ErrorCode.RUNTIME_INVALID_ITEM);
  assert.equal(text.path, "tasks.a.handler");
  assert.match(
    text.message,
    /^tasks\.a\.handler: expected a middleware function .*, got a string\.$/,
  );

  const nested = catchError(() => task({ id: "a" }, [noop, [noop, 7 as unknown as () => void]]));
  assert.equal(nested.code, ErrorCode.RUNTIME_INVALID_ITEM);
  assert.equal(nested.path, "tasks.a.handler[1][1]");

  const afterDirective = catchError(() =>
    task({ id: "a" }, [cache.use("memory:session"), noop, null as unknown as () => void])
  );
  assert.equal(afterDirective.path, "tasks.a.handler[2]");

  const onlyDirectives = catchError(() => task({ id: "a" }, [cache.use("memory:session")]));
  assert.equal(onlyDirectives.code, ErrorCode.INVALID_FIELD);
  assert.match(onlyDirectives.message, /no middleware to run/);
});

Deno.test("runtime task rejects unsupported cache refs", () => {
  const file = catchError(() =>
    task({ id: "a" }, [{ kind: "directive", type: "cache", ref: "file:local" }, noop])
  );
  assert.equal(file.code, ErrorCode.UNKNOWN_CACHE_STORE);
  assert.equal(file.path, "tasks.a.handler[0]");
  assert.match(file.message, /names store "file", which the runtime does not provide/);
  assert.match(file.hint ?? "", /cache\.use\("memory:session"\)/);

  const scope = catchError(() =>
    task({ id: "a" }, [{ kind: "directive", type: "cache", ref: "memory:run" }, noop])
  );
  assert.equal(scope.code, ErrorCode.INVALID_FIELD);
  assert.match(scope.message, /cache ref "memory:run" is not supported/);

  const twice = catchError(() =>
    task({ id: "a" }, [cache.use("memory:session"), cache.use("memory:session"), noop])
  );
  assert.equal(twice.code, ErrorCode.INVALID_FIELD);
  assert.match(twice.message, /more than one cache\.use/);
});

Deno.test("runtime cache.use validates refs", () => {
  assert.deepEqual(cache.use("memory:session"), {
    kind: "directive",
    type: "cache",
    ref: "memory:session",
  });
  assert.equal(catchError(() => cache.use("file:local")).code, ErrorCode.UNKNOWN_CACHE_STORE);
  assert.equal(catchError(() => cache.use("memory")).code, ErrorCode.INVALID_FIELD);
  assert.equal(catchError(() => cache.use("")).code, ErrorCode.INVALID_FIELD);
  assert.equal(
    catchError(() => cache.use("memroy:session")).hint,
    'Did you mean "memory:session"?',
  );
});

Deno.test("runtime task rejects unknown directives", () => {
  const error = catchError(() =>
    task({ id: "a" }, [{ kind: "directive", type: "dependsOn", ids: ["b"] } as never, noop])
  );

  assert.equal(error.code, ErrorCode.RUNTIME_INVALID_ITEM);
  assert.match(error.message, /^tasks\.a\.handler\[0\]: .*got a dependsOn directive\./);
});

Deno.test("inspection runs nothing", () => {
  let calls = 0;
  const count = () => {
    calls++;
    return calls;
  };
  const definition: RuntimeDefinition = defineRuntime([
    task({ id: "fetch", description: "Fetch rows" }, function fetchRows() {
      return count();
    }),
    task({ id: "report", dependsOn: ["fetch"] }, [
      cache.use("memory:session"),
      compose(parallel({ concurrency: 2 }, [count, count]), count),
    ]),
  ]);

  const info = createRuntime(definition).inspect();

  assert.equal(calls, 0);
  assert.deepEqual(info.order, ["fetch", "report"]);
  assert.deepEqual(info.tasks[0], {
    id: "fetch",
    description: "Fetch rows",
    dependsOn: [],
    directives: [],
    steps: { type: "function", name: "fetchRows" },
  });
  assert.deepEqual(info.tasks[1], {
    id: "report",
    dependsOn: ["fetch"],
    directives: [{ type: "cache", ref: "memory:session" }],
    cache: "memory:session",
    steps: {
      type: "compose",
      items: [{
        type: "compose",
        items: [
          {
            type: "parallel",
            concurrency: 2,
            items: [{ type: "function", name: "count" }, { type: "function", name: "count" }],
          },
          { type: "function", name: "count" },
        ],
      }],
    },
  });
  assert.equal(JSON.stringify(info).includes("fetchRows"), true);
  assert.equal(definition.tasks[1].dependsOn[0], "fetch");
  assert.deepEqual(definition.tasks[1].directives, [{ type: "cache", ref: "memory:session" }]);
});

Deno.test("createRuntime rejects invalid arguments", () => {
  const notDefinition = catchError(() => createRuntime([] as unknown as RuntimeDefinition));
  assert.equal(notDefinition.code, ErrorCode.INVALID_FIELD);
  assert.match(notDefinition.message, /expected the value of defineRuntime/);

  const definition = defineRuntime([]);
  assert.equal(
    catchError(() => createRuntime(definition, { concurrency: 0 })).code,
    ErrorCode.INVALID_FIELD,
  );
  assert.equal(
    catchError(() => createRuntime(definition, { parallel: 2 } as never)).code,
    ErrorCode.UNKNOWN_FIELD,
  );
});
