import assert from "node:assert/strict";
import { definePipeline, job, sh, task } from "../mod.ts";
import { RecordingExecutor, runJob } from "../node/mod.ts";
import { tempDir } from "./support/temp_files.ts";

/** Calls the constructor with options that the type checker would reject. */
function create(...args: unknown[]): RecordingExecutor {
  return new (RecordingExecutor as unknown as new (...args: unknown[]) => RecordingExecutor)(
    ...args,
  );
}

Deno.test("recording options reject a misspelled rule field", () => {
  assert.throws(() => create({ results: [{ match: "pnpm", cod: 1 }] }), {
    code: "ASYNC_PIPELINE_UNKNOWN_FIELD",
    path: "RecordingExecutor.results[0].cod",
    hint: 'Did you mean "code"?',
    message: 'RecordingExecutor.results[0].cod: unknown field "cod". Did you mean "code"?',
  });
});

Deno.test("recording options reject a misspelled option", () => {
  assert.throws(() => create({ result: [] }), {
    code: "ASYNC_PIPELINE_UNKNOWN_FIELD",
    path: "RecordingExecutor.result",
    hint: 'Did you mean "results"?',
  });
});

Deno.test("recording options list valid fields for a distant name", () => {
  assert.throws(() => create({ results: [{ match: "x", exitStatus: 1 }] }), {
    code: "ASYNC_PIPELINE_UNKNOWN_FIELD",
    hint: "Valid fields: match, code, stdout, stderr, timedOut, times.",
  });
});

Deno.test("recording options reject a number as match", () => {
  assert.throws(() => create({ results: [{ match: 5, code: 1 }] }), {
    code: "ASYNC_PIPELINE_INVALID_FIELD",
    path: "RecordingExecutor.results[0].match",
    message: /match must be a string that the command contains or a RegExp, got number/,
  });
});

Deno.test("recording options reject a rule without match", () => {
  assert.throws(() => create({ results: [{ code: 1 }] }), {
    code: "ASYNC_PIPELINE_INVALID_FIELD",
    path: "RecordingExecutor.results[0].match",
  });
});

Deno.test("recording options reject tools as a string", () => {
  assert.throws(() => create({ tools: "node pnpm" }), {
    code: "ASYNC_PIPELINE_INVALID_FIELD",
    path: "RecordingExecutor.tools",
    hint: 'Write tools: ["node", "pnpm"].',
  });
});

Deno.test("recording options reject a tool that is not a string", () => {
  assert.throws(() => create({ tools: ["node", 1] }), {
    code: "ASYNC_PIPELINE_INVALID_FIELD",
    path: "RecordingExecutor.tools",
  });
});

Deno.test("recording options reject results that are not an array", () => {
  assert.throws(() => create({ results: { match: "x" } }), {
    code: "ASYNC_PIPELINE_INVALID_FIELD",
    path: "RecordingExecutor.results",
  });
});

Deno.test("recording options reject a rule that is not an object", () => {
  assert.throws(() => create({ results: ["npm test"] }), {
    code: "ASYNC_PIPELINE_INVALID_FIELD",
    path: "RecordingExecutor.results[0]",
  });
});

Deno.test("recording options check the type of each rule field", () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ code: "1" }, "code"],
    [{ code: 1.5 }, "code"],
    [{ code: -1 }, "code"],
    [{ code: 256 }, "code"],
    [{ stdout: 1 }, "stdout"],
    [{ stderr: ["x"] }, "stderr"],
    [{ timedOut: "yes" }, "timedOut"],
    [{ times: 0 }, "times"],
    [{ times: 1.5 }, "times"],
  ];
  for (const [fields, field] of cases) {
    assert.throws(() => create({ results: [{ match: "x", ...fields }] }), {
      code: "ASYNC_PIPELINE_INVALID_FIELD",
      path: `RecordingExecutor.results[0].${field}`,
    }, JSON.stringify(fields));
  }
});

Deno.test("recording options report every problem at once", () => {
  assert.throws(() => create({ results: [{ match: 5, cod: 1 }], tools: "node" }), (error) => {
    const issues = (error as { issues: { code: string; path: string }[] }).issues;
    assert.deepEqual(issues.map((issue) => [issue.code, issue.path]), [
      ["ASYNC_PIPELINE_UNKNOWN_FIELD", "RecordingExecutor.results[0].cod"],
      ["ASYNC_PIPELINE_INVALID_FIELD", "RecordingExecutor.results[0].match"],
      ["ASYNC_PIPELINE_INVALID_FIELD", "RecordingExecutor.tools"],
    ]);
    return true;
  });
});

Deno.test("recording options reject a non-object", () => {
  assert.throws(() => create("npm test"), {
    code: "ASYNC_PIPELINE_INVALID_FIELD",
    message: /the options must be an object, got string/,
  });
  assert.throws(() => create(null), { code: "ASYNC_PIPELINE_INVALID_FIELD" });
});

Deno.test("recording options reject a second argument", () => {
  assert.throws(() => create({}, { tools: [] }), {
    code: "ASYNC_PIPELINE_INVALID_FIELD",
    message: /takes at most 1 argument, got 2/,
  });
});

Deno.test("recording options accept every documented field", () => {
  const executor = create({
    results: [
      { match: "a", code: 1, stdout: "", stderr: "", times: 1 },
      { match: /b/, timedOut: true },
      { match: "c", code: undefined },
    ],
    tools: ["node"],
  });
  assert.equal(executor.name, "recording");
  assert.equal(create().name, "recording");
  assert.equal(create(undefined).name, "recording");
});

Deno.test("recording rule with the g flag matches every command", async () => {
  const cwd = await tempDir();
  const pipeline = definePipeline({
    name: "app",
    tasks: { test: task({ retry: { attempts: 2, delayMs: 0 }, run: sh`npm test` }) },
    jobs: { test: job({ target: "test" }) },
  });
  const executor = new RecordingExecutor({ results: [{ match: /npm test/g, code: 3 }] });

  const record = await runJob(pipeline, { id: "test", cwd, executor, env: {} });

  assert.equal(executor.calls.length, 2);
  assert.deepEqual(record.tasks[0].attemptLog.map((attempt) => attempt.exitCode), [3, 3]);
});
