import assert from "node:assert/strict";
import { checkOutDir, checkVersion } from "../scripts/build_npm.ts";
import { rewriteSpecifier } from "../scripts/npm_compile.ts";
import { emittedPath, npmExports, npmManifest } from "../scripts/npm_manifest.ts";

const DENO_CONFIG = {
  name: "@async/pipeline",
  version: "1.2.3",
  license: "MIT",
  exports: { ".": "./mod.ts", "./core": "./core/mod.ts", "./cli": "./cli/main.ts" },
};

Deno.test("emittedPath maps ts modules", () => {
  assert.equal(emittedPath("./core/mod.ts", ".js"), "./core/mod.js");
  assert.equal(emittedPath("./core/mod.ts", ".d.ts"), "./core/mod.d.ts");
  assert.equal(emittedPath("cli/bin.ts", ".js"), "./cli/bin.js");
  assert.equal(emittedPath("./tool.mts", ".js"), "./tool.mjs");
  assert.equal(emittedPath("./tool.mts", ".d.ts"), "./tool.d.mts");
});

Deno.test("emittedPath rejects non-ts paths", () => {
  assert.throws(() => emittedPath("./mod.js", ".js"), /expected a \.ts or \.mts module/);
});

Deno.test("npmExports mirrors every subpath", () => {
  assert.deepEqual(npmExports(DENO_CONFIG.exports), {
    ".": { types: "./mod.d.ts", import: "./mod.js" },
    "./core": { types: "./core/mod.d.ts", import: "./core/mod.js" },
    "./cli": { types: "./cli/main.d.ts", import: "./cli/main.js" },
    "./package.json": "./package.json",
  });
});

Deno.test("npmManifest builds the whole manifest", () => {
  const manifest = npmManifest(DENO_CONFIG, {
    dependencies: { yaml: "^2.9.1", jiti: "^2.7.0" },
  });
  assert.deepEqual(manifest, {
    name: "@async/pipeline",
    version: "1.2.3",
    description:
      "Typed task pipelines: a content-addressed cache, execution records and GitHub Actions generation.",
    license: "MIT",
    type: "module",
    exports: npmExports(DENO_CONFIG.exports),
    bin: { "async-pipeline": "./cli/bin.js" },
    engines: { node: ">=20" },
    dependencies: { jiti: "^2.7.0", yaml: "^2.9.1" },
    keywords: ["pipeline", "task-runner", "ci", "github-actions", "cache", "deno"],
  });
});

Deno.test("npmManifest sorts and copies dependencies", () => {
  const manifest = npmManifest(DENO_CONFIG, { dependencies: { b: "1", a: "2" } });
  assert.deepEqual(Object.keys(manifest.dependencies), ["a", "b"]);
  assert.deepEqual(npmManifest(DENO_CONFIG, {}).dependencies, {});
});

Deno.test("npmManifest rejects incomplete deno.json", () => {
  assert.throws(
    () => npmManifest({ ...DENO_CONFIG, version: "" }, {}),
    /deno\.json: "version" is missing/,
  );
  assert.throws(
    () => npmManifest({ ...DENO_CONFIG, name: undefined as unknown as string }, {}),
    /deno\.json: "name" is missing/,
  );
  assert.throws(
    () => npmManifest({ ...DENO_CONFIG, exports: {} }, {}),
    /deno\.json: "exports" is missing/,
  );
});

Deno.test("rewriteSpecifier rewrites relative ts only", () => {
  assert.equal(rewriteSpecifier("./load.ts"), "./load.js");
  assert.equal(rewriteSpecifier("../core/mod.ts"), "../core/mod.js");
  assert.equal(rewriteSpecifier("./tool.mts"), "./tool.mjs");
  assert.equal(rewriteSpecifier("./load.js"), "./load.js");
  assert.equal(rewriteSpecifier("node:path"), "node:path");
  assert.equal(rewriteSpecifier("some-package/file.ts"), "some-package/file.ts");
});

Deno.test("checkVersion rejects a mismatch", () => {
  assert.doesNotThrow(() => checkVersion("1.0.0", "1.0.0"));
  assert.throws(
    () => checkVersion("1.0.0", "0.9.0"),
    /deno\.json has "1\.0\.0" but core\/version\.ts has "0\.9\.0"/,
  );
});

Deno.test("checkOutDir rejects the repository", () => {
  assert.doesNotThrow(() => checkOutDir("/repo", "/repo/npm"));
  assert.doesNotThrow(() => checkOutDir("/repo", "/tmp/package"));
  assert.doesNotThrow(() => checkOutDir("/repo", "/repository"));
  for (const outDir of ["/repo", "/repo/", "/", "/repo/.."]) {
    assert.throws(
      () => checkOutDir("/repo", outDir),
      /contains the repository/,
      `${outDir} must be rejected`,
    );
  }
});
