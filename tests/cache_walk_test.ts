/** Pattern walking: matchers, skipped directories and named paths. */

import assert from "node:assert/strict";
import picomatch from "picomatch";
import { walkPatternsSync } from "../node/cache/walk.ts";
import { globMatcher, inIgnoredArea } from "../node/cache/patterns.ts";
import { makeProject } from "./cache_fixture.ts";

const GLOBS = [
  "src/**",
  "src/**/*.ts",
  "*.md",
  "docs/{a,b}/*.txt",
  "lib/?.js",
  "pkg/[ab]*/index.js",
  "!(test)/**",
  "a(b)c",
  "config.json",
  ".github/**",
  "**/*.test.*",
];

const PATHS = [
  "src",
  "src/a.ts",
  "src/sub/deep/b.ts",
  "src/.hidden",
  "README.md",
  "docs/a/x.txt",
  "docs/c/x.txt",
  "lib/a.js",
  "lib/ab.js",
  "pkg/app/index.js",
  "pkg/cli/index.js",
  "test/x",
  "a(b)c",
  "abc",
  "config.json",
  "config.jsonx",
  ".github/workflows/ci.yml",
  "x/y.test.ts",
  "",
];

Deno.test("glob matcher agrees with picomatch", () => {
  for (const glob of GLOBS) {
    const expected = picomatch(glob, { dot: true });
    const actual = globMatcher([glob]);
    for (const path of PATHS) {
      assert.equal(actual(path), expected(path), `${glob} on ${JSON.stringify(path)}`);
    }
  }
});

Deno.test("glob matcher matches when any glob does", () => {
  const matcher = globMatcher(["lib/*.js", "docs/**"]);
  assert.equal(matcher("lib/a.js"), true);
  assert.equal(matcher("docs/a/x.txt"), true);
  assert.equal(matcher("src/a.ts"), false);
});

Deno.test("ignored area is any segment named like a tool directory", () => {
  assert.equal(inIgnoredArea(".git"), true);
  assert.equal(inIgnoredArea(".git/HEAD"), true);
  assert.equal(inIgnoredArea("packages/app/node_modules/q/index.js"), true);
  assert.equal(inIgnoredArea("a/.async"), true);
});

Deno.test("ignored area leaves similar names alone", () => {
  assert.equal(inIgnoredArea(".gitignore"), false);
  assert.equal(inIgnoredArea("src/.github/x"), false);
  assert.equal(inIgnoredArea("my_node_modules/x"), false);
  assert.equal(inIgnoredArea("node_module/x"), false);
  assert.equal(inIgnoredArea(""), false);
});

Deno.test("walk reports a named path that is missing", async () => {
  const dir = await makeProject({ "src/a.ts": "a", "config.json": "{}" });
  const result = walkPatternsSync(dir, ["src/**", "config.json", "missing.json", "missing.json"]);
  assert.deepEqual(result.entries.map((entry) => entry.path), ["config.json", "src", "src/a.ts"]);
  assert.deepEqual(result.absent, ["missing.json"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("walk does not report a named path that an exclusion hides", async () => {
  const dir = await makeProject({ "config.json": "{}" });
  const result = walkPatternsSync(dir, ["config.json", "!config.json"]);
  assert.deepEqual(result.entries, []);
  assert.deepEqual(result.absent, []);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("walk lists many files once each, in order", async () => {
  const files: Record<string, string> = {};
  for (let n = 0; n < 300; n++) files[`src/f${String(299 - n).padStart(3, "0")}.txt`] = `${n}`;
  const dir = await makeProject(files);
  const result = walkPatternsSync(dir, ["src/**", "src/f1*"]);
  const paths = result.entries.map((entry) => entry.path);
  assert.equal(paths.length, 301);
  assert.deepEqual(paths, [...new Set(paths)].sort());
  await Deno.remove(dir, { recursive: true });
});

Deno.test("walk visit sees what entries list", async () => {
  const dir = await makeProject({ "src/a.ts": "a", "src/sub/b.ts": "b", "src/c.md": "c" });
  const patterns = ["src/**", "!src/c.md", "missing.txt"];
  const listed = walkPatternsSync(dir, patterns);
  const visited: string[] = [];
  const result = walkPatternsSync(dir, patterns, {
    visit: (path, kind) => visited.push(`${kind}:${path}`),
  });
  assert.deepEqual(result.entries, []);
  assert.deepEqual(result.absent, ["missing.txt"]);
  const expected = listed.entries.map((entry) => `${entry.kind}:${entry.path}`);
  assert.deepEqual(visited.sort(), expected.sort());
});
