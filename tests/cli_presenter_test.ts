import assert from "node:assert/strict";
import { BufferSink } from "../cli/io.ts";
import {
  formatDuration,
  styles,
  taskStatusLine,
  textPresenter,
  useColor,
} from "../cli/presenters/text.ts";
import type { CacheMissReason, ExecutionRecord, TaskResult } from "../node/types.ts";
import { missDetails, missSummary } from "../cli/presenters/miss.ts";
import { printablePath } from "../node/printable.ts";

function result(overrides: Partial<TaskResult>): TaskResult {
  return {
    id: "build",
    status: "passed",
    attempts: 1,
    attemptLog: [],
    cacheHit: false,
    meta: {},
    durationMs: 1234,
    ...overrides,
  };
}

Deno.test("formatDuration picks a unit", () => {
  assert.equal(formatDuration(850), "850ms");
  assert.equal(formatDuration(1234), "1.2s");
  assert.equal(formatDuration(125_000), "2m 05s");
  assert.equal(formatDuration(3 * 3_600_000 + 20 * 60_000), "3h 20m");
  assert.equal(formatDuration(30 * 86_400_000 + 4 * 3_600_000), "30d 04h");
});

Deno.test("formatDuration carries a rounded value into the next unit", () => {
  assert.equal(formatDuration(59_970), "1m 00s");
  assert.equal(formatDuration(3_599_700), "1h 00m");
  assert.equal(formatDuration(86_399_000), "1d 00h");
});

Deno.test("taskStatusLine covers every outcome", () => {
  const plain = styles(false);
  const cases: [Partial<TaskResult>, string][] = [
    [{}, "✓ build passed (1.2s)"],
    [{ attempts: 3 }, "✓ build passed after 3 attempts (1.2s)"],
    [{ cacheHit: true, attempts: 0, durationMs: 5 }, "● build cached (5ms)"],
    [{ status: "failed", exitCode: 2 }, "✗ build failed (1.2s): exit code 2"],
    [{ status: "failed" }, "✗ build failed (1.2s)"],
    [
      {
        status: "failed",
        exitCode: 124,
        attemptLog: [{
          attempt: 1,
          startedAt: "",
          finishedAt: "",
          durationMs: 1,
          exitCode: 124,
          timedOut: true,
        }],
      },
      "✗ build timed out (1.2s)",
    ],
  ];
  for (const [overrides, expected] of cases) {
    assert.equal(taskStatusLine(result(overrides), plain), expected);
  }
});

Deno.test("useColor needs a TTY without NO_COLOR", () => {
  const tty = { isTTY: true, write() {} };
  assert.equal(useColor(tty, {}), true);
  assert.equal(useColor(tty, { NO_COLOR: "1" }), false);
  assert.equal(useColor(tty, { NO_COLOR: "" }), true);
  assert.equal(useColor(new BufferSink(), {}), false);
});

Deno.test("useColor follows TERM and FORCE_COLOR", () => {
  const tty = { isTTY: true, write() {} };
  const cases: [Record<string, string>, boolean, boolean][] = [
    [{ TERM: "dumb" }, false, false],
    [{ FORCE_COLOR: "0" }, false, false],
    [{ FORCE_COLOR: "false" }, false, false],
    [{ FORCE_COLOR: "1" }, true, true],
    [{ FORCE_COLOR: "1", TERM: "dumb" }, true, true],
    [{ FORCE_COLOR: "1", NO_COLOR: "1" }, false, false],
    [{ FORCE_COLOR: "" }, true, false],
  ];
  for (const [env, onTerminal, inPipe] of cases) {
    assert.equal(useColor(tty, env), onTerminal, JSON.stringify(env));
    assert.equal(useColor(new BufferSink(), env), inPipe, JSON.stringify(env));
  }
});

Deno.test("textPresenter prefixes lines and flushes partial ones", () => {
  const sink = new BufferSink();
  const present = textPresenter(sink, { color: false, cwd: "/project" });
  present({ type: "task-output", taskId: "a", stream: "stdout", text: "one\ntw" });
  present({ type: "task-output", taskId: "b", stream: "stderr", text: "other\n" });
  present({ type: "task-output", taskId: "a", stream: "stdout", text: "o\nthree" });
  present({ type: "task-finished", taskId: "a", result: result({ id: "a" }), outputTail: [] });
  assert.equal(
    sink.text(),
    "[a] one\n[b] other\n[a] two\n[a] three\n✓ a passed (1.2s)\n",
  );
});

Deno.test("textPresenter colors only when asked", () => {
  const colored = new BufferSink();
  textPresenter(colored, { color: true, cwd: "/" })({
    type: "task-skipped",
    taskId: "a",
    reason: "x",
  });
  assert.ok(colored.text().includes("\x1b["));
  const plain = new BufferSink();
  textPresenter(plain, { color: false, cwd: "/" })({
    type: "task-skipped",
    taskId: "a",
    reason: "x",
  });
  assert.equal(plain.text(), "○ a skipped: x\n");
});

Deno.test("textPresenter summary lists failures and counts", () => {
  const sink = new BufferSink();
  const present = textPresenter(sink, { color: false, cwd: "/project" });
  const failed = result({
    id: "test",
    status: "failed",
    exitCode: 1,
    error: { code: "ASYNC_PIPELINE_TASK_FAILED", message: 'Task "test" failed.' },
  });
  present({ type: "task-finished", taskId: "test", result: failed, outputTail: ["x", "y"] });
  const record: ExecutionRecord = {
    schemaVersion: 1,
    id: "r",
    pipelineName: "p",
    jobId: "verify",
    cwd: "/project",
    pid: 1,
    startedAt: "",
    status: "failed",
    mode: "manual",
    tasks: [
      result({}),
      result({ id: "c", cacheHit: true }),
      failed,
      result({ id: "s", status: "skipped" }),
    ],
  };
  present({
    type: "run-finished",
    record,
    recordPath: "/project/.async/runs/r/execution.json",
    durationMs: 2000,
  });
  assert.equal(
    sink.text(),
    [
      "✗ test failed (1.2s): exit code 1",
      "",
      'Failed: test: Task "test" failed.',
      "  last 2 lines of output:",
      "  │ x",
      "  │ y",
      "verify failed in 2.0s: 1 passed, 1 cached, 1 failed, 1 skipped",
      "record: .async/runs/r/execution.json",
      "",
    ].join("\n"),
  );
});

