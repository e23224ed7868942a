/** Key manifests: their differences and reading their stored text. */

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { sha256, writeJsonFile } from "../node/cache/digest.ts";
import { DamagedEntryError, parseManifestFile } from "../node/cache/entry.ts";
import { diffManifests } from "../node/cache/manifest.ts";
import { tempDir } from "./support/temp_files.ts";

/** The parts of a manifest other than its inputs, shared by the diff tests. */
const base = {
  keyVersion: 2,
  taskId: "t",
  command: "c",
  definition: "d",
  env: {},
  dependencies: {},
};

Deno.test("manifest diff lists added, removed and changed inputs", () => {
  const before = { ...base, inputs: { a: "1", b: "2", c: "3", gone: "absent", __proto__x: "5" } };
  const after = { ...base, inputs: { a: "1", b: "9", d: "4", gone: "7", c: "absent" } };
  const changes = diffManifests(before, after);
  assert.deepEqual(changes.inputs, {
    added: ["d", "gone"],
    removed: ["c", "__proto__x"],
    changed: ["b"],
  });
});

Deno.test("manifest diff ignores inherited names", () => {
  const before = { ...base, inputs: JSON.parse('{"__proto__":"1","constructor":"2"}') };
  const after = { ...base, inputs: {} };
  assert.deepEqual(diffManifests(before, after).inputs, {
    added: [],
    removed: ["__proto__", "constructor"],
    changed: [],
  });
  assert.deepEqual(diffManifests(after, before).inputs, {
    added: ["__proto__", "constructor"],
    removed: [],
    changed: [],
  });
});

function manifestWith(inputs: Record<string, string>) {
  return {
    keyVersion: 2,
    taskId: 'task "quoted"',
    command: "c",
    definition: "d",
    inputs,
    env: { A: "unset" },
    dependencies: { dep: "f" },
  };
}

Deno.test("manifest file parses like JSON", async () => {
  const dir = await tempDir();
  const inputs = JSON.parse(
    '{"__proto__":"p","a \\"b\\"":"1","back\\\\slash":"2","ünï 🚀":"3","x},\\"inputs\\":{":"4"}',
  );
  for (let n = 0; n < 3000; n++) inputs[`src/f${n}.ts`] = `digest-${n}`;
  const path = join(dir, "manifest.json");
  const digest = writeJsonFile(path, manifestWith(inputs));
  const text = await readFile(path, "utf8");
  const parsed = parseManifestFile(text, digest);
  assert.deepEqual(parsed, JSON.parse(text));
  assert.equal(Object.hasOwn(parsed.inputs, "__proto__"), true);
  assert.equal(Object.getPrototypeOf(parsed.inputs), Object.prototype);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("manifest file with another layout parses as JSON", () => {
  const manifest = manifestWith({ "src/a.ts": "1" });
  const text = JSON.stringify(manifest, null, 1);
  assert.deepEqual(parseManifestFile(text, sha256(text)), manifest);
});

Deno.test("manifest file with a damaged input record is rejected", () => {
  const text = JSON.stringify(manifestWith({ "src/a.ts": "1" })).replace('"1"', "1");
  assert.throws(() => parseManifestFile(text, sha256(text)), DamagedEntryError);
});
