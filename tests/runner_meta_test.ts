import assert from "node:assert/strict";
import { readFile, rm } from "node:fs/promises";
import { definePipeline, env, job, task } from "../mod.ts";
import type { TaskContext } from "../mod.ts";
import { createRunId, RunRecordStore } from "../node/records.ts";
import { Redactor } from "../node/redact.ts";
import { MAX_META_DEPTH, nestedDeeperThan } from "../node/meta_depth.ts";
import { runJob } from "../node/mod.ts";
import type { ExecutionRecord } from "../node/types.ts";
import {
  baseEnv,
  makeProject,
  readLatestRecord,
  readRunFiles,
  runCli,
} from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

/** Builds a job with a task that records `values` and an independent task that passes. */
function metaPipeline(values: () => Record<string, unknown>) {
  return definePipeline({
    name: "meta",
    tasks: {
      record: task({ cache: false, run: (ctx: TaskContext) => ctx.meta(values()) }),
      other: task({ cache: false, run: (ctx: TaskContext) => ctx.meta({ fine: true }) }),
    },
    jobs: { j: job({ target: ["record", "other"] }) },
  });
}

async function runMeta(values: () => Record<string, unknown>): Promise<ExecutionRecord> {
  const cwd = await tempDir();
  return await runJob(metaPipeline(values), { id: "j", cwd, env: baseEnv(), concurrency: 1 });
}

function taskResult(record: ExecutionRecord, id: string) {
  return record.tasks.find((entry) => entry.id === id)!;
}

Deno.test("ctx.meta with a bigint fails only its task", async () => {
  const record = await runMeta(() => ({ n: 10n }));
  assert.equal(record.status, "failed");
  assert.equal(taskResult(record, "record").status, "failed");
  assert.equal(taskResult(record, "record").error?.code, "ASYNC_PIPELINE_INVALID_FIELD");
  assert.equal(taskResult(record, "other").status, "passed");
  assert.deepEqual(taskResult(record, "other").meta, { fine: true });
});

Deno.test("ctx.meta names the key path and the fix", async () => {
  const record = await runMeta(() => ({ build: { sizes: [1, 2n] } }));
  const message = taskResult(record, "record").error!.message;
  assert.match(message, /ctx\.meta: key "build\.sizes\[1\]" is a bigint/);
  assert.match(
    message,
    /meta values must be JSON data: strings, numbers, booleans, null, arrays and plain objects/,
  );
  assert.match(message, /String\(value\) or Number\(value\)/);
});

Deno.test("ctx.meta rejects a circular reference", async () => {
  const circ: Record<string, unknown> = { name: "loop" };
  circ.self = circ;
  const record = await runMeta(() => ({ circ }));
  assert.equal(taskResult(record, "record").error?.code, "ASYNC_PIPELINE_INVALID_FIELD");
  assert.match(taskResult(record, "record").error!.message, /key "circ\.self" refers back/);
});

Deno.test("ctx.meta rejects values JSON cannot hold", async () => {
  const cases: [string, unknown, RegExp][] = [
    ["function", () => 1, /key "v" is a function/],
    ["symbol", Symbol("s"), /key "v" is a symbol/],
    ["map", new Map([[1, 2]]), /key "v" is a Map.*Object\.fromEntries/],
    ["set", new Set([1]), /key "v" is a Set.*\[\.\.\.set\]/],
    ["class instance", new (class Point {})(), /key "v" is a Point/],
  ];
  for (const [name, value, expected] of cases) {
    const record = await runMeta(() => ({ v: value }));
    const result = taskResult(record, "record");
    assert.equal(result.status, "failed", name);
    assert.match(result.error!.message, expected, name);
  }
});

/** Returns an array nested `levels` deep, as `JSON.parse` would build it. */
function nested(levels: number): unknown[] {
  return JSON.parse("[".repeat(levels) + "]".repeat(levels));
}

Deno.test("ctx.meta rejects a value nested 5000 levels deep", async () => {
  const record = await runMeta(() => ({ deep: nested(5000) }));
  const result = taskResult(record, "record");
  assert.equal(result.status, "failed");
  assert.equal(result.error?.code, "ASYNC_PIPELINE_INVALID_FIELD");
  assert.match(
    result.error!.message,
    /ctx\.meta: key "deep" contains arrays or objects nested more than 100 levels deep/,
  );
  assert.equal(taskResult(record, "other").status, "passed");
});

Deno.test("ctx.meta rejects 101 levels of objects", async () => {
  let value: Record<string, unknown> = {};
  for (let level = 1; level < 101; level++) value = { child: value };
  const record = await runMeta(() => ({ tree: value }));
  assert.match(taskResult(record, "record").error!.message, /key "tree" contains .* 100 levels/);
});

Deno.test("ctx.meta keeps a value nested 100 levels deep, masked", async () => {
  const pipeline = definePipeline({
    name: "meta",
    tasks: {
      t: task({
        cache: false,
        run: (ctx) => {
          const value = nested(100);
          let innermost = value;
          while (innermost.length > 0) innermost = innermost[0] as unknown[];
          innermost.push(`token ${ctx.env.TOKEN}`);
          ctx.meta({ deep: value });
        },
      }),
    },
    jobs: { j: job({ target: "t", env: { TOKEN: env.secret("META_TOKEN") } }) },
  });
  const cwd = await tempDir();
  const options = { id: "j", cwd, env: baseEnv({ META_TOKEN: "meta-secret-value" }) };
  const record = await runJob(pipeline, options);
  assert.equal(record.tasks[0].status, "passed", record.tasks[0].error?.message);
  const expected = nested(100);
  let innermost = expected;
  while (innermost.length > 0) innermost = innermost[0] as unknown[];
  innermost.push("token ***");
  assert.deepEqual(record.tasks[0].meta, { deep: expected });
  const { dir } = await readLatestRecord(cwd);
  assert.ok(!(await readRunFiles(dir)).includes("meta-secret-value"));
});

