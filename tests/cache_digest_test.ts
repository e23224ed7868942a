import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { lstatSync } from "node:fs";
import { changedSince } from "../node/cache/snapshot.ts";
import {
  canonicalDigest,
  canonicalJson,
  copyAndHash,
  markSorted,
  sha256,
  sha256File,
  sha256FileSync,
  writeJsonFile,
} from "../node/cache/digest.ts";
import { tempDir } from "./support/temp_files.ts";

function expected(content: Uint8Array): string {
  return createHash("sha256").update(content).digest("hex");
}

Deno.test("sha256File matches for small and large files", async () => {
  const dir = await tempDir();
  const small = new TextEncoder().encode("small file\n");
  const large = new Uint8Array(200 * 1024).map((_, index) => index % 251);
  await writeFile(join(dir, "small"), small);
  await writeFile(join(dir, "large"), large);
  assert.equal(await sha256File(join(dir, "small"), small.length), expected(small));
  assert.equal(await sha256File(join(dir, "small")), expected(small));
  assert.equal(await sha256File(join(dir, "large"), large.length), expected(large));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("sha256FileSync matches for empty, small and multi-chunk files", async () => {
  const dir = await tempDir();
  const contents = [
    new Uint8Array(0),
    new TextEncoder().encode("small file\n"),
    new Uint8Array(64 * 1024).map((_, index) => index % 13),
    new Uint8Array(3 * 64 * 1024 + 17).map((_, index) => index % 241),
  ];
  for (const [position, content] of contents.entries()) {
    await writeFile(join(dir, `f${position}`), content);
    assert.equal(sha256FileSync(join(dir, `f${position}`)), expected(content));
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("sha256FileSync throws ENOENT for a missing file", async () => {
  const dir = await tempDir();
  assert.throws(() => sha256FileSync(join(dir, "missing")), { code: "ENOENT" });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("sha256File rejects for a missing large file", async () => {
  const dir = await tempDir();
  await assert.rejects(sha256File(join(dir, "missing"), 1024 * 1024), { code: "ENOENT" });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("sha256File hashes many large files at once", async () => {
  const dir = await tempDir();
  const contents = Array.from(
    { length: 12 },
    (_, file) => new Uint8Array(150 * 1024 + file).map((_, index) => (index * (file + 1)) % 256),
  );
  await Promise.all(contents.map((content, file) => writeFile(join(dir, `f${file}`), content)));
  const digests = await Promise.all(
    contents.map((content, file) => sha256File(join(dir, `f${file}`), content.length)),
  );
  assert.deepEqual(digests, contents.map(expected));
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

const JSON_VALUES: unknown[] = [
  { b: 1, a: { d: [{ z: 1, y: 2 }], c: null } },
  { "10": "ten", "9": "nine", b: "bee", a: "ay" },
  { b: undefined, a: () => 1, c: [undefined, () => 2, Symbol("s"), 3] },
  { when: new Date(0), custom: { toJSON: () => ({ y: 1, x: 2 }) } },
  Object.assign(Object.create(null), { z: "last", é: "accent", "🚀": "rocket" }),
  { text: 'quote " backslash \\ line \n lone \ud800 end' },
  "top-level string",
  42,
  null,
  [],
  {},
];

Deno.test("canonicalDigest hashes the canonical JSON", () => {
  for (const value of JSON_VALUES) {
    assert.equal(canonicalDigest(value), sha256(canonicalJson(value)), canonicalJson(value));
  }
});

Deno.test("canonicalDigest hashes a large record in pieces", () => {
  const inputs: Record<string, string> = {};
  for (let n = 0; n < 20_000; n++) inputs[`src/f${String(n).padStart(5, "0")}.js`] = sha256(`${n}`);
  const manifest = { taskId: "t", inputs, env: { B: "1", A: "2" }, keyVersion: 2 };
  assert.equal(canonicalDigest(manifest), sha256(canonicalJson(manifest)));
});

Deno.test("writeJsonFile writes the JSON text and returns its digest", async () => {
  const dir = await tempDir();
  for (const [position, value] of JSON_VALUES.entries()) {
    const path = join(dir, `v${position}.json`);
    const digest = writeJsonFile(path, value);
    const text = await readFile(path, "utf8");
    assert.equal(text, JSON.stringify(value) ?? "null");
    assert.equal(digest, sha256(text));
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("copyAndHash copies small and large files with their digest", async () => {
  const dir = await tempDir();
  for (const [name, size] of [["small", 1000], ["large", 300_000]] as const) {
    const data = new Uint8Array(size).map((_, index) => index % 251);
    await writeFile(join(dir, name), data);
    const copied = await copyAndHash(join(dir, name), join(dir, `${name}.copy`), size);
    assert.deepEqual(copied, {
      digest: createHash("sha256").update(data).digest("hex"),
      size,
    });
    assert.deepEqual(new Uint8Array(await readFile(join(dir, `${name}.copy`))), data);
  }
});

Deno.test("copyAndHash stops at the end of a file shorter than its size hint", async () => {
  const dir = await tempDir();
  // As for a file truncated between its lstat and its copy.
  await writeFile(join(dir, "shrunk"), "short");
  const copied = await copyAndHash(join(dir, "shrunk"), join(dir, "copy"), 10_000_000);
  assert.equal(copied.size, 5);
  assert.equal(await readFile(join(dir, "copy"), "utf8"), "short");
});

Deno.test("changedSince sees a rewritten file", async () => {
  const dir = await tempDir();
  const path = join(dir, "out");
  await writeFile(path, "first version");
  const before = lstatSync(path);
  assert.equal(changedSince(before, lstatSync(path), before.size), false);
  await writeFile(path, "clobbered");
  assert.equal(changedSince(before, lstatSync(path), before.size), true);
  assert.equal(changedSince(before, before, before.size - 1), true);
});
