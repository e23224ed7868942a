/** How the npm bundle loads CommonJS dependencies: `scripts/npm_commonjs.ts`. */

import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import {
  checkRequiredPackages,
  requiredPackageSource,
  requirePlugin,
} from "../scripts/npm_commonjs.ts";

import { withTempFiles } from "./support/temp_files.ts";

/** Writes `files` into a new temporary directory and passes it to `fn`. */
function withFiles(
  files: Record<string, string>,
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  return withTempFiles("npm-commonjs-", files, fn);
}

const COUNTER_PACKAGE = {
  "node_modules/counter/package.json": '{ "name": "counter", "main": "main.js" }\n',
  "node_modules/counter/main.js": "module.exports = { next: (n) => n + 1 };\n",
};

Deno.test("stand-in exports the package's module.exports", async () => {
  await withFiles(
    { ...COUNTER_PACKAGE, "stand_in.mjs": requiredPackageSource("counter") },
    async (dir) => {
      const module = await import(pathToFileURL(join(dir, "stand_in.mjs")).href);
      assert.equal(module.default.next(1), 2);
      assert.deepEqual(Object.keys(module), ["default"]);
    },
  );
});

Deno.test("required packages include picomatch", async () => {
  await checkRequiredPackages(["picomatch"]);
});

Deno.test("required packages reject an ES module package", async () => {
  await withFiles({
    "node_modules/esm/package.json": '{ "name": "esm", "type": "module" }\n',
  }, async (dir) => {
    await assert.rejects(
      () => checkRequiredPackages(["esm"], join(dir, "node_modules")),
      /esm has "type": "module"/,
    );
  });
});

Deno.test("required packages reject an exports map", async () => {
  await withFiles({
    "node_modules/mapped/package.json": '{ "name": "mapped", "exports": "./main.js" }\n',
  }, async (dir) => {
    await assert.rejects(
      () => checkRequiredPackages(["mapped"], join(dir, "node_modules")),
      /mapped has an exports map/,
    );
  });
});

Deno.test("plugin rejects a named import", async () => {
  await withFiles({
    ...COUNTER_PACKAGE,
    "entry.js": 'import { next } from "counter";\nconsole.log(next(1));\n',
  }, async (dir) => {
    try {
      await assert.rejects(
        () =>
          esbuild.build({
            absWorkingDir: dir,
            entryPoints: ["entry.js"],
            bundle: true,
            write: false,
            format: "esm",
            platform: "node",
            plugins: [requirePlugin(["counter"])],
            logLevel: "silent",
          }),
        /No matching export .* for import "next"/,
      );
    } finally {
      await esbuild.stop();
    }
  });
});
