/** `deepFreeze` from core/fields.ts. */

import assert from "node:assert/strict";
import { deepFreeze } from "../core/fields.ts";

Deno.test("deepFreeze freezes nested objects and arrays", () => {
  const value = deepFreeze({ list: [{ name: "a" }], nested: { deeper: { n: 1 } } });
  assert.ok(Object.isFrozen(value));
  assert.ok(Object.isFrozen(value.list));
  assert.ok(Object.isFrozen(value.list[0]));
  assert.ok(Object.isFrozen(value.nested.deeper));
});

Deno.test("deepFreeze leaves class instances and functions unfrozen", () => {
  class Store {
    items: string[] = [];
  }
  const step = () => undefined;
  const value = deepFreeze({ store: new Store(), step });
  assert.ok(Object.isFrozen(value));
  assert.ok(!Object.isFrozen(value.store));
  assert.ok(!Object.isFrozen(value.store.items));
  assert.ok(!Object.isFrozen(step));
});

Deno.test("deepFreeze walks a frozen object it did not freeze", () => {
  const value = deepFreeze(Object.freeze({ inner: { n: 1 } }));
  assert.ok(Object.isFrozen(value.inner));
});

Deno.test("deepFreeze does not walk a value it froze before", () => {
  let reads = 0;
  const task = {
    get steps() {
      reads++;
      return [];
    },
  };
  deepFreeze(task);
  assert.equal(reads, 1);
  const pipeline = deepFreeze({ tasks: { build: task } });
  assert.equal(reads, 1);
  assert.ok(Object.isFrozen(pipeline.tasks));
});
