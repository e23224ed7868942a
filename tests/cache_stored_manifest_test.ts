/** Stored key manifests read in place to explain a miss. */

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { sha256 } from "../node/cache/digest.ts";
import { DamagedEntryError } from "../node/cache/entry.ts";
import { diffManifests, type KeyManifest } from "../node/cache/manifest.ts";
import { readStoredManifest, type StoredInputs } from "../node/cache/stored_manifest.ts";

const base = {
  keyVersion: 2,
  taskId: "t",
  command: "c",
  definition: "d",
  env: { HOME: "h1" },
  dependencies: { dep: "f1" },
};

function manifestWith(inputs: Record<string, string>): KeyManifest {
  return { ...base, inputs };
}

function read(text: string) {
  const bytes = Buffer.from(text);
  return readStoredManifest(bytes, sha256(text));
}

function entriesOf(inputs: StoredInputs): [string, string][] {
  const seen: [string, string][] = [];
  inputs.forEach((path, digest) => seen.push([path, digest]));
  return seen;
}

Deno.test("stored manifest reads inputs in place", () => {
  const inputs = { "a.ts": "1", "b/c.ts": "2", 'q"uote': "3", "größe.ts": "4", missing: "absent" };
  const stored = read(JSON.stringify(manifestWith(inputs)));
  // Paths written with escapes are visited after the others.
  assert.deepEqual(entriesOf(stored.inputs).sort(), Object.entries(inputs).sort());
  assert.equal(stored.inputs.get("b/c.ts"), "2");
  assert.equal(stored.inputs.get('q"uote'), "3");
  assert.equal(stored.inputs.get("größe.ts"), "4");
  assert.equal(stored.inputs.get("other"), undefined);
  assert.deepEqual(stored.env, base.env);
  assert.deepEqual(stored.dependencies, base.dependencies);
  assert.equal(stored.taskId, "t");
});

Deno.test("stored manifest reads other JSON layouts", () => {
  const text = JSON.stringify(manifestWith({ "a.ts": "1" }), null, 1);
  assert.equal(read(text).inputs.get("a.ts"), "1");
});

Deno.test("stored manifest rejects bytes that do not match the digest", () => {
  const text = JSON.stringify(manifestWith({ "a.ts": "1" }));
  assert.throws(
    () => readStoredManifest(Buffer.from(text.replace('"1"', '"2"')), sha256(text)),
    DamagedEntryError,
  );
});

Deno.test("stored manifest rejects damaged text", () => {
  const damaged = [
    JSON.stringify(manifestWith({ "a.ts": "1" })).slice(0, -3),
    JSON.stringify({ ...base, inputs: { "a.ts": 1 } }),
    JSON.stringify({ ...base, command: 5, inputs: {} }),
    '{"keyVersion":2,"inputs":{"a":"1"}}',
  ];
  for (const text of damaged) assert.throws(() => read(text), DamagedEntryError, text);
});

Deno.test("stored manifest explains a miss like the parsed one", () => {
  const before = manifestWith({ a: "1", b: "2", c: "3", gone: "absent" });
  const after = { ...manifestWith({ a: "1", b: "9", d: "4", gone: "7" }), env: { HOME: "h2" } };
  const stored = read(JSON.stringify(before));
  assert.deepEqual(diffManifests(stored, after), diffManifests(before, after));
  assert.deepEqual(diffManifests(stored, after).inputs, {
    added: ["d", "gone"],
    removed: ["c"],
    changed: ["b"],
  });
});
