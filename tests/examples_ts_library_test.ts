import assert from "node:assert/strict";
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { readLatestRecord, REPO_DIR, runCli } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

const EXAMPLE_DIR = join(REPO_DIR, "examples/ts-library");

Deno.test("ts-library example builds, tests and packs", async () => {
  await rm(join(EXAMPLE_DIR, "dist"), { recursive: true, force: true });
  try {
    // npm (run by the pack task) may write its compile cache to TMPDIR.
    const result = await runCli(EXAMPLE_DIR, ["run", "release"], { TMPDIR: await tempDir() });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /✓ build passed/);
    assert.match(result.stdout, /\[test\] ✔ uniqueSlug numbers duplicates/);
    assert.match(result.stdout, /✓ test passed/);
    assert.match(result.stdout, /\[pack\] example-slug-1\.0\.0\.tgz/);
    assert.match(result.stdout, /release passed in .*: 3 passed, 0 cached, 0 failed, 0 skipped/);

    const dist = (await readdir(join(EXAMPLE_DIR, "dist"))).sort();
    assert.deepEqual(dist, [
      "example-slug-1.0.0.tgz",
      "index.d.ts",
      "index.js",
      "slug.d.ts",
      "slug.js",
      "unique.d.ts",
      "unique.js",
    ]);
    const { record } = await readLatestRecord(EXAMPLE_DIR);
    assert.equal(record.status, "passed");
    assert.deepEqual(record.tasks.map((task) => task.id), ["build", "pack", "test"]);
  } finally {
    await rm(join(EXAMPLE_DIR, "dist"), { recursive: true, force: true });
    await rm(join(EXAMPLE_DIR, ".async"), { recursive: true, force: true });
  }
});

Deno.test("ts-library pipeline tests pass", async () => {
  const output = await new Deno.Command(join(REPO_DIR, "node_modules/.bin/deno"), {
    args: ["test", "-A", "examples/ts-library/pipeline_test.ts"],
    cwd: REPO_DIR,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, text);
  assert.match(text, /ok \| 3 passed \| 0 failed/);
});
