import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { bundleLocator, moduleStarts } from "../bench/lib/bundle_locator.ts";
import { rootLocator, summarizeProfile } from "../bench/lib/cpuprofile.ts";
import { tempDir } from "./support/temp_files.ts";

const BUNDLE = [
  'import { x } from "./other.js";', // line 0: before any module
  "",
  "// core/errors.js", // line 2
  "function fail() {}",
  "",
  "// async-pipeline-builtin:node:path", // line 5
  "var path = {};",
  "// node/cache/overlap.js", // line 7
  "function see() {}",
  "// not a module comment",
].join("\n");

/** Writes a package with one bundle file and a repository with core/errors.ts. */
async function fixture() {
  const dir = await tempDir();
  const packageDir = join(dir, "pkg");
  const repoDir = join(dir, "repo");
  await mkdir(join(packageDir, "chunks"), { recursive: true });
  await mkdir(join(repoDir, "core"), { recursive: true });
  await writeFile(join(packageDir, "chunks", "chunk-A.js"), BUNDLE);
  await writeFile(join(repoDir, "core", "errors.ts"), "");
  const url = pathToFileURL(join(packageDir, "chunks", "chunk-A.js")).href;
  return { packageDir, repoDir, url };
}

Deno.test("bundle module starts skip other comments", () => {
  assert.deepEqual(moduleStarts(BUNDLE), [
    { line: 2, module: "core/errors.js" },
    { line: 5, module: "async-pipeline-builtin:node:path" },
    { line: 7, module: "node/cache/overlap.js" },
  ]);
});

Deno.test("bundle locator names the repository source", async () => {
  const { packageDir, repoDir, url } = await fixture();
  const locate = bundleLocator(packageDir, repoDir);
  assert.deepEqual(locate(url, 3), {
    script: "chunks/chunk-A.js",
    module: "core/errors.ts",
    own: true,
  });
});

Deno.test("bundle locator keeps a compiled name without source", async () => {
  const { packageDir, repoDir, url } = await fixture();
  assert.equal(bundleLocator(packageDir, repoDir)(url, 8).module, "node/cache/overlap.js");
});

Deno.test("bundle locator keeps the file before any module", async () => {
  const { packageDir, repoDir, url } = await fixture();
  assert.equal(bundleLocator(packageDir, repoDir)(url, 0).module, "chunks/chunk-A.js");
});

Deno.test("bundle locator leaves runtime frames alone", async () => {
  const { packageDir, repoDir } = await fixture();
  const location = bundleLocator(packageDir, repoDir)("node:internal/errors", 10);
  assert.deepEqual(location, {
    script: "node:internal/errors",
    module: "node:internal/errors",
    own: false,
  });
});

Deno.test("root locator excludes node_modules from own files", () => {
  const locate = rootLocator("/repo/");
  assert.equal(locate("file:///repo/core/a.ts", 0).own, true);
  assert.equal(locate("file:///repo/node_modules/yaml/index.js", 0).own, false);
  assert.equal(locate("", 0).module, "(native)");
});

Deno.test("profile summary adds time per bundled module", async () => {
  const { packageDir, repoDir, url } = await fixture();
  const profile = {
    nodes: [
      { id: 1, callFrame: { functionName: "(root)", url: "", lineNumber: -1 }, children: [2] },
      { id: 2, callFrame: { functionName: "fail", url, lineNumber: 3 }, children: [3] },
      { id: 3, callFrame: { functionName: "see", url, lineNumber: 8 } },
    ],
    samples: [3, 2, 3],
    timeDeltas: [0, 1000, 2000, 4000],
    startTime: 0,
    endTime: 7000,
  };
  const summary = summarizeProfile(profile, bundleLocator(packageDir, repoDir));
  // Sample times are the gaps to the next sample: 1, 2 and 4 ms.
  assert.deepEqual(summary.files.map((spot) => [spot.name, spot.selfMs]), [
    ["node/cache/overlap.js", 5],
    ["core/errors.ts", 2],
  ]);
  assert.deepEqual(summary.rootFiles.map((spot) => [spot.name, spot.selfMs]), [
    ["core/errors.ts", 7],
    ["node/cache/overlap.js", 5],
  ]);
  assert.equal(summary.functions[0].name, "see chunks/chunk-A.js:9 (node/cache/overlap.js)");
});
