import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_DIR } from "./support/projects.ts";

/** Node 24 from the repository's devDependencies, which strips types without a flag. */
const NODE = join(REPO_DIR, "node_modules/.bin/node");

// The benchmark profiler runs the sources under Node, which only erases type
// syntax. Parameter properties, enums and namespaces fail to load there.
Deno.test("sources load under Node type stripping", () => {
  const exports = JSON.parse(readFileSync(join(REPO_DIR, "deno.json"), "utf8")).exports;
  const script = Object.values(exports)
    .map((entry) => `await import(${JSON.stringify(join(REPO_DIR, String(entry)))});`)
    .join("\n");
  const result = spawnSync(NODE, ["--input-type=module", "-e", script], {
    cwd: REPO_DIR,
    encoding: "utf8",
  });
  assert.equal(result.stderr, "");
  assert.equal(result.status, 0);
});
