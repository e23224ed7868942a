import assert from "node:assert/strict";
import { definePipeline, ErrorCode, job, type PipelineError, sh, task, trigger } from "../mod.ts";
import { triggerIssues } from "./support/triggers.ts";

// deno-lint-ignore no-explicit-any
type Loose = any;

Deno.test("tags trigger keeps its tags", () => {
  const declared = trigger.github({ events: ["push"], tags: ["v*", "!v*-rc*"] });
  assert.deepEqual(declared.tags, ["v*", "!v*-rc*"]);
  assert.equal(declared.branches, undefined);
  assert.deepEqual(triggerIssues(declared), []);
});

Deno.test("tags trigger accepts branches beside tags", () => {
  const declared = trigger.github({ events: ["push"], branches: ["main"], tags: ["v**"] });
  assert.deepEqual(triggerIssues(declared), []);
  assert.deepEqual([declared.branches, declared.tags], [["main"], ["v**"]]);
});

Deno.test("tags trigger copies the caller's list", () => {
  const tags = ["v*"];
  const declared = trigger.github({ events: ["push"], tags });
  tags.push("x");
  assert.deepEqual(declared.tags, ["v*"]);
  assert.equal(Object.isFrozen(declared.tags), true);
});

Deno.test("tags trigger rejects pull request events", () => {
  const issues = triggerIssues(trigger.github({ events: ["push", "pull_request"], tags: ["v*"] }));
  assert.equal(issues.length, 1, JSON.stringify(issues));
  assert.equal(issues[0].code, ErrorCode.INVALID_TRIGGER);
  assert.equal(issues[0].path, "triggers.t.tags");
  assert.equal(issues[0].message, "tags cannot filter the pull_request event.");
  assert.equal(
    issues[0].hint,
    "GitHub filters tags only for push; declare a separate trigger for the others.",
  );
});

Deno.test("tags trigger names every event it cannot filter", () => {
  const issues = triggerIssues(
    trigger.github({ events: ["release", "merge_group"], tags: ["v*"] }),
  );
  assert.deepEqual(issues.map((issue) => issue.message), [
    "tags cannot filter the release, merge_group events.",
  ]);
});

Deno.test("tags trigger rejects an empty list", () => {
  const issues = triggerIssues(trigger.github({ events: ["push"], tags: [] }));
  assert.equal(issues.length, 1);
  assert.equal(issues[0].path, "triggers.t.tags");
  assert.equal(issues[0].message, "tags must be a non-empty array of tag names or patterns.");
  assert.equal(issues[0].hint, 'List tag names or patterns, such as ["v*"], or omit tags.');
});

Deno.test("tags trigger rejects a string in place of a list", () => {
  const issues = triggerIssues(trigger.github({ events: ["push"], tags: "v*" as Loose }));
  assert.equal(issues.length, 1);
  assert.equal(issues[0].path, "triggers.t.tags");
  assert.match(issues[0].message, /^tags must be a non-empty array/);
});

Deno.test("tags trigger rejects only exclusions", () => {
  const issues = triggerIssues(trigger.github({ events: ["push"], tags: ["!v0*"] }));
  assert.equal(issues.length, 1);
  assert.equal(issues[0].path, "triggers.t.tags");
  assert.equal(
    issues[0].message,
    "tags lists only excluded (!) patterns, so GitHub would match no tag.",
  );
});