Deno.test("textPresenter summary drops colors and quotes control characters", () => {
  const sink = new BufferSink();
  const present = textPresenter(sink, { color: true, cwd: "/project" });
  const failed = result({
    id: "test",
    status: "failed",
    exitCode: 1,
    error: { code: "ASYNC_PIPELINE_TASK_FAILED", message: "failed" },
  });
  const tail = [
    "\x1b[31mred\x1b[0m",
    "progress 10%\rprogress 50%",
    "bin\x00\x07\x9b",
    "tab\tok",
    "up\x1b[2Aclear",
  ];
  present({ type: "task-finished", taskId: "test", result: failed, outputTail: tail });
  present({
    type: "run-finished",
    record: {
      schemaVersion: 1,
      id: "r",
      pipelineName: "p",
      jobId: "verify",
      cwd: "/project",
      pid: 1,
      startedAt: "",
      status: "failed",
      mode: "manual",
      tasks: [failed],
    },
    recordPath: "/project/.async/runs/r/execution.json",
    durationMs: 2000,
  });
  const bar = "\x1b[2m│\x1b[22m";
  const text = sink.text();
  assert.ok(text.includes(`  ${bar} red\n`), text);
  assert.ok(text.includes(`  ${bar} "progress 10%\\rprogress 50%"\n`), text);
  assert.ok(text.includes(`  ${bar} "bin\\u0000\\u0007\\u009b"\n`), text);
  assert.ok(text.includes(`  ${bar} tab\tok\n`), text);
  assert.ok(text.includes(`  ${bar} "up\\u001b[2Aclear"\n`), text);
});

Deno.test("miss text quotes file names with control characters", () => {
  const reason = {
    kind: "changed" as const,
    inputs: { added: ["esc\u001b[31mRED.txt"], removed: [], changed: ["new\nline.txt"] },
    env: [],
    dependencies: [],
    command: false,
    definition: false,
  };
  assert.equal(missSummary(reason), 'input changed: "new\\nline.txt" (+1 more)');
  assert.deepEqual(missDetails(reason).slice(1), [
    '  input changed: "new\\nline.txt"',
    '  input added: "esc\\u001b[31mRED.txt"',
  ]);
  assert.equal(printablePath("src/plain name.ts"), "src/plain name.ts");
  assert.equal(printablePath("csi\u009bname"), '"csi\\u009bname"');
});

Deno.test("miss text names input patterns that match only outputs", () => {
  const reason: CacheMissReason = {
    kind: "uncacheable",
    inputsAreOutputs: true,
    inputPatterns: ["src/**", "lib/**"],
  };
  assert.equal(
    missSummary(reason),
    "its input patterns src/**, lib/** each match only its own outputs",
  );
  assert.match(
    missDetails(reason)[0],
    /^It ran without the cache: its input patterns src\/\*\*, lib\/\*\* each match only files/,
  );
});

Deno.test("miss text of an older record without input patterns", () => {
  const reason = { kind: "uncacheable", inputsAreOutputs: true } as const;
  assert.equal(missSummary(reason), "one of its input patterns matches only its own outputs");
  assert.match(
    missDetails(reason)[0],
    /^It ran without the cache: one of its input patterns matches only files/,
  );
});

/** Presents a failed run of the one task `failed`, with `tail` as its last output lines, and returns the text. */
function presentFailure(failed: TaskResult, tail: string[]): string {
  const sink = new BufferSink();
  const present = textPresenter(sink, { color: false, cwd: "/project" });
  present({ type: "task-finished", taskId: failed.id, result: failed, outputTail: tail });
  present({
    type: "run-finished",
    record: {
      schemaVersion: 1,
      id: "r",
      pipelineName: "p",
      jobId: "verify",
      cwd: "/project",
      pid: 1,
      startedAt: "",
      status: "failed",
      mode: "manual",
      tasks: [failed],
    },
    recordPath: "/project/.async/runs/r/execution.json",
    durationMs: 2000,
  });
  return sink.text();
}

Deno.test("textPresenter summary names the logs of a failure", () => {
  const failed = result({
    id: "test",
    status: "failed",
    exitCode: 1,
    error: { code: "ASYNC_PIPELINE_TASK_FAILED", message: 'Task "test" failed.' },
    logs: { stdout: "logs/test.stdout.log", stderr: "logs/test.stderr.log" },
  });

  const text = presentFailure(failed, ["x"]);

  assert.ok(
    text.includes(
      "  │ x\n  logs: .async/runs/r/logs/test.stdout.log, .async/runs/r/logs/test.stderr.log\n",
    ),
    text,
  );
});

Deno.test("textPresenter summary escapes the failure message", () => {
  const failed = result({
    id: "test",
    status: "failed",
    error: { message: "bad \x1b[31mred\x1b[0m value\x1b]0;title\x07 end\nsecond line" },
  });

  const text = presentFailure(failed, []);

  assert.ok(
    text.includes("Failed: test: bad red value\\u001b]0;title\\u0007 end\nsecond line\n"),
    text,
  );
});
