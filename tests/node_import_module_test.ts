import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  currentRuntime,
  importModule,
  importStrategy,
  isRetryableWithLoader,
} from "../node/import_module.ts";
import { removeJitiCacheAfterAll } from "./support/jiti_cache.ts";
import { tempDir } from "./support/temp_files.ts";

const TYPED_MODULE = `interface Box { readonly value: number }
const box: Box = { value: 42 };
export default box;
`;

/** Name prefix of this file's temporary directories. */
const PREFIX = "async-pipeline-import-";

removeJitiCacheAfterAll(PREFIX);

Deno.test("importStrategy picks per runtime", () => {
  const cases: [string, Parameters<typeof importStrategy>[1], string][] = [
    ["/app/pipeline.ts", { typescript: undefined }, "loader"],
    ["/app/pipeline.mts", { typescript: false }, "loader"],
    ["/app/pipeline.cts", {}, "loader"],
    ["/app/pipeline.ts", { typescript: "strip" }, "native"],
    ["/app/pipeline.ts", { typescript: "transform" }, "native"],
    ["/app/pipeline.ts", { deno: "2.9.6" }, "native"],
    ["/app/pipeline.ts", { bun: "1.2.0" }, "native"],
    ["/app/pipeline.js", {}, "native"],
    ["/app/pipeline.mjs", { typescript: false }, "native"],
  ];
  for (const [path, runtime, expected] of cases) {
    assert.equal(importStrategy(path, runtime), expected, `${path} ${JSON.stringify(runtime)}`);
  }
});

/** Gives `error` the stack of a Node module loader error, with runtime-internal frames only. */
function loaderError<T extends Error>(error: T, code?: string): T {
  error.stack = `${error.name}: ${error.message}\n` +
    "    at compileSourceTextModule (node:internal/modules/esm/utils:357:16)\n" +
    "    at async onImport.tracePromise.__proto__ (node:internal/modules/esm/loader:683:25)";
  return code === undefined ? error : Object.assign(error, { code });
}

Deno.test("isRetryableWithLoader accepts stripping errors", () => {
  const withCode = (code: string) => loaderError(new SyntaxError(code), code);
  assert.equal(isRetryableWithLoader(withCode("ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX")), true);
  assert.equal(
    isRetryableWithLoader(withCode("ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING")),
    true,
  );
  assert.equal(
    isRetryableWithLoader(loaderError(new SyntaxError("Cannot use import statement"))),
    true,
  );
  assert.equal(isRetryableWithLoader(loaderError(new Error("x"), "ERR_MODULE_NOT_FOUND")), false);
  assert.equal(isRetryableWithLoader(loaderError(new TypeError("x is not a function"))), false);
  assert.equal(isRetryableWithLoader(null), false);
});

// A SyntaxError that code threw, such as one of `JSON.parse`, has a frame in
// that code: the module body ran, and a retry would run it again.
Deno.test("isRetryableWithLoader rejects a SyntaxError that code threw", () => {
  const error = new SyntaxError("Unexpected end of JSON input");
  error.stack = `SyntaxError: ${error.message}\n    at JSON.parse (<anonymous>)\n` +
    "    at file:///app/pipeline.ts:3:6\n" +
    "    at ModuleJob.run (node:internal/modules/esm/module_job:377:25)";
  assert.equal(isRetryableWithLoader(error), false);
});

Deno.test("isRetryableWithLoader rejects invalid TypeScript syntax", () => {
  const error = Object.assign(new SyntaxError("Expression expected"), {
    code: "ERR_INVALID_TYPESCRIPT_SYNTAX",
  });
  assert.equal(isRetryableWithLoader(error), false);
});

Deno.test("currentRuntime reports Deno", () => {
  const runtime = currentRuntime();
  assert.equal(typeof runtime.deno, "string");
  assert.equal(importStrategy("/app/pipeline.ts", runtime), "native");
});