Deno.test("tags trigger reports every bad pattern at its index", () => {
  const issues = triggerIssues(
    trigger.github({ events: ["push"], tags: ["v1", "v 2", "[x]", "v3/", "${{ x }}", 7 as Loose] }),
  );
  assert.deepEqual(issues.map((issue) => issue.path), [
    "triggers.t.tags[1]",
    "triggers.t.tags[2]",
    "triggers.t.tags[3]",
    "triggers.t.tags[4]",
    "triggers.t.tags[5]",
  ]);
  assert.ok(issues.every((issue) => issue.code === ErrorCode.INVALID_TRIGGER));
  assert.equal(
    issues[0].message,
    'invalid tag pattern "v 2": " " cannot appear in a tag name (no spaces, ~, ^ or :).',
  );
  assert.equal(
    issues[2].message,
    'invalid tag pattern "v3/": a tag name cannot end with "/" or ".".',
  );
  assert.match(issues[3].message, /^tag pattern "\$\{\{ x \}\}" contains "\$\{\{"/);
  assert.match(issues[3].message, /tag filters evaluate none/);
  assert.equal(issues[4].message, "invalid tag 7: a tag pattern is a non-empty string.");
});

Deno.test("tags trigger reports branch and tag problems together", () => {
  const issues = triggerIssues(
    trigger.github({ events: ["push"], branches: ["a b"], tags: ["c d"] }),
  );
  assert.deepEqual(issues.map((issue) => issue.path), [
    "triggers.t.branches[0]",
    "triggers.t.tags[0]",
  ]);
  assert.match(issues[0].message, /cannot appear in a branch name/);
  assert.match(issues[1].message, /cannot appear in a tag name/);
});

Deno.test("tags branch messages keep their wording", () => {
  const issues = triggerIssues(trigger.github({ events: ["push"], branches: ["a b"] }));
  assert.equal(
    issues[0].message,
    'invalid branch pattern "a b": " " cannot appear in a branch name (no spaces, ~, ^ or :).',
  );
});

Deno.test("tags builder suggests tags for a misspelled field", () => {
  assert.throws(
    () => trigger.github({ events: ["push"], tag: ["v*"] } as Loose),
    (error: PipelineError) => {
      assert.equal(error.code, ErrorCode.UNKNOWN_FIELD);
      assert.equal(error.hint, 'Did you mean "tags"?');
      return true;
    },
  );
});

Deno.test("tags builder lists tags among the valid fields", () => {
  assert.throws(
    () => trigger.github({ events: ["push"], paths: ["src/**"] } as Loose),
    (error: PipelineError) => {
      assert.equal(error.code, ErrorCode.UNKNOWN_FIELD);
      assert.equal(error.hint, "Valid fields: events, branches, tags.");
      return true;
    },
  );
});

Deno.test("tags hand-written trigger is checked like the builder", () => {
  const issues = triggerIssues({ kind: "github", events: ["push"], tags: ["v*"], tagz: 1 });
  assert.equal(issues.length, 1);
  assert.equal(issues[0].code, ErrorCode.UNKNOWN_FIELD);
  assert.equal(issues[0].path, "triggers.t.tagz");
  assert.equal(issues[0].hint, 'Did you mean "tags"?');
});

Deno.test("tags hand-written trigger keeps its tags", () => {
  const pipeline = definePipeline({
    name: "app",
    triggers: { release: { kind: "github", events: ["push"], tags: ["v*"] } as Loose },
    tasks: { build: task({ run: sh`true` }) },
    jobs: { release: job({ target: "build", trigger: ["release"] }) },
  });
  assert.deepEqual(pipeline.triggers.release, { kind: "github", events: ["push"], tags: ["v*"] });
});

Deno.test("tags hand-written trigger reports its bad tag path", () => {
  const issues = triggerIssues({ kind: "github", events: ["pull_request"], tags: ["v*"] });
  assert.deepEqual(issues.map((issue) => [issue.code, issue.path]), [
    [ErrorCode.INVALID_TRIGGER, "triggers.t.tags"],
  ]);
});

Deno.test("empty tag pattern says why and what to write", () => {
  const issues = triggerIssues(trigger.github({ events: ["push"], tags: [""] }));
  assert.equal(issues.length, 1);
  assert.equal(issues[0].path, "triggers.t.tags[0]");
  assert.equal(issues[0].message, 'invalid tag "": a tag pattern is a non-empty string.');
  assert.equal(issues[0].hint, 'Write a tag name or pattern, such as "v*".');
});
