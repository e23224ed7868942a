/** A broken package.json beside the pipeline is named, with the place of the error. */

import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describePackageJson, packageConfigFailure } from "../node/package_config.ts";
import { runCliUnder } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

/** Node refuses an unquoted value at the top level; it skips errors in parts it does not read. */
const UNQUOTED = '{\n  "name": "app",\n  "type": module\n}\n';
const UNFINISHED = '{\n  "name": "app",\n  "type": "module"\n';

Deno.test("describePackageJson gives the line and column of a syntax error", async () => {
  const path = join(await tempDir(), "package.json");
  await writeFile(path, UNQUOTED);
  assert.equal(
    await describePackageJson(path),
    "it is not valid JSON at line 3, column 11 (InvalidSymbol)",
  );
});

Deno.test("describePackageJson says when the JSON ends early", async () => {
  const path = join(await tempDir(), "package.json");
  await writeFile(path, UNFINISHED);
  assert.equal(
    await describePackageJson(path),
    "it ends before its JSON is complete (CloseBraceExpected)",
  );
});

Deno.test("describePackageJson rejects JSON that is not an object", async () => {
  const path = join(await tempDir(), "package.json");
  await writeFile(path, "[1, 2]\n");
  assert.equal(await describePackageJson(path), "it does not hold a JSON object");
});

Deno.test("packageConfigFailure reads both loaders' messages", async () => {
  const path = join(await tempDir(), "package.json");
  await writeFile(path, UNQUOTED);
  const native = Object.assign(new Error(`Invalid package config ${path}.`), {
    code: "ERR_INVALID_PACKAGE_CONFIG",
  });
  const jiti = new SyntaxError(`Error parsing ${path}: Unexpected token 'm'`);
  for (const error of [native, jiti]) {
    assert.deepEqual(await packageConfigFailure(error), {
      path,
      problem: "it is not valid JSON at line 3, column 11 (InvalidSymbol)",
    });
  }
  assert.equal(await packageConfigFailure(new Error(`Cannot find ${path}`)), undefined);
});

Deno.test("cli under Node names a broken package.json instead of the pipeline", async () => {
  const dir = await tempDir();
  await writeFile(join(dir, "package.json"), UNQUOTED);
  // Node reads the project's package.json when it resolves a package import.
  await mkdir(join(dir, "node_modules/dep"), { recursive: true });
  await writeFile(
    join(dir, "node_modules/dep/package.json"),
    '{ "name": "dep", "type": "module", "exports": "./index.js" }\n',
  );
  await writeFile(join(dir, "node_modules/dep/index.js"), "export default 1;\n");
  await writeFile(join(dir, "pipeline.ts"), 'import dep from "dep";\nexport default { dep };\n');
  const result = await runCliUnder("node", dir, ["metadata"]);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /CONFIG_LOAD_FAILED\]: Failed to load .*pipeline\.ts: Node reads .*package\.json to load it, and it is not valid JSON at line 3, column 11 \(InvalidSymbol\)\./,
  );
  assert.match(result.stderr, /hint: Fix .*package\.json and run again\./);
  assert.doesNotMatch(result.stderr, /Fix the error in the pipeline file/);
});
