/** Internalizing the strings that live through a lookup. */

import assert from "node:assert/strict";
import { tenured } from "../node/cache/tenure.ts";

Deno.test("tenured returns the text it was given", () => {
  const texts = [
    "src/a.ts",
    "größe/日本.ts",
    "__proto__",
    "constructor",
    "123",
    "",
    "a".repeat(5000),
  ];
  for (const text of texts) assert.equal(tenured(text), text);
});

Deno.test("tenured texts work as record keys and values", () => {
  const digest = "ab".repeat(32);
  assert.equal(tenured(digest), digest);
  assert.equal(tenured(`${digest}+x`), `${digest}+x`);
  const record: Record<string, string> = {};
  record[tenured("src/b.ts")] = tenured(digest);
  assert.deepEqual(Object.keys(record), ["src/b.ts"]);
  assert.equal(record["src/b.ts"], digest);
});
