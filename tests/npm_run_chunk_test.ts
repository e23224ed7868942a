/** How the npm bundle keeps a run's modules in one chunk: `scripts/npm_run_chunk.ts`. */

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  linkRunPath,
  type ModuleGraph,
  prepareRunChunk,
  readModuleGraph,
  RUN_PATH_MODULE,
  runPathModules,
} from "../scripts/npm_run_chunk.ts";

import { withTempFiles } from "./support/temp_files.ts";

/** Writes `files` into a new temporary directory and passes it to `fn`. */
function withFiles(
  files: Record<string, string>,
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  return withTempFiles("npm-run-chunk-", files, fn);
}

const GRAPH: ModuleGraph = {
  imports: new Map([
    ["cli/main.js", ["cli/app.js"]],
    ["cli/app.js", ["core/errors.js"]],
    ["mod.js", ["core/mod.js"]],
    ["core/mod.js", ["core/errors.js", "core/model.js"]],
    ["node/github/workflow.js", ["core/model.js"]],
  ]),
  dynamicTargets: new Set(["node/github/workflow.js"]),
};

Deno.test("run path follows static imports from its roots", () => {
  assert.deepEqual(runPathModules(GRAPH, ["cli/main.js", "mod.js"], []), [
    "cli/app.js",
    "cli/main.js",
    "core/errors.js",
    "core/mod.js",
    "core/model.js",
    "mod.js",
  ]);
});

Deno.test("run path leaves out excluded modules", () => {
  const modules = runPathModules(GRAPH, ["cli/main.js"], ["cli/main.js"]);
  assert.deepEqual(modules, ["cli/app.js", "core/errors.js"]);
});

Deno.test("module graph separates dynamic imports", async () => {
  await withFiles({
    "main.js": 'import { a } from "./a.js";\nexport const b = () => import("./lazy.js");\n',
    "a.js": 'import "picomatch";\nexport const a = 1;\n',
    "lazy.js": "export const lazy = 2;\n",
  }, async (dir) => {
    const graph = await readModuleGraph(dir, ["main.js"]);
    assert.deepEqual(graph.imports.get("main.js"), ["a.js"]);
    assert.deepEqual(graph.imports.get("a.js"), []);
    assert.deepEqual([...graph.dynamicTargets], ["lazy.js"]);
  });
});

Deno.test("linking writes the run path module", async () => {
  await withFiles({ "cli/main.js": "export {};\n" }, async (dir) => {
    await linkRunPath(dir, ["core/errors.js", "mod.js"], []);
    assert.equal(
      await readFile(join(dir, RUN_PATH_MODULE), "utf8"),
      'import "./core/errors.js";\nimport "./mod.js";\n',
    );
  });
});

Deno.test("linking appends the import to importers", async () => {
  await withFiles({ "cli/main.js": "export const x = 1;\n" }, async (dir) => {
    await linkRunPath(dir, [], ["cli/main.js"]);
    assert.equal(
      await readFile(join(dir, "cli/main.js"), "utf8"),
      'export const x = 1;\n\nimport "../run_path.js";\n',
    );
  });
});

Deno.test("prepare links entries and lazy modules but not the bin", async () => {
  const files = {
    "cli/bin.js": 'await import("./main.js");\n',
    "cli/main.js": 'import { run } from "./commands/index.js";\nexport { run };\n',
    "cli/commands/index.js": 'export const run = () => import("./run.js");\n',
    "cli/commands/run.js": 'import { model } from "../../core/model.js";\nexport { model };\n',
    "core/model.js": "export const model = 1;\n",
    "mod.js": 'export * from "./core/model.js";\n',
  };
  await withFiles(files, async (dir) => {
    const entries = ["cli/bin.js", "cli/main.js", "mod.js"];
    await prepareRunChunk(dir, entries, { bin: "cli/bin.js", main: "cli/main.js" });
    const linked = await readFile(join(dir, RUN_PATH_MODULE), "utf8");
    assert.doesNotMatch(linked, /cli\/main\.js/);
    assert.match(linked, /"\.\/cli\/commands\/run\.js"/);
    assert.match(linked, /"\.\/core\/model\.js"/);
    assert.equal(await readFile(join(dir, "cli/bin.js"), "utf8"), files["cli/bin.js"]);
    for (const path of ["cli/main.js", "mod.js", "cli/commands/run.js"]) {
      assert.match(await readFile(join(dir, path), "utf8"), /run_path\.js";\n$/, path);
    }
  });
});
