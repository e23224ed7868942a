import assert from "node:assert/strict";
import { shortDiff } from "../node/sync/diff.ts";

Deno.test("shortDiff equal texts", () => {
  assert.equal(shortDiff("a\nb\n", "a\nb\n"), "");
});

Deno.test("shortDiff one changed line", () => {
  assert.equal(
    shortDiff("a\nb\nc\nd\ne\n", "a\nb\nC\nd\ne\n"),
    ["@@ line 2 @@", " b", "-c", "+C", " d"].join("\n"),
  );
});

Deno.test("shortDiff separate hunks", () => {
  const before = ["1", "2", "3", "4", "5", "6", "7", "8"].join("\n");
  const after = ["1", "two", "3", "4", "5", "6", "seven", "8"].join("\n");
  assert.equal(
    shortDiff(before, after),
    [
      "@@ line 1 @@",
      " 1",
      "-2",
      "+two",
      " 3",
      "@@ line 6 @@",
      " 6",
      "-7",
      "+seven",
      " 8",
    ].join("\n"),
  );
});

Deno.test("shortDiff insertions and deletions", () => {
  assert.equal(shortDiff("a\nc\n", "a\nb\nc\n"), ["@@ line 1 @@", " a", "+b", " c"].join("\n"));
  assert.equal(shortDiff("a\nb\nc\n", "a\nc\n"), ["@@ line 1 @@", " a", "-b", " c"].join("\n"));
  assert.equal(shortDiff("", "x\n"), ["@@ line 1 @@", "+x"].join("\n"));
});

Deno.test("shortDiff caps long output", () => {
  const before = Array.from({ length: 30 }, (_, i) => `old ${i}`).join("\n");
  const after = Array.from({ length: 30 }, (_, i) => `new ${i}`).join("\n");
  const lines = shortDiff(before, after, 5).split("\n");
  assert.equal(lines.length, 6);
  assert.equal(lines[0], "@@ line 1 @@");
  assert.equal(lines[5], "... 56 more changed lines");
});
