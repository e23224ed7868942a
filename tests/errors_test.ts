import assert from "node:assert/strict";
import { didYouMean, ErrorCode, isPipelineError, PipelineError, suggest } from "../core/errors.ts";

Deno.test("suggest finds a close field name", () => {
  assert.equal(suggest("timout", ["timeout", "retry", "cache"]), "timeout");
});

Deno.test("suggest returns undefined for distant names", () => {
  assert.equal(suggest("zzzzzz", ["timeout", "retry"]), undefined);
});

Deno.test("suggest completes a unique prefix", () => {
  assert.equal(suggest("mem", ["file", "memory", "redis"]), "memory");
});

Deno.test("suggest skips a shared prefix", () => {
  assert.equal(suggest("tim", ["timeout", "timeline"]), undefined);
});

Deno.test("suggest skips a prefix shorter than three characters", () => {
  assert.equal(suggest("me", ["memory"]), undefined);
});

Deno.test("didYouMean formats the suggestion", () => {
  assert.equal(didYouMean("dependOn", ["dependsOn"]), 'Did you mean "dependsOn"?');
  assert.equal(didYouMean("qqq", ["dependsOn"]), "");
});

Deno.test("PipelineError.fromIssues keeps every issue", () => {
  const error = PipelineError.fromIssues([
    { code: ErrorCode.UNKNOWN_FIELD, path: "tasks.a.x", message: 'unknown field "x".' },
    { code: ErrorCode.UNKNOWN_TASK, path: "tasks.b.dependsOn", message: 'unknown task "c".' },
  ]);
  assert.equal(error.code, ErrorCode.INVALID_PIPELINE);
  assert.deepEqual(error.issues.map((issue) => issue.code), [
    ErrorCode.UNKNOWN_FIELD,
    ErrorCode.UNKNOWN_TASK,
  ]);
  assert.match(error.message, /2 problems/);
  assert.match(error.message, /tasks\.b\.dependsOn: unknown task "c"/);
});

Deno.test("PipelineError.fromIssues keeps a shared code", () => {
  const error = PipelineError.fromIssues([
    { code: ErrorCode.UNKNOWN_TASK, path: "tasks.a.dependsOn", message: 'unknown task "x".' },
    { code: ErrorCode.UNKNOWN_TASK, path: "tasks.b.dependsOn", message: 'unknown task "c".' },
  ]);
  assert.equal(error.code, ErrorCode.UNKNOWN_TASK);
  assert.equal(error.issues.length, 2);
});

Deno.test("isPipelineError accepts errors from another module copy", () => {
  const foreign = Object.assign(new Error("x"), { code: "ASYNC_PIPELINE_UNKNOWN_TASK" });
  assert.equal(isPipelineError(foreign), true);
  assert.equal(isPipelineError(new Error("plain")), false);
});
