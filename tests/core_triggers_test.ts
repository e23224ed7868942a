import assert from "node:assert/strict";
import { ErrorCode, trigger } from "../mod.ts";
import { triggerIssues } from "./support/triggers.ts";

/** Asserts that definePipeline reports the trigger `fn` builds with one issue at `path`. */
function rejects(fn: () => unknown, code: string, message: RegExp, path?: string): void {
  const issues = triggerIssues(fn());
  assert.equal(issues.length, 1, JSON.stringify(issues));
  assert.equal(issues[0].code, code);
  assert.match(issues[0].message, message);
  if (path !== undefined) assert.equal(issues[0].path, path);
}

Deno.test("trigger github rejects branches on release", () => {
  rejects(
    () => trigger.github({ events: ["push", "release"], branches: ["main"] }),
    ErrorCode.INVALID_TRIGGER,
    /branches cannot filter the release event/,
    "triggers.t.branches",
  );
  rejects(
    () => trigger.github({ events: ["workflow_dispatch"], branches: ["main"] }),
    ErrorCode.INVALID_TRIGGER,
    /branches cannot filter the workflow_dispatch event/,
  );
});

Deno.test("trigger github rejects bad branch patterns", () => {
  rejects(
    () => trigger.github({ events: ["push"], branches: ["^main$"] }),
    ErrorCode.INVALID_TRIGGER,
    /invalid branch pattern "\^main\$"/,
    "triggers.t.branches[0]",
  );
  rejects(
    () => trigger.github({ events: ["push"], branches: ["v[0-9"] }),
    ErrorCode.INVALID_TRIGGER,
    /no closing/,
  );
});

Deno.test("trigger github rejects only exclusions", () => {
  rejects(
    () => trigger.github({ events: ["push"], branches: ["!wip", "!tmp/**"] }),
    ErrorCode.INVALID_TRIGGER,
    /only excluded/,
  );
});

Deno.test("trigger github rejects GitHub-invalid input", () => {
  rejects(
    () => trigger.github({ events: ["push"], branches: [] }),
    ErrorCode.INVALID_TRIGGER,
    /non-empty array/,
  );
  rejects(
    // deno-lint-ignore no-explicit-any
    () => trigger.github({ events: ["pushh" as any] }),
    ErrorCode.INVALID_TRIGGER,
    /unknown event "pushh"/,
  );
  rejects(() => trigger.cron("0 25 * * *"), ErrorCode.INVALID_CRON, /hour field "25"/);
  rejects(() => trigger.schedule("0 9 * *"), ErrorCode.INVALID_CRON, /has 4 fields/);
});

Deno.test("trigger github accepts valid filters", () => {
  const accepted = trigger.github({
    events: ["push", "pull_request", "pull_request_target"],
    branches: ["main", "release/**", "!release/old", "v[12].[0-9]+"],
  });
  assert.deepEqual(accepted.branches, ["main", "release/**", "!release/old", "v[12].[0-9]+"]);
  assert.deepEqual(trigger.github({ events: ["release"] }).events, ["release"]);
});

Deno.test("trigger github reports every bad branch", () => {
  const issues = triggerIssues(
    trigger.github({ events: ["push"], branches: ["a b", "[x]", "x/", "${{ y }}", "!only", "ok"] }),
  );
  assert.deepEqual(issues.map((issue) => issue.path), [
    "triggers.t.branches[0]",
    "triggers.t.branches[1]",
    "triggers.t.branches[2]",
    "triggers.t.branches[3]",
  ]);
  assert.ok(issues.every((issue) => issue.code === ErrorCode.INVALID_TRIGGER));
  assert.match(issues[0].message, /^invalid branch pattern "a b"/);
  assert.match(issues[3].message, /^branch pattern "\$\{\{ y \}\}" contains/);
});

Deno.test("trigger github reports every bad event", () => {
  const issues = triggerIssues(
    // deno-lint-ignore no-explicit-any
    trigger.github({ events: ["pushh", "push", "relase"] as any }),
  );
  assert.deepEqual(issues.map((issue) => issue.path), [
    "triggers.t.events[0]",
    "triggers.t.events[2]",
  ]);
  assert.equal(issues[0].hint, 'Did you mean "push"?');
  assert.equal(issues[1].hint, 'Did you mean "release"?');
});

Deno.test("trigger cron error names the trigger id", () => {
  const issues = triggerIssues(trigger.cron("0 25 * * *"));
  assert.equal(issues.length, 1);
  assert.equal(issues[0].code, ErrorCode.INVALID_CRON);
  assert.equal(issues[0].path, "triggers.t.cron");
  assert.match(issues[0].message, /^"0 25 \* \* \*": the hour field "25" is invalid/);
});

Deno.test("trigger builders still reject extra arguments", () => {
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => (trigger.cron as any)("0 9 * * 1", { timezone: "UTC" }),
    (error: Error & { code?: string }) => error.code === ErrorCode.INVALID_TRIGGER,
  );
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => trigger.github({ events: ["push"], branch: ["main"] } as any),
    (error: Error & { code?: string }) => error.code === ErrorCode.UNKNOWN_FIELD,
  );
});
