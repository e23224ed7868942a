/** Method patches shared by overlapping users: installed once, restored by the last release. */

import assert from "node:assert/strict";
import { type Method, patch, sharedPatches, unpatch } from "../node/runner/method_patches.ts";

/** An object with two methods that return their names, as a stand-in for `console`. */
function owner(): Record<string, unknown> {
  return { first: () => "first", second: () => "second" };
}

const tagged = (original: Method): Method =>
  function (this: unknown, ...args: unknown[]) {
    return `patched ${original.apply(this, args)}`;
  };

Deno.test("patch wraps and unpatch restores", () => {
  const target = owner();
  const original = target.first;
  const entry = patch(target, "first", tagged);
  assert.ok(entry);
  assert.equal((target.first as () => string)(), "patched first");
  unpatch(entry);
  assert.equal(target.first, original);
});

Deno.test("patch skips a missing method", () => {
  assert.equal(patch(owner(), "third", tagged), undefined);
});

Deno.test("unpatch keeps a later replacement", () => {
  const target = owner();
  const entry = patch(target, "first", tagged)!;
  const replacement = () => "replacement";
  target.first = replacement;
  unpatch(entry);
  assert.equal(target.first, replacement);
});

Deno.test("unpatch removes an inherited method's wrapper", () => {
  const target = Object.create(owner()) as Record<string, unknown>;
  const entry = patch(target, "first", tagged)!;
  assert.ok(Object.hasOwn(target, "first"));
  unpatch(entry);
  assert.equal(Object.hasOwn(target, "first"), false);
  assert.equal((target.first as () => string)(), "first");
});

Deno.test("shared patches install once for nested users", () => {
  const target = owner();
  let installs = 0;
  const acquire = sharedPatches(() => {
    installs++;
    return [patch(target, "first", tagged)];
  });
  const outer = acquire();
  const inner = acquire();
  assert.equal(installs, 1);
  inner();
  assert.equal((target.first as () => string)(), "patched first");
  outer();
  assert.equal((target.first as () => string)(), "first");
});

Deno.test("shared patches ignore a second release", () => {
  const target = owner();
  const acquire = sharedPatches(() => [patch(target, "first", tagged)]);
  const outer = acquire();
  const inner = acquire();
  inner();
  inner();
  assert.equal((target.first as () => string)(), "patched first");
  outer();
  assert.equal((target.first as () => string)(), "first");
});

Deno.test("shared patches restore in reverse order", () => {
  const target = owner();
  const original = target.first;
  // Both patches wrap the same method, so only the reverse order restores the original.
  const acquire = sharedPatches(() => [
    patch(target, "first", tagged),
    patch(target, "first", tagged),
    patch(target, "missing", tagged),
  ]);
  const release = acquire();
  assert.equal((target.first as () => string)(), "patched patched first");
  release();
  assert.equal(target.first, original);
});

Deno.test("shared patches call restored after the last release", () => {
  let restored = 0;
  const acquire = sharedPatches(() => [patch(owner(), "first", tagged)], () => restored++);
  const outer = acquire();
  const inner = acquire();
  inner();
  assert.equal(restored, 0);
  outer();
  outer();
  assert.equal(restored, 1);
});

Deno.test("shared patches install again after a full release", () => {
  const target = owner();
  let installs = 0;
  const acquire = sharedPatches(() => {
    installs++;
    return [patch(target, "second", tagged)];
  });
  acquire()();
  const release = acquire();
  assert.equal(installs, 2);
  assert.equal((target.second as () => string)(), "patched second");
  release();
});
