/** File store restores: modes, links, empty directories, stale and protected files. */

import assert from "node:assert/strict";
import {
  chmod,
  lstat,
  mkdir,
  readdir,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { join } from "node:path";
import { sh } from "../core/sh.ts";
import { task } from "../core/task.ts";
import {
  cacheFor,
  execute,
  lookupInput,
  makePipeline,
  makeProject,
  readText,
  writeFiles,
} from "./cache_fixture.ts";

const mustNotRun = () => Promise.reject(new Error("the task must not run"));

function pipelineWith(outputs: string[]) {
  return makePipeline({
    build: task({ inputs: ["src/**"], outputs, cache: "file:local" }, sh`build`),
  });
}

/** Runs `work` as the task once, then wipes `dist/` and restores it from the cache. */
async function storeThenRestore(
  dir: string,
  outputs: string[],
  work: () => Promise<void>,
  beforeRestore: () => Promise<void> = () =>
    rm(join(dir, "dist"), { recursive: true, force: true }),
  rerun: () => Promise<void> = mustNotRun,
) {
  const pipeline = pipelineWith(outputs);
  const input = lookupInput(pipeline, "build", dir);
  const first = await execute(cacheFor(pipeline, dir), input, work);
  assert.equal(first.saved?.stored, true);
  await beforeRestore();
  return await execute(cacheFor(pipeline, dir), input, rerun);
}

Deno.test("restore keeps file modes", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const result = await storeThenRestore(dir, ["dist/**"], async () => {
    await writeFiles(dir, {
      "dist/plain.txt": { text: "plain", mode: 0o644 },
      "dist/tool.sh": { text: "#!/bin/sh\n", mode: 0o755 },
      "dist/private.key": { text: "key", mode: 0o600 },
    });
  });
  assert.equal(result.lookup.status, "hit");
  assert.equal((await stat(join(dir, "dist/plain.txt"))).mode & 0o7777, 0o644);
  assert.equal((await stat(join(dir, "dist/tool.sh"))).mode & 0o7777, 0o755);
  assert.equal((await stat(join(dir, "dist/private.key"))).mode & 0o7777, 0o600);
  assert.equal(await readText(dir, "dist/tool.sh"), "#!/bin/sh\n");
});

Deno.test("restore strips setuid setgid sticky", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const result = await storeThenRestore(dir, ["dist/**"], async () => {
    await writeFiles(dir, { "dist/suid": "x", "dist/sgid": "y", "dist/shared/f": "z" });
    await chmod(join(dir, "dist/suid"), 0o4755);
    await chmod(join(dir, "dist/sgid"), 0o2750);
    await chmod(join(dir, "dist/shared"), 0o1777);
  });
  assert.equal(result.lookup.status, "hit");
  assert.equal((await stat(join(dir, "dist/suid"))).mode & 0o7777, 0o755);
  assert.equal((await stat(join(dir, "dist/sgid"))).mode & 0o7777, 0o750);
  assert.equal((await stat(join(dir, "dist/shared"))).mode & 0o7777, 0o777);
});

Deno.test("restore recreates links and empty directories", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const result = await storeThenRestore(dir, ["dist/**"], async () => {
    await writeFiles(dir, { "dist/lib/index.js": "index" });
    await symlink("lib/index.js", join(dir, "dist/main.js"));
    await symlink("../nowhere", join(dir, "dist/dangling"));
    await mkdir(join(dir, "dist/empty/nested"), { recursive: true });
  });
  assert.equal(result.lookup.status, "hit");
  assert.equal((await lstat(join(dir, "dist/main.js"))).isSymbolicLink(), true);
  assert.equal(await readlink(join(dir, "dist/main.js")), "lib/index.js");
  assert.equal(await readlink(join(dir, "dist/dangling")), "../nowhere");
  assert.deepEqual(await readdir(join(dir, "dist/empty/nested")), []);
  assert.equal(await readText(dir, "dist/main.js"), "index");
});

