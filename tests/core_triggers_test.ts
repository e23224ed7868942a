import assert from "node:assert/strict";
import { ErrorCode, trigger } from "../mod.ts";

function rejects(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (error: Error & { code?: string }) => {
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}

Deno.test("trigger github rejects branches on release", () => {
  rejects(
    () => trigger.github({ events: ["push", "release"], branches: ["main"] }),
    ErrorCode.INVALID_TRIGGER,
    /branches cannot filter the release event/,
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