Deno.test("importModule imports TypeScript natively", async () => {
  const dir = await tempDir(PREFIX);
  try {
    const path = join(dir, "typed.ts");
    await writeFile(path, TYPED_MODULE);
    const module = await importModule(pathToFileURL(path).href) as { default: { value: number } };
    assert.deepEqual(module.default, { value: 42 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("importModule uses jiti without stripping", async () => {
  const dir = await tempDir(PREFIX);
  try {
    const path = join(dir, "typed.ts");
    await writeFile(path, TYPED_MODULE);
    // A runtime without type stripping: the module can only load through jiti.
    const module = await importModule(pathToFileURL(path).href, { typescript: false }) as {
      default: { value: number };
    };
    assert.deepEqual(module.default, { value: 42 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * Returns the source of a module that appends to `log` each time its body
 * runs and throws a SyntaxError on the runs listed in `failOn`, so a test can
 * tell the native import (run 1) from the jiti retry (run 2). `then` is a
 * statement that runs after that check, on every run that did not fail.
 */
function countingModule(log: string, failOn: number[], then = ""): string {
  return `import { appendFileSync, readFileSync } from "node:fs";
appendFileSync(${JSON.stringify(log)}, "x");
const run: number = readFileSync(${JSON.stringify(log)}, "utf8").length;
if (${JSON.stringify(failOn)}.includes(run)) throw new SyntaxError(\`failed on run \${run}\`);
${then}
export default run;
`;
}

/**
 * A line that the native import rejects before the module body runs and that
 * jiti accepts: Deno, like Node, finds no `Shape` to re-export at run time,
 * where jiti re-exports it as `undefined`.
 */
const REEXPORTED_TYPE = 'export { Shape } from "./shape.ts";';

Deno.test("importModule does not retry a SyntaxError the body threw", async () => {
  const dir = await tempDir(PREFIX);
  try {
    const log = join(dir, "runs.log");
    const path = join(dir, "pipeline.ts");
    await writeFile(path, countingModule(log, [1]));
    await assert.rejects(
      importModule(pathToFileURL(path).href, { typescript: "strip" }),
      (error: Error) => error instanceof SyntaxError && error.message === "failed on run 1",
    );
    assert.equal(await readFile(log, "utf8"), "x", "the module body ran twice");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("importModule retries a link error with jiti", async () => {
  const dir = await tempDir(PREFIX);
  try {
    const log = join(dir, "runs.log");
    const path = join(dir, "pipeline.ts");
    await writeFile(join(dir, "shape.ts"), "export interface Shape { x: number }\n");
    await writeFile(path, `${REEXPORTED_TYPE}\n${countingModule(log, [])}`);
    const module = await importModule(pathToFileURL(path).href, { typescript: "strip" }) as {
      default: number;
    };
    assert.equal(module.default, 1, "the module body ran more than once");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("importModule keeps the native error", async () => {
  const dir = await tempDir(PREFIX);
  try {
    const log = join(dir, "runs.log");
    const path = join(dir, "pipeline.ts");
    await writeFile(join(dir, "shape.ts"), "export interface Shape { x: number }\n");
    await writeFile(path, `${REEXPORTED_TYPE}\n${countingModule(log, [1])}`);
    await assert.rejects(
      importModule(pathToFileURL(path).href, { typescript: "strip" }),
      (error: Error) => error instanceof SyntaxError && /export named 'Shape'/.test(error.message),
    );
    assert.equal(await readFile(log, "utf8"), "x", "jiti did not retry the import");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("importModule reports the error of the body jiti ran", async () => {
  const dir = await tempDir(PREFIX);
  try {
    const log = join(dir, "runs.log");
    const path = join(dir, "pipeline.ts");
    const definitionError =
      'throw Object.assign(new Error("unknown field timout"), { code: "ASYNC_PIPELINE_UNKNOWN_FIELD" });';
    await writeFile(join(dir, "shape.ts"), "export interface Shape { x: number }\n");
    await writeFile(path, `${REEXPORTED_TYPE}\n${countingModule(log, [], definitionError)}`);
    await assert.rejects(
      importModule(pathToFileURL(path).href, { typescript: "strip" }),
      (error: Error & { code?: string }) =>
        error.code === "ASYNC_PIPELINE_UNKNOWN_FIELD" && /timout/.test(error.message),
    );
    assert.equal(await readFile(log, "utf8"), "x", "jiti did not retry the import");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("importModule rethrows other errors", async () => {
  const dir = await tempDir(PREFIX);
  try {
    const log = join(dir, "runs.log");
    const path = join(dir, "pipeline.ts");
    await writeFile(
      path,
      `import { appendFileSync } from "node:fs";
appendFileSync(${JSON.stringify(log)}, "x");
throw new TypeError("not a syntax problem");
`,
    );
    await assert.rejects(
      importModule(pathToFileURL(path).href, { typescript: "strip" }),
      /not a syntax problem/,
    );
    assert.equal(await readFile(log, "utf8"), "x", "a TypeError must not be retried");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