Deno.test("restore removes stale output files", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const pipeline = pipelineWith(["dist/**"]);
  const input = lookupInput(pipeline, "build", dir);
  const app = () => writeFiles(dir, { "dist/app.js": "app" });
  assert.equal((await execute(cacheFor(pipeline, dir), input, app)).ran, true);
  await writeFiles(dir, { "src/a.ts": "b" });
  const more = () => writeFiles(dir, { "dist/old.js": "old", "dist/old/deep.js": "deep" });
  assert.equal((await execute(cacheFor(pipeline, dir), input, more)).ran, true);
  await writeFiles(dir, { "src/a.ts": "a", "dist/mine.js": "mine", "notes.txt": "mine" });
  const result = await execute(cacheFor(pipeline, dir), input, mustNotRun);
  assert.equal(result.lookup.status, "hit");
  assert.deepEqual((await readdir(join(dir, "dist"))).sort(), ["app.js", "mine.js"]);
  assert.equal(await readText(dir, "notes.txt"), "mine");
});

Deno.test("restore leaves files the task never wrote", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const result = await storeThenRestore(
    dir,
    ["dist/*.js"],
    () => writeFiles(dir, { "dist/app.js": "app" }),
    () => writeFiles(dir, { "dist/stale.js": "stale", "dist/README.md": "readme" }),
  );
  assert.equal(result.lookup.status, "hit");
  assert.deepEqual((await readdir(join(dir, "dist"))).sort(), ["README.md", "app.js", "stale.js"]);
});

Deno.test("restore never touches negated outputs", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const outputs = ["dist/**", "!dist/local.json", "!dist/keep/**"];
  const result = await storeThenRestore(
    dir,
    outputs,
    () =>
      writeFiles(dir, { "dist/app.js": "app", "dist/local.json": "generated", "dist/keep/a": "a" }),
    async () => {
      await writeFiles(dir, { "dist/local.json": "edited by hand", "dist/keep/b": "b" });
      await chmod(join(dir, "dist/local.json"), 0o600);
      await rm(join(dir, "dist/app.js"));
    },
  );
  assert.equal(result.lookup.status, "hit");
  assert.equal(await readText(dir, "dist/app.js"), "app");
  assert.equal(await readText(dir, "dist/local.json"), "edited by hand");
  assert.equal((await stat(join(dir, "dist/local.json"))).mode & 0o777, 0o600);
  assert.deepEqual((await readdir(join(dir, "dist/keep"))).sort(), ["a", "b"]);
});

Deno.test("restore skips identical outputs", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const result = await storeThenRestore(
    dir,
    ["dist/**"],
    () => writeFiles(dir, { "dist/same.js": "same", "dist/changed.js": "v1" }),
    () => rm(join(dir, "dist/changed.js")),
  );
  assert.equal(result.lookup.status, "hit");
  // A rewrite renames a new file into place, which gives it a new inode.
  const sameBefore = await stat(join(dir, "dist/same.js"));
  const changedBefore = await stat(join(dir, "dist/changed.js"));
  const pipeline = pipelineWith(["dist/**"]);
  // The content still matches the entry, so a changed mode alone does not stop the restore.
  await chmod(join(dir, "dist/changed.js"), 0o600);
  const again = await execute(
    cacheFor(pipeline, dir),
    lookupInput(pipeline, "build", dir),
    mustNotRun,
  );
  assert.equal(again.lookup.status, "hit");
  const sameAfter = await stat(join(dir, "dist/same.js"));
  const changedAfter = await stat(join(dir, "dist/changed.js"));
  assert.equal(sameAfter.ino, sameBefore.ino);
  assert.equal(sameAfter.mtimeMs, sameBefore.mtimeMs);
  assert.notEqual(changedAfter.ino, changedBefore.ino);
  assert.equal(await readText(dir, "dist/changed.js"), "v1");
});

Deno.test("restore replaces a directory with a file", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const result = await storeThenRestore(
    dir,
    ["dist/**"],
    () => writeFiles(dir, { "dist/out": "file" }),
    async () => {
      await rm(join(dir, "dist/out"));
      await mkdir(join(dir, "dist/out/inner"), { recursive: true });
    },
  );
  assert.equal(result.lookup.status, "hit");
  assert.equal(await readText(dir, "dist/out"), "file");
});

