import assert from "node:assert/strict";
import { ErrorCode, PipelineError } from "../core/errors.ts";
import { cacheKey } from "../runtime/cache_key.ts";

Deno.test("cacheKey equal for equal data", () => {
  const pairs: Array<[unknown, unknown]> = [
    [{ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }],
    [{ nested: { x: "y", z: null } }, { nested: { z: null, x: "y" } }],
    [new Date("2024-01-02T03:04:05Z"), new Date("2024-01-02T03:04:05.000Z")],
    [Object.assign(Object.create(null), { a: 1 }), { a: 1 }],
    [[undefined], [undefined]],
  ];
  for (const [left, right] of pairs) {
    assert.equal(cacheKey(left, "input"), cacheKey(right, "input"), JSON.stringify(left));
  }
});

Deno.test("cacheKey distinct for distinct data", () => {
  const values: unknown[] = [
    undefined,
    null,
    0,
    -0,
    1,
    "1",
    1n,
    true,
    "true",
    [],
    {},
    [1],
    { 0: 1 },
    { a: undefined },
    "",
    new Date(0),
    new Date(Number.NaN),
    Number.NaN,
  ];
  const keys = values.map((value) => cacheKey(value, "input"));
  assert.equal(new Set(keys).size, values.length, keys.join(" | "));
});

Deno.test("cacheKey rejects unkeyable values", () => {
  class Connection {}
  const cyclic: Record<string, unknown> = { name: "root" };
  cyclic.self = cyclic;
  const cases: Array<{ value: unknown; path: string; found: string }> = [
    { value: () => 1, path: "input", found: "a function" },
    { value: { id: Symbol("x") }, path: "input.id", found: "a symbol" },
    { value: [1, new Connection()], path: "input[1]", found: "an instance of Connection" },
    { value: { pool: new Map() }, path: "input.pool", found: "an instance of Map" },
    { value: cyclic, path: "input.self", found: "a reference cycle" },
  ];
  for (const { value, path, found } of cases) {
    assert.throws(
      () => cacheKey(value, "input"),
      (error: unknown) => {
        assert.ok(error instanceof PipelineError);
        assert.equal(error.code, ErrorCode.RUNTIME_CACHE_KEY);
        assert.equal(error.path, path);
        assert.equal(error.message, `Cannot build a cache key: ${path} is ${found}.`);
        assert.match(error.hint ?? "", /remove cache\.use/);
        return true;
      },
      path,
    );
  }
});

Deno.test("cacheKey brackets a key with a space", () => {
  assert.throws(
    () => cacheKey({ "db pool": new Map() }, "input"),
    (error: unknown) => {
      assert.ok(error instanceof PipelineError);
      assert.equal(error.path, 'input["db pool"]');
      assert.equal(
        error.message,
        'Cannot build a cache key: input["db pool"] is an instance of Map.',
      );
      return true;
    },
  );
});

Deno.test("cacheKey allows shared references", () => {
  const shared = { a: 1 };
  assert.equal(
    cacheKey({ left: shared, right: shared }, "input"),
    cacheKey({ left: { a: 1 }, right: { a: 1 } }, "input"),
  );
});