Deno.test("ctx.meta keeps what JSON keeps", async () => {
  const record = await runMeta(() => ({
    d: new Date(0),
    u: undefined,
    list: [undefined, 1, Number.NaN],
    nested: { gone: undefined, kept: null },
  }));
  assert.equal(taskResult(record, "record").status, "passed");
  assert.deepEqual(taskResult(record, "record").meta, {
    d: "1970-01-01T00:00:00.000Z",
    list: [null, 1, null],
    nested: { kept: null },
  });
});

Deno.test("ctx.meta with undefined removes an earlier key", async () => {
  const pipeline = definePipeline({
    name: "meta",
    tasks: {
      t: task({
        cache: false,
        run: (ctx) => {
          ctx.meta({ a: 1, b: 2 });
          ctx.meta({ a: undefined });
        },
      }),
    },
    jobs: { j: job({ target: "t" }) },
  });
  const record = await runJob(pipeline, { id: "j", cwd: await tempDir(), env: baseEnv() });
  assert.deepEqual(record.tasks[0].meta, { b: 2 });
});

Deno.test("the CLI records a bigint meta as a failed task", async () => {
  const cwd = await makeProject(`import { definePipeline, job, task } from "@mod";
export default definePipeline({
  name: "meta",
  tasks: {
    big: task({ cache: false, run: (ctx) => ctx.meta({ n: 10n }) }),
    fine: task({ cache: false, run: () => {} }),
  },
  jobs: { j: job({ target: ["big", "fine"] }) },
});
`);
  const result = await runCli(cwd, ["run", "j", "--concurrency", "2"]);
  assert.equal(result.code, 1);
  assert.doesNotMatch(result.stderr, /INTERNAL/);
  const { record } = await readLatestRecord(cwd);
  assert.equal(record.status, "failed");
  assert.deepEqual(record.tasks.map((entry) => [entry.id, entry.status]), [
    ["big", "failed"],
    ["fine", "passed"],
  ]);
});

Deno.test("the CLI reports a meta value nested too deep without a stack overflow", async () => {
  const cwd = await makeProject(`import { definePipeline, job, task } from "@mod";
export default definePipeline({
  name: "meta",
  tasks: {
    deep: task({
      cache: false,
      run: (ctx) => ctx.meta({ deep: JSON.parse("[".repeat(5000) + "]".repeat(5000)) }),
    }),
  },
  jobs: { j: job({ target: "deep" }) },
});
`);
  const result = await runCli(cwd, ["run", "j", "--format", "json"]);
  assert.equal(result.code, 1);
  assert.doesNotMatch(result.stdout + result.stderr, /Maximum call stack|INTERNAL/);
  const printed = JSON.parse(result.stdout);
  assert.equal(printed.tasks[0].error.code, "ASYNC_PIPELINE_INVALID_FIELD");
  assert.match(printed.tasks[0].error.message, /key "deep" contains .* 100 levels deep/);
});

function bareRecord(dir: string, id: string, meta: Record<string, unknown>): ExecutionRecord {
  return {
    schemaVersion: 1,
    id,
    pipelineName: "p",
    jobId: "j",
    cwd: dir,
    pid: 1,
    startedAt: "2024-01-01T00:00:00.000Z",
    status: "passed",
    mode: "manual",
    tasks: [{ id: "t", status: "passed", attempts: 1, attemptLog: [], cacheHit: false, meta }],
  };
}

Deno.test("a record with metadata JSON cannot hold is still written", async () => {
  const dir = await tempDir();
  const id = createRunId();
  const store = new RunRecordStore(dir, id, new Redactor([]));
  await store.create();
  await store.write(bareRecord(dir, id, { n: 10n }));
  const written = JSON.parse(await readFile(store.recordPath, "utf8"));
  assert.equal(written.status, "passed");
  assert.deepEqual(written.tasks[0].meta, {});
  assert.match(written.tasks[0].warnings[0], /metadata was left out of the record: .*BigInt/);
});

Deno.test("a failed record write names the record", async () => {
  const dir = await tempDir();
  const id = createRunId();
  const store = new RunRecordStore(dir, id, new Redactor([]));
  await store.create();
  await rm(store.dir, { recursive: true });
  await assert.rejects(store.write(bareRecord(dir, id, {})), (error: Error & { code?: string }) => {
    assert.equal(error.code, "ASYNC_PIPELINE_IO_FAILED");
    assert.ok(error.message.includes(store.recordPath), error.message);
    return true;
  });
});

Deno.test("nestedDeeperThan counts levels below the value", () => {
  assert.equal(nestedDeeperThan({ a: nested(4) }, 4), false);
  assert.equal(nestedDeeperThan({ a: nested(5) }, 4), true);
  assert.equal(nestedDeeperThan("text", 0), false);
});

Deno.test("nestedDeeperThan checks 200000 levels and ends on a cycle", () => {
  assert.equal(nestedDeeperThan(nested(200_000), MAX_META_DEPTH), true);
  const loop: Record<string, unknown> = {};
  loop.self = loop;
  assert.equal(nestedDeeperThan(loop, MAX_META_DEPTH), true);
});
