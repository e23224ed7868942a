/** Differences between key manifests. */

import assert from "node:assert/strict";
import { diffManifests } from "../node/cache/manifest.ts";

Deno.test("manifest diff lists added, removed and changed inputs", () => {
  const base = {
    keyVersion: 2,
    taskId: "t",
    command: "c",
    definition: "d",
    env: {},
    dependencies: {},
  };
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
  const base = {
    keyVersion: 2,
    taskId: "t",
    command: "c",
    definition: "d",
    env: {},
    dependencies: {},
  };
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
