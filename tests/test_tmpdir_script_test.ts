import assert from "node:assert/strict";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describeLeftovers } from "../scripts/test_tmpdir.ts";
import { DENO, REPO_ROOT, runCommand } from "./npm_harness.ts";
import { tempDir } from "./support/temp_files.ts";

const SCRIPT = join(REPO_ROOT, "scripts/test_tmpdir.ts");

/** Runs the script on a test file holding `source`, with `tmp` as the outer TMPDIR. */
async function runScript(source: string, tmp: string) {
  const dir = await tempDir();
  await writeFile(join(dir, "sample_test.ts"), source);
  const args = ["run", "-A", SCRIPT, "-A", "--no-config", "sample_test.ts"];
  const env = { ...Deno.env.toObject(), NO_COLOR: "1", TMPDIR: tmp };
  const output = await runCommand(DENO, args, { cwd: dir, env });
  return { code: output.code, text: output.stdout + output.stderr };
}

Deno.test("tmpdir script passes clean tests", async () => {
  const tmp = await tempDir();
  const result = await runScript(`Deno.test("clean", () => {});\n`, tmp);
  assert.equal(result.code, 0, result.text);
  assert.doesNotMatch(result.text, /left/);
});

Deno.test("tmpdir script fails on leftovers", async () => {
  const tmp = await tempDir();
  const source = `Deno.test("leaks", async () => {
  await Deno.makeTempDir({ prefix: "leaked-" });
});
`;
  const result = await runScript(source, tmp);
  assert.equal(result.code, 1, result.text);
  assert.match(result.text, /ok \| 1 passed/);
  assert.match(result.text, /the tests left 1 entries in their temporary directory:\n {2}leaked-/);
});

Deno.test("tmpdir script keeps test failures", async () => {
  const tmp = await tempDir();
  const result = await runScript(`Deno.test("fails", () => { throw new Error("boom"); });\n`, tmp);
  assert.notEqual(result.code, 0);
  assert.match(result.text, /FAILED \| 0 passed \| 1 failed/);
  assert.doesNotMatch(result.text, /the tests left/);
});

Deno.test("tmpdir script removes its directory", async () => {
  const tmp = await tempDir();
  const source = `Deno.test("leaks", async () => {
  await Deno.writeTextFile(await Deno.makeTempFile(), "left");
});
`;
  const result = await runScript(source, tmp);
  assert.equal(result.code, 1, result.text);
  assert.match(result.text, /the tests left 1 entries/);
  assert.deepEqual(await readdir(tmp), []);
});

Deno.test("describeLeftovers accepts empty directory", async () => {
  assert.equal(await describeLeftovers(await tempDir()), undefined);
});

Deno.test("describeLeftovers counts unnamed entries", async () => {
  const dir = await tempDir();
  for (let i = 0; i < 25; i++) await mkdir(join(dir, `entry-${String(i).padStart(2, "0")}`));
  const text = await describeLeftovers(dir);
  assert.ok(text);
  assert.match(text, /left 25 entries/);
  assert.match(text, /entry-00\n/);
  assert.match(text, /entry-19\n {2}\.\.\. and 5 more\n/);
  assert.doesNotMatch(text, /entry-20/);
});
