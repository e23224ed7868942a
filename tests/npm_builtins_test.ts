/** How the npm bundle loads Node built-ins: `scripts/npm_builtins.ts`. */

import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import {
  builtinModuleSource,
  checkLazyBuiltins,
  emptyBuiltinImports,
  LAZY_BUILTINS,
  scanBuiltinImports,
} from "../scripts/npm_builtins.ts";

/** Writes `source` to a module in a new temporary directory and imports it. */
async function importSource(source: string): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(path.join(tmpdir(), "npm-builtins-"));
  try {
    const file = path.join(dir, "builtin.mjs");
    await writeFile(file, source);
    return await import(pathToFileURL(file).href);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

Deno.test("scan collects named built-in imports by their exported name", () => {
  const imports = emptyBuiltinImports();
  scanBuiltinImports(
    [
      'import { readFile, stat as statFile } from "node:fs/promises";',
      'import { join } from "node:path";',
      'import { join as joinPath, type ParsedPath } from "node:path";',
      'import picomatch from "picomatch";',
      'import { helper } from "./helper.js";',
    ].join("\n"),
    imports,
  );
  assert.deepEqual(Object.fromEntries([...imports.named].map(([id, names]) => [id, [...names]])), {
    "node:fs/promises": ["readFile", "stat"],
    "node:path": ["join"],
  });
  assert.deepEqual([...imports.whole], []);
});

Deno.test("scan marks built-ins imported whole", () => {
  const imports = emptyBuiltinImports();
  scanBuiltinImports(
    [
      'import module from "node:module";',
      'import * as os from "node:os";',
      'export { inspect } from "node:util";',
      'import "node:v8";',
    ].join("\n"),
    imports,
  );
  assert.deepEqual([...imports.whole].sort(), ["node:module", "node:os", "node:util", "node:v8"]);
  assert.deepEqual([...imports.named.keys()], []);
});

Deno.test("scan skips type-only imports", () => {
  const imports = emptyBuiltinImports();
  scanBuiltinImports('import type { Stats } from "node:fs";', imports);
  assert.equal(imports.named.size + imports.whole.size, 0);
});

Deno.test("eager stand-in exports the built-in's own values", async () => {
  const module = await importSource(builtinModuleSource("node:path", ["join", "sep"], false));
  assert.equal(module.join, path.join);
  assert.equal(module.sep, path.sep);
  assert.deepEqual(Object.keys(module).sort(), ["join", "sep"]);
});

Deno.test("stand-in falls back to require without getBuiltinModule", async () => {
  const processObject = globalThis.process as { getBuiltinModule?: unknown };
  const original = Object.getOwnPropertyDescriptor(processObject, "getBuiltinModule");
  delete processObject.getBuiltinModule;
  try {
    assert.equal(processObject.getBuiltinModule, undefined);
    const module = await importSource(builtinModuleSource("node:path", ["join"], false));
    assert.equal(module.join, path.join);
  } finally {
    if (original) Object.defineProperty(processObject, "getBuiltinModule", original);
  }
});

Deno.test("lazy stand-in forwards calls and their results", async () => {
  const module = await importSource(builtinModuleSource("node:path", ["join"], true));
  const join = module.join as (...parts: string[]) => string;
  assert.notEqual(join, path.join);
  assert.equal(join("a", "b", "..", "c"), path.join("a", "b", "..", "c"));
});

Deno.test("lazy stand-in passes thrown errors through", async () => {
  const module = await importSource(builtinModuleSource("node:path", ["join"], true));
  const join = module.join as (...parts: unknown[]) => string;
  assert.throws(() => join(42), TypeError);
});

Deno.test("lazy built-ins accept imported functions", async () => {
  const imports = emptyBuiltinImports();
  imports.named.set(LAZY_BUILTINS[0], new Set(["execFile", "spawn"]));
  await checkLazyBuiltins(imports);
});

Deno.test("lazy built-ins reject a name that is not a function", async () => {
  const imports = emptyBuiltinImports();
  imports.named.set("node:child_process", new Set(["spawn", "notAnExport"]));
  await assert.rejects(
    () => checkLazyBuiltins(imports),
    /"notAnExport" imported from node:child_process is not a function/,
  );
});
