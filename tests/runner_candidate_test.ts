import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
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

/** Starts a shell that deletes and rewrites `count` files under `dir/out` until it is killed. */
function churn(dir: string, count: number): Deno.ChildProcess {
  const script = `while :; do rm -rf out; mkdir -p out; i=0; while [ $i -lt ${count} ]; do ` +
    `head -c 65536 /dev/zero > out/f$i; i=$((i+1)); done; done`;
  return new Deno.Command("sh", { args: ["-c", script], cwd: dir, stdout: "null", stderr: "null" })
    .spawn();
}

Deno.test("candidate skips vanished files outside git", async () => {
  const dir = await tempDir();
  await writeFile(join(dir, "a.txt"), "a\n");
  const child = churn(dir, 200);
  try {
    // Each pass lists the files another process keeps deleting, so some of
    // them are gone by the time they are read.
    for (let pass = 0; pass < 40; pass++) {
      const candidate = await readCandidate(
        dir,
        gitTestEnv({ GIT_CEILING_DIRECTORIES: dirname(dir) }),
      );
      assert.equal(candidate.git, undefined);
      assert.match(candidate.fingerprint, /^[0-9a-f]{64}$/);
    }
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
});
