/** A broken package.json beside the pipeline is named, with the place of the error. */

import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  describePackageJson,
  nearestPackageJson,
  packageConfigFailure,
  packageJsonProblem,
} from "../node/package_config.ts";
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
  assert.doesNotMatch(result.stderr, /Fix the error, in the pipeline file/);
});

Deno.test("packageJsonProblem names a byte order mark", async () => {
  const path = join(await tempDir(), "package.json");
  await writeFile(path, '\uFEFF{ "name": "app" }\n');
  assert.equal(
    await packageJsonProblem(path),
    "it starts with a byte order mark (BOM), which Node 20 cannot read",
  );
});

Deno.test("packageJsonProblem accepts a JSON object", async () => {
  const path = join(await tempDir(), "package.json");
  await writeFile(path, '{ "name": "app" }\n');
  assert.equal(await packageJsonProblem(path), undefined);
});

Deno.test("nearestPackageJson looks in parent directories", async () => {
  const dir = await tempDir();
  await writeFile(join(dir, "package.json"), "{}\n");
  await mkdir(join(dir, "a/b"), { recursive: true });
  assert.equal(nearestPackageJson(join(dir, "a/b")), join(dir, "package.json"));
});

Deno.test("cli under Node adds a broken package.json to a load failure's hint", async () => {
  const dir = await tempDir();
  await writeFile(join(dir, "package.json"), '\uFEFF{ "name": "app", "type": "module" }\n');
  await writeFile(join(dir, "pipeline.ts"), 'throw new Error("boom");\n');
  const result = await runCliUnder("node", dir, ["metadata"]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /CONFIG_LOAD_FAILED\]: Failed to load .*pipeline\.ts: boom/);
  assert.match(
    result.stderr,
    /hint: Fix the error, in the pipeline file or a module it imports, and run again\. Check .*package\.json too, which Node reads to load it: it starts with a byte order mark/,
  );
});
