import assert from "node:assert/strict";
import {
  cache,
  command,
  defineCache,
  definePipeline,
  env,
  ErrorCode,
  fileCache,
  job,
  memoryCache,
  redisCache,
  sandbox,
  sh,
  source,
  task,
  trigger,
} from "../mod.ts";

// Calls a builder the way an unchecked pipeline file can: with any arguments.
// deno-lint-ignore no-explicit-any
type AnyBuilder = (...args: any[]) => unknown;

function rejects(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (error: Error & { code?: string; hint?: string }) => {
    assert.equal(error.code, code);
    assert.match(error.message, message);
    assert.match(error.hint ?? "", /^Remove the extra argument/);
    return true;
  });
}

Deno.test("trigger.manual rejects options", () => {
  const manual = trigger.manual as AnyBuilder;
  assert.throws(
    () => manual({ inputs: { level: { type: "string" } } }),
    (error: Error & { code?: string; hint?: string }) => {
      assert.equal(error.code, ErrorCode.UNKNOWN_FIELD);
      assert.equal(error.message, 'trigger.manual: unknown field "inputs".');
      assert.match(error.hint ?? "", /workflow_dispatch inputs are not supported/);
      return true;
    },
  );
  rejects(
    () => manual("nightly"),
    ErrorCode.INVALID_TRIGGER,
    /trigger\.manual takes no arguments, got 1/,
  );
  assert.deepEqual(manual(undefined), { kind: "manual" });
});

Deno.test("trigger builders reject extra arguments", () => {
  rejects(
    () => (trigger.cron as AnyBuilder)("0 9 * * 1", { timezone: "Europe/Paris" }),
    ErrorCode.INVALID_TRIGGER,
    /trigger\.cron takes at most 1 argument, got 2/,
  );
  rejects(
    () => (trigger.schedule as AnyBuilder)("0 9 * * 1", "0 10 * * 1"),
    ErrorCode.INVALID_TRIGGER,
    /trigger\.cron takes at most 1 argument/,
  );
  rejects(
    () => (trigger.github as AnyBuilder)({ events: ["push"] }, { branches: ["main"] }),
    ErrorCode.INVALID_TRIGGER,
    /trigger\.github takes at most 1 argument, got 2/,
  );
});

Deno.test("hand-written triggers reject unknown fields", () => {
  assert.throws(
    () =>
      definePipeline({
        name: "app",
        triggers: {
          m: { kind: "manual", inputs: {} } as never,
          nightly: { kind: "cron", cron: "0 3 * * *", timezone: "UTC" } as never,
        },
        tasks: { build: task({ run: sh`true` }) },
        jobs: { build: job({ target: "build", trigger: ["m", "nightly"] }) },
      }),
    (error: Error & { issues?: { code: string; path?: string }[] }) => {
      assert.deepEqual(
        error.issues?.map((issue) => [issue.code, issue.path]),
        [
          [ErrorCode.UNKNOWN_FIELD, "triggers.m"],
          [ErrorCode.UNKNOWN_FIELD, "triggers.nightly.timezone"],
        ],
      );
      return true;
    },
  );
});

Deno.test("task and job reject extra arguments", () => {
  rejects(
    () => (job as AnyBuilder)({ target: "build" }, sh`echo`),
    ErrorCode.INVALID_FIELD,
    /^job takes at most 1 argument, got 2/,
  );
  rejects(
    () => (task as AnyBuilder)({}, sh`a`, sh`b`),
    ErrorCode.INVALID_FIELD,
    /^task takes at most 2 arguments, got 3/,
  );
});

Deno.test("env builders reject extra arguments", () => {
  rejects(
    () => (env.secret as AnyBuilder)("NPM_TOKEN", { default: "x" }),
    ErrorCode.INVALID_FIELD,
    /^env\.secret takes at most 1 argument, got 2/,
  );
  rejects(
    () => (env.var as AnyBuilder)("MODE", { a: "1" }, { default: "a" }, {}),
    ErrorCode.INVALID_FIELD,
    /^env\.var takes at most 3 arguments, got 4/,
  );
});

Deno.test("option builders reject extra arguments", () => {
  const calls: [string, () => unknown][] = [
    ["fileCache", () => (fileCache as AnyBuilder)({}, {})],
    ["memoryCache", () => (memoryCache as AnyBuilder)({}, {})],
    ["redisCache", () => (redisCache as AnyBuilder)({ url: "redis://127.0.0.1" }, {})],
    ["defineCache", () => (defineCache as AnyBuilder)({ stores: {} }, {})],
    ["cache.use", () => (cache.use as AnyBuilder)("file:local", { ttlMs: 5 })],
    ["source.path", () => (source.path as AnyBuilder)({ path: "../a" }, {})],
    ["source.git", () => (source.git as AnyBuilder)({ url: "https://x.test/a.git" }, {})],
    ["sandbox.docker", () => (sandbox.docker as AnyBuilder)({ image: "node:24" }, {})],
    ["sandbox.lima", () => (sandbox.lima as AnyBuilder)({ vm: "a" }, {})],
    ["command.allow", () => (command.allow as AnyBuilder)({})],
    ["command.deny", () => (command.deny as AnyBuilder)("no", {})],
    ["command.mock", () => (command.mock as AnyBuilder)({}, {})],
    ["command.requireEnvironment", () => (command.requireEnvironment as AnyBuilder)("p", "q")],
    ["command.policy", () => (command.policy as AnyBuilder)({}, {})],
    [
      "command.rule",
      () => (command.rule as AnyBuilder)({ exact: ["a"], action: command.allow() }, {}),
    ],
    ["sh.raw", () => (sh.raw as AnyBuilder)("a", "b")],
    ["sh\\(callback\\)", () => (sh as AnyBuilder)(() => "a", "b")],
    ["definePipeline", () => (definePipeline as AnyBuilder)({ name: "a" }, {})],
  ];
  for (const [name, call] of calls) {
    rejects(call, ErrorCode.INVALID_FIELD, new RegExp(`^${name} takes`));
  }
});

Deno.test("command.deny rejects a non-string reason", () => {
  assert.throws(
    () => (command.deny as AnyBuilder)({ reason: "no" }),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, ErrorCode.INVALID_FIELD);
      assert.match(error.message, /reason must be a string, got object/);
      return true;
    },
  );
  assert.deepEqual(command.deny("not here"), { kind: "deny", reason: "not here" });
});
