import assert from "node:assert/strict";
import { ErrorCode, isPipelineError, type PipelineIssue } from "../core/errors.ts";
import { definePipeline, job, sh, task } from "../mod.ts";

const tasks = {
  lint: task({ run: sh`echo lint` }),
  test: task({ run: sh`echo test` }),
};
const jobs = { verify: job({ target: "test" }), release: job({ target: "lint" }) };

function syncOf(tasksSync: unknown) {
  // deno-lint-ignore no-explicit-any
  return definePipeline({ name: "app", sync: { tasks: tasksSync as any }, tasks, jobs }).sync
    .tasks;
}

function issuesOf(tasksSync: unknown): PipelineIssue[] {
  try {
    syncOf(tasksSync);
  } catch (error) {
    assert.ok(isPipelineError(error));
    return [...error.issues];
  }
  assert.fail("expected the pipeline definition to be rejected");
}

Deno.test("task sync true uses defaults", () => {
  assert.deepEqual(syncOf(true), {
    prefix: "pipeline",
    runners: ["package", "deno"],
    targets: [],
    jobs: ["verify", "release"],
    tasks: [],
    scripts: {},
  });
});

Deno.test("task sync false is off", () => {
  assert.equal(syncOf(false), undefined);
});

Deno.test("task sync object form normalizes", () => {
  assert.deepEqual(
    syncOf({
      prefix: "ci",
      runners: ["package", "package"],
      targets: [{ package: "@acme/app" }, { path: "tools/worker/deno.json" }],
      jobs: ["verify", "verify"],
      tasks: ["lint"],
      scripts: { "sync:check": " sync check " },
    }),
    {
      prefix: "ci",
      runners: ["package"],
      targets: [{ package: "@acme/app" }, { path: "tools/worker/deno.json" }],
      jobs: ["verify"],
      tasks: ["lint"],
      scripts: { "sync:check": "sync check" },
    },
  );
});

Deno.test("task sync rejects bad targets", () => {
  const issues = issuesOf({
    targets: [
      { path: "tools/config.json" },
      { package: "" },
      { path: "../other/package.json" },
      { path: "/abs/deno.json" },
      { package: "a", path: "package.json" },
      { name: "a" },
    ],
  });
  assert.deepEqual(issues.map((issue) => [issue.code, issue.path]), [
    [ErrorCode.INVALID_FIELD, "sync.tasks.targets[0].path"],
    [ErrorCode.INVALID_FIELD, "sync.tasks.targets[1].package"],
    [ErrorCode.PATH_OUTSIDE_ROOT, "sync.tasks.targets[2].path"],
    [ErrorCode.PATH_OUTSIDE_ROOT, "sync.tasks.targets[3].path"],
    [ErrorCode.INVALID_FIELD, "sync.tasks.targets[4]"],
    [ErrorCode.INVALID_FIELD, "sync.tasks.targets[5]"],
  ]);
  assert.match(
    issues[0].message,
    /"tools\/config.json" is not a package.json, deno.json or deno.jsonc/,
  );
});

Deno.test("task sync rejects unknown ids", () => {
  const issues = issuesOf({ jobs: ["verfy"], tasks: ["lnt"] });
  assert.deepEqual(issues.map((issue) => [issue.code, issue.path, issue.hint]), [
    [ErrorCode.UNKNOWN_JOB, "sync.tasks.jobs", 'Did you mean "verify"?'],
    [ErrorCode.UNKNOWN_TASK, "sync.tasks.tasks", 'Did you mean "lint"?'],
  ]);
});

Deno.test("task sync rejects bad settings", () => {
  const issues = issuesOf({
    prefix: "has space",
    runners: ["npm"],
    scripts: { empty: "", full: "async-pipeline sync check" },
    timeout: 1,
  });
  assert.deepEqual(issues.map((issue) => issue.path), [
    "sync.tasks.timeout",
    "sync.tasks.prefix",
    "sync.tasks.runners",
    "sync.tasks.scripts.empty",
    "sync.tasks.scripts.full",
  ]);
  assert.match(issues[4].hint ?? "", /Write only the arguments \("sync check"\)/);
});

Deno.test("task sync brackets a script name with a space", () => {
  const issues = issuesOf({ scripts: { "check all": "" } });
  assert.deepEqual(issues.map((issue) => issue.path), ['sync.tasks.scripts["check all"]']);
});

Deno.test("task sync rejects a prefix that reads as an option", () => {
  const issues = issuesOf({ prefix: "-x" });
  assert.deepEqual(issues.map((issue) => issue.path), ["sync.tasks.prefix"]);
  assert.match(issues[0].message, /starts with a letter, digit or '_', got "-x"/);
});

Deno.test("task sync rejects clashing names", () => {
  const issues = issuesOf({ scripts: { "pipeline:verify": "sync check" } });
  assert.equal(issues.length, 1);
  assert.equal(issues[0].path, "sync.tasks");
  assert.match(issues[0].message, /script "pipeline:verify" and job "verify" would both write/);
});
