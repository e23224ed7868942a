import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { canonicalJson, markSorted, sha256File } from "../node/cache/digest.ts";

function expected(content: Uint8Array): string {
  return createHash("sha256").update(content).digest("hex");
}

Deno.test("sha256File matches for small and large files", async () => {
  const dir = await Deno.makeTempDir();
  const small = new TextEncoder().encode("small file\n");
  const large = new Uint8Array(200 * 1024).map((_, index) => index % 251);
  await writeFile(join(dir, "small"), small);
  await writeFile(join(dir, "large"), large);
  assert.equal(await sha256File(join(dir, "small"), small.length), expected(small));
  assert.equal(await sha256File(join(dir, "small")), expected(small));
  assert.equal(await sha256File(join(dir, "large"), large.length), expected(large));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("canonicalJson sorts nested keys", () => {
  const text = canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } });
  assert.equal(text, '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}');
});

Deno.test("canonicalJson keeps sorted input as is", () => {
  const value = { a: "1", b: { c: "2" }, d: ["x"] };
  assert.equal(canonicalJson(value), JSON.stringify(value));
});

Deno.test("canonicalJson gives a marked sorted record the canonical text", () => {
  const record = { "a-b": "1", "a/c": "2", b: "3" };
  const plain = canonicalJson({ z: { ...record }, a: 1 });
  assert.equal(canonicalJson({ z: markSorted(record), a: 1 }), plain);
  assert.equal(plain, '{"a":1,"z":{"a-b":"1","a/c":"2","b":"3"}}');
});

Deno.test("canonicalJson is independent of key order", () => {
  assert.equal(
    canonicalJson({ y: 1, x: [2, { q: 1, p: 2 }] }),
    canonicalJson({ x: [2, { p: 2, q: 1 }], y: 1 }),
  );
});

Deno.test("canonicalJson leaves its argument unchanged", () => {
  const value = { b: 1, a: 2 };
  canonicalJson(value);
  assert.deepEqual(Object.keys(value), ["b", "a"]);
});
