/** The README and guides that the npm build copies, and their relative links. */

import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { copyDocs, unlinkMissingTargets } from "../scripts/npm_docs.ts";
import { tempDir } from "./support/temp_files.ts";

const SHIPPED = new Set(["README.md", "docs/running.md", "docs/cache.md", "mod.js"]);

Deno.test("link to a shipped guide stays", () => {
  const text = "See [running](docs/running.md#limits) and [the API](mod.js).";
  assert.equal(unlinkMissingTargets(text, "README.md", SHIPPED), text);
});

Deno.test("link to a missing file becomes text", () => {
  assert.equal(
    unlinkMissingTargets("runs [`pipeline.ts`](pipeline.ts) first", "README.md", SHIPPED),
    "runs `pipeline.ts` first",
  );
});

Deno.test("link leaving the docs folder", () => {
  assert.equal(
    unlinkMissingTargets("see [bench](../bench/README.md).", "docs/cache.md", SHIPPED),
    "see bench.",
  );
  assert.equal(
    unlinkMissingTargets("see [running](running.md).", "docs/cache.md", SHIPPED),
    "see [running](running.md).",
  );
});

Deno.test("links with a scheme stay", () => {
  const text = "[jiti](https://github.com/unjs/jiti), [mail](mailto:a@b.c), [top](#usage)";
  assert.equal(unlinkMissingTargets(text, "README.md", SHIPPED), text);
});

Deno.test("images stay", () => {
  const text = "![diagram](graph.svg)";
  assert.equal(unlinkMissingTargets(text, "README.md", SHIPPED), text);
});

Deno.test("code keeps link syntax", () => {
  const text = [
    "`a[0](b)` and [x](missing.md)",
    "```ts",
    "handlers[0](event);",
    "[not](a-link.md)",
    "```",
    "~~~",
    "[still](code.md)",
    "~~~",
    "[after](missing.md)",
  ].join("\n");
  assert.equal(
    unlinkMissingTargets(text, "README.md", SHIPPED),
    [
      "`a[0](b)` and x",
      "```ts",
      "handlers[0](event);",
      "[not](a-link.md)",
      "```",
      "~~~",
      "[still](code.md)",
      "~~~",
      "after",
    ].join("\n"),
  );
});

Deno.test("percent-escaped link target", () => {
  const shipped = new Set(["docs/a b.md"]);
  assert.equal(
    unlinkMissingTargets("[a](docs/a%20b.md)", "README.md", shipped),
    "[a](docs/a%20b.md)",
  );
  assert.equal(unlinkMissingTargets("[a](docs/%zz.md)", "README.md", shipped), "a");
});

Deno.test("copyDocs writes readme and guides", async () => {
  const root = await tempDir("async-pipeline-npm-docs-");
  const out = join(root, "out");
  await mkdir(join(root, "docs"), { recursive: true });
  await writeFile(join(root, "README.md"), "[guide](docs/a.md) [src](pipeline.ts)\n");
  await writeFile(join(root, "docs", "a.md"), "[back](../README.md) [b](b.md) [x](../x.ts)\n");
  await writeFile(join(root, "docs", "b.md"), "# b\n");
  await writeFile(join(root, "docs", "notes.txt"), "not a guide\n");

  const written = await copyDocs(root, out, ["mod.js"]);

  assert.deepEqual(written, ["README.md", "docs/a.md", "docs/b.md"]);
  assert.equal(await readFile(join(out, "README.md"), "utf8"), "[guide](docs/a.md) src\n");
  assert.equal(
    await readFile(join(out, "docs", "a.md"), "utf8"),
    "[back](../README.md) [b](b.md) x\n",
  );
  await assert.rejects(readFile(join(out, "docs", "notes.txt")), { code: "ENOENT" });
});
