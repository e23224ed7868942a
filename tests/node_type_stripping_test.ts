import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_DIR } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

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

// Node's type stripping names the line of a syntax error only in the frame
// on top of its stack, so the CLI adds that frame to its message, with the
// column its caret points at.
Deno.test("cli names the line and column of a syntax error", async () => {
  const dir = await tempDir();
  writeFileSync(
    join(dir, "pipeline.ts"),
    `const one: number = 1;\nconst two: number = one +;\nexport default {};\n`,
  );
  const result = spawnSync(NODE, [join(REPO_DIR, "cli/main.ts"), "metadata"], {
    cwd: dir,
    encoding: "utf8",
  });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /CONFIG_LOAD_FAILED\]: Failed to load .*pipeline\.ts: /);
  assert.match(result.stderr, /\n {2}at .*pipeline\.ts:2:26\n/);
  assert.match(result.stderr, /\n {4}const two: number = one \+;\n\s+\^\n/);
});
