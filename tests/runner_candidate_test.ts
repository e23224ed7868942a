import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { readCandidate } from "../node/runner/candidate.ts";
import { git, gitTestEnv } from "./support/git.ts";
import { tempDir } from "./support/temp_files.ts";

async function committedRepo(): Promise<string> {
  const dir = await tempDir();
  await git(dir, "init", "-q");
  await writeFile(join(dir, "a.txt"), "a\n");
  await git(dir, "add", ".");
  await git(dir, "commit", "-qm", "init");
  return dir;
}

Deno.test("candidate ignores runner state", async () => {
  const dir = await committedRepo();
  const before = await readCandidate(dir, gitTestEnv());
  await mkdir(join(dir, ".async/runs/r1"), { recursive: true });
  await writeFile(join(dir, ".async/runs/r1/execution.json"), "{}");
  await mkdir(join(dir, "node_modules/x"), { recursive: true });
  await writeFile(join(dir, "node_modules/x/index.js"), "");
  const after = await readCandidate(dir, gitTestEnv());
  assert.equal(after.git?.dirty, false);
  assert.equal(after.fingerprint, before.fingerprint);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("candidate fingerprint follows edits", async () => {
  const dir = await committedRepo();
  const before = await readCandidate(dir, gitTestEnv());
  await writeFile(join(dir, "b.txt"), "new\n");
  const after = await readCandidate(dir, gitTestEnv());
  assert.equal(after.git?.dirty, true);
  assert.notEqual(after.fingerprint, before.fingerprint);
  await Deno.remove(dir, { recursive: true });
});
