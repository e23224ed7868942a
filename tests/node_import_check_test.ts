/** The check of named imports in modules that jiti loads: `node/import_check.ts`. */

import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { importModule } from "../node/import_module.ts";
import { importFailure } from "../node/load.ts";
import { removeJitiCacheAfterAll } from "./support/jiti_cache.ts";
import { tempDir } from "./support/temp_files.ts";

/** Name prefix of this file's temporary directories. */
const PREFIX = "async-pipeline-import-check-";

removeJitiCacheAfterAll(PREFIX);

/** The module that the pipelines below import from. */
const EXTRA_TS = `export const extraTasks = { fmt: "fmt", audit: "audit" };
export const unset = undefined;
export interface Shape { readonly x: number }
`;

/** Writes `files` into a new directory and imports its `pipeline.ts` through jiti. */
async function loadWithJiti(files: Record<string, string>): Promise<unknown> {
  const dir = await tempDir(PREFIX);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  // A runtime without type stripping: the module can only load through jiti.
  return await importModule(pathToFileURL(join(dir, "pipeline.ts")).href, { typescript: false });
}

/** Imports through jiti and returns the error, failing when the import succeeds. */
async function jitiError(files: Record<string, string>): Promise<Error> {
  return await loadWithJiti(files).then(
    () => assert.fail("the module loaded"),
    (error: Error) => error,
  );
}

Deno.test("jiti fails on a misspelled named import", async () => {
  const error = await jitiError({
    "extra.ts": EXTRA_TS,
    "pipeline.ts":
      `// tasks\nimport { extraTask } from "./extra.ts";\nexport default { ...extraTask };\n`,
  });
  assert.ok(error instanceof SyntaxError, `not a SyntaxError: ${error}`);
  assert.equal(
    error.message,
    "The requested module './extra.ts' does not provide an export named 'extraTask'",
  );
});

Deno.test("jiti names the line and column of a missing import", async () => {
  const error = await jitiError({
    "extra.ts": EXTRA_TS,
    "pipeline.ts":
      `// tasks\nimport { extraTasks, audit as a } from "./extra.ts";\nexport default a;\n`,
  });
  assert.match(
    importFailure(error),
    new RegExp(
      "^The requested module './extra\\.ts' does not provide an export named 'audit'\\n" +
        " {2}at file:///\\S+/pipeline\\.ts:2:22\\n" +
        ' {4}import \\{ extraTasks, audit as a \\} from "\\./extra\\.ts";\\n' +
        " {4} {21}\\^{10}$",
    ),
  );
});

Deno.test("jiti fails on a missing import from a built-in module", async () => {
  const error = await jitiError({
    "pipeline.ts": `import { readFileSyncc } from "node:fs";\nexport default readFileSyncc;\n`,
  });
  assert.match(error.message, /'node:fs' does not provide an export named 'readFileSyncc'/);
});

Deno.test("jiti loads a type imported without import type", async () => {
  const module = await loadWithJiti({
    "extra.ts": EXTRA_TS,
    "pipeline.ts": `import { Shape, extraTasks } from "./extra.ts";
const shape: Shape = { x: 1 };
export default { ...extraTasks, x: shape.x };
`,
  }) as { default: Record<string, unknown> };
  assert.deepEqual(module.default, { fmt: "fmt", audit: "audit", x: 1 });
});

Deno.test("jiti loads an export whose value is undefined", async () => {
  const module = await loadWithJiti({
    "extra.ts": EXTRA_TS,
    "pipeline.ts": `import { unset } from "./extra.ts";\nexport default { unset };\n`,
  }) as { default: Record<string, unknown> };
  assert.deepEqual(module.default, { unset: undefined });
});

Deno.test("jiti checks imports before the module body runs", async () => {
  const dir = await tempDir(PREFIX);
  const log = join(dir, "runs.log");
  await writeFile(join(dir, "extra.ts"), EXTRA_TS);
  await writeFile(
    join(dir, "pipeline.ts"),
    `import { appendFileSync } from "node:fs";
appendFileSync(${JSON.stringify(log)}, "x");
import { extraTask } from "./extra.ts";
export default extraTask;
`,
  );
  await assert.rejects(
    importModule(pathToFileURL(join(dir, "pipeline.ts")).href, { typescript: false }),
    /does not provide an export named 'extraTask'/,
  );
  await assert.rejects(readFile(log), { code: "ENOENT" }, "the module body ran");
});

// In a cycle, the export names of each module exist before its body runs,
// because jiti's compiled code declares them first.
Deno.test("jiti loads named imports of a cycle", async () => {
  const module = await loadWithJiti({
    "pipeline.ts": `import { describe } from "./b.ts";
export const count = 1;
export function name() { return "a"; }
export default describe();
`,
    "b.ts": `import { count, name } from "./pipeline.ts";
export function describe() { return name() + count; }
`,
  }) as { default: string };
  assert.equal(module.default, "a1");
});

Deno.test("jiti checks named imports of a CommonJS package", async () => {
  const files = {
    "node_modules/counter/package.json": '{ "name": "counter", "main": "main.js" }\n',
    "node_modules/counter/main.js": "exports.next = (n) => n + 1;\n",
  };
  const loaded = await loadWithJiti({
    ...files,
    "pipeline.ts": `import { next } from "counter";\nexport default next(1);\n`,
  }) as { default: number };
  assert.equal(loaded.default, 2);

  const error = await jitiError({
    ...files,
    "pipeline.ts": `import { nxt } from "counter";\nexport default nxt;\n`,
  });
  assert.match(error.message, /'counter' does not provide an export named 'nxt'/);
});