Deno.test("restore swaps a file and a directory it wrote", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const pipeline = pipelineWith(["dist/**"]);
  const input = lookupInput(pipeline, "build", dir);
  const asDirectory = () => writeFiles(dir, { "dist/out/inner.txt": "inner" });
  const asFile = async () => {
    await rm(join(dir, "dist/out"), { recursive: true });
    await writeFiles(dir, { "dist/out": "file" });
  };
  assert.equal((await execute(cacheFor(pipeline, dir), input, asDirectory)).ran, true);
  await writeFiles(dir, { "src/a.ts": "b" });
  assert.equal((await execute(cacheFor(pipeline, dir), input, asFile)).ran, true);

  await writeFiles(dir, { "src/a.ts": "a" });
  const directory = await execute(cacheFor(pipeline, dir), input, mustNotRun);
  assert.equal(directory.lookup.status, "hit");
  assert.equal(await readText(dir, "dist/out/inner.txt"), "inner");

  await writeFiles(dir, { "src/a.ts": "b" });
  const file = await execute(cacheFor(pipeline, dir), input, mustNotRun);
  assert.equal(file.lookup.status, "hit");
  assert.equal(await readText(dir, "dist/out"), "file");
});

Deno.test("restore keeps a directory of unknown files", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const result = await storeThenRestore(
    dir,
    ["dist/**"],
    () => writeFiles(dir, { "dist/out": "file" }),
    async () => {
      await rm(join(dir, "dist/out"));
      await writeFiles(dir, { "dist/out/inner.txt": "dir now" });
    },
    () => Promise.resolve(),
  );
  assert.equal(result.lookup.status, "miss");
  const reason = result.lookup.status === "miss" ? result.lookup.reason : undefined;
  assert.equal(reason?.kind === "restore-failed" && reason.changedOutput, "dist/out/inner.txt");
  assert.equal(
    reason?.kind === "restore-failed" && reason.reason,
    "dist/out/inner.txt changed since the cache last wrote it, and restoring the entry would " +
      "remove it",
  );
  assert.equal(await readText(dir, "dist/out/inner.txt"), "dir now");
});

Deno.test("restore names up to three changed outputs", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const names = ["a", "b", "c", "d", "e"];
  const result = await storeThenRestore(
    dir,
    ["dist/**"],
    () => writeFiles(dir, Object.fromEntries(names.map((name) => [`dist/${name}.js`, "built"]))),
    () => writeFiles(dir, Object.fromEntries(names.map((name) => [`dist/${name}.js`, "edited"]))),
    () => Promise.resolve(),
  );
  const reason = result.lookup.status === "miss" ? result.lookup.reason : undefined;
  assert.equal(reason?.kind === "restore-failed" && reason.changedOutput, "dist/a.js");
  assert.equal(
    reason?.kind === "restore-failed" && reason.reason,
    "dist/a.js, dist/b.js, dist/c.js (+2 more) changed since the cache last wrote them, and " +
      "restoring the entry would overwrite them",
  );
  assert.equal(await readText(dir, "dist/e.js"), "edited");
});

Deno.test("restore refuses writing through a link", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const outside = await makeProject();
  const result = await storeThenRestore(
    dir,
    ["build/*/*.js"],
    () => writeFiles(dir, { "build/dist/app.js": "app" }),
    async () => {
      // Below the patterns' fixed part `build`, so the lookup does not find it and the restore must.
      await rm(join(dir, "build/dist"), { recursive: true });
      await symlink(outside, join(dir, "build/dist"));
    },
    () => Promise.resolve(),
  );
  assert.equal(result.ran, true);
  assert.equal(result.lookup.status === "miss" && result.lookup.reason.kind, "restore-failed");
  assert.match(String(result.lookup.status === "miss" && result.lookup.warning), /symbolic link/);
  assert.deepEqual(await readdir(outside), []);
});

Deno.test("restore of patterns without outputs keeps other files", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const result = await storeThenRestore(
    dir,
    ["dist/**"],
    () => Promise.resolve(),
    () => writeFiles(dir, { "dist/leftover.js": "old" }),
  );
  assert.equal(result.lookup.status, "hit");
  assert.equal(await readText(dir, "dist/leftover.js"), "old");
});

Deno.test("restore writes into a missing parent", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  await writeFile(join(dir, "keep.txt"), "keep");
  const result = await storeThenRestore(
    dir,
    ["out/a/b/c.txt"],
    () => writeFiles(dir, { "out/a/b/c.txt": "deep" }),
    () => rm(join(dir, "out"), { recursive: true }),
  );
  assert.equal(result.lookup.status, "hit");
  assert.equal(await readText(dir, "out/a/b/c.txt"), "deep");
});
