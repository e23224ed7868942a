import assert from "node:assert/strict";
import { test } from "node:test";
import { slugify, uniqueSlug } from "../dist/index.js";

test("slugify lowercases and joins words", () => {
  assert.equal(slugify("Hello, World!"), "hello-world");
});

test("slugify removes accents", () => {
  assert.equal(slugify("Crème brûlée à la carte"), "creme-brulee-a-la-carte");
});

test("slugify cuts at a word boundary", () => {
  assert.equal(slugify("one two three", { maxLength: 9 }), "one-two");
  assert.equal(slugify("abcdefghij", { maxLength: 4 }), "abcd");
});

test("slugify uses the separator", () => {
  assert.equal(slugify("a b c", { separator: "_" }), "a_b_c");
});

test("slugify rejects a bad maxLength", () => {
  assert.throws(() => slugify("x", { maxLength: 0 }), RangeError);
});

test("uniqueSlug numbers duplicates", () => {
  const usedSlugs = new Set();
  assert.equal(uniqueSlug("Release notes", usedSlugs), "release-notes");
  assert.equal(uniqueSlug("Release Notes!", usedSlugs), "release-notes-2");
  assert.equal(uniqueSlug("???", usedSlugs), "untitled");
});
