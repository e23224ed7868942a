/** Walks leave out linked git worktrees inside the project, and keep submodules and clones. */

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { definePipeline, job, sh, task } from "../mod.ts";
import { runJob } from "../node/mod.ts";
import { walkPatternsSync } from "../node/cache/walk.ts";
import { makeProject, readText, writeFiles } from "./cache_fixture.ts";
import { baseEnv } from "./support/projects.ts";

function walked(dir: string, patterns: string[]): string[] {
  return walkPatternsSync(dir, patterns).entries.map((entry) => entry.path);
}

Deno.test("walk skips a linked worktree", async () => {
  const dir = await makeProject({
    "src/a.txt": "a",
    ".worktrees/feat/.git": "gitdir: /repo/.git/worktrees/feat\n",
    ".worktrees/feat/src/a.txt": "feat",
  });

  assert.deepEqual(walked(dir, ["**/*.txt"]), ["src/a.txt"]);
});

Deno.test("walk enters a submodule", async () => {
  const dir = await makeProject({
    "src/a.txt": "a",
    "vendor/lib/.git": "gitdir: ../../.git/modules/lib\n",
    "vendor/lib/b.txt": "b",
  });

  assert.deepEqual(walked(dir, ["**/*.txt"]), ["src/a.txt", "vendor/lib/b.txt"]);
});

Deno.test("walk enters a root that is a worktree", async () => {
  const dir = await makeProject({
    ".git": "gitdir: /repo/.git/worktrees/main\n",
    "src/a.txt": "a",
  });

  assert.deepEqual(walked(dir, ["**/*.txt"]), ["src/a.txt"]);
});

Deno.test("nested worktree edit keeps a hit", async () => {
  const dir = await makeProject({ "src/in.txt": "main\n" });
  execFileSync("git", ["init", "-q", dir]);
  const commit = ["-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "--allow-empty"];
  execFileSync("git", ["-C", dir, ...commit, "-m", "init"]);
  execFileSync("git", ["-C", dir, "worktree", "add", "-q", "-b", "feat", ".worktrees/feat"]);
  await writeFiles(dir, { ".worktrees/feat/src/in.txt": "feat\n" });
  const pipeline = definePipeline({
    name: "nested",
    cache: "file:local",
    tasks: { count: task({ inputs: ["**/*.txt"] }, sh`cat src/in.txt`) },
    jobs: { count: job({ target: "count" }) },
  });
  const run = () => runJob(pipeline, { id: "count", cwd: dir, env: baseEnv(), concurrency: 1 });
  await run();
  await writeFiles(dir, { ".worktrees/feat/src/in.txt": "feat edited\n" });

  const again = await run();

  assert.equal(again.tasks[0].cacheHit, true);
  assert.equal(await readText(dir, ".worktrees/feat/src/in.txt"), "feat edited\n");
});
