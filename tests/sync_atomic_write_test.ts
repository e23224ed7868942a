import assert from "node:assert/strict";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFilesAtomically } from "../node/sync/atomic_write.ts";
import { tempDir } from "./support/temp_files.ts";

Deno.test("atomic write creates directories", async () => {
  const dir = await tempDir("atomic-");
  try {
    await writeFilesAtomically([
      { path: join(dir, "a/b/one.txt"), content: "one\n" },
      { path: join(dir, "two.txt"), content: "two\n" },
    ]);
    assert.equal(await readFile(join(dir, "a/b/one.txt"), "utf8"), "one\n");
    assert.equal(await readFile(join(dir, "two.txt"), "utf8"), "two\n");
    assert.deepEqual((await readdir(dir)).sort(), ["a", "two.txt"]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

Deno.test("atomic write failure changes nothing", async () => {
  const dir = await tempDir("atomic-");
  try {
    await writeFile(join(dir, "keep.txt"), "old\n");
    await writeFile(join(dir, "blocker"), "a file, not a directory\n");
    await assert.rejects(
      writeFilesAtomically([
        { path: join(dir, "keep.txt"), content: "new\n" },
        { path: join(dir, "blocker/inside.txt"), content: "x\n" },
      ]),
    );
    assert.equal(await readFile(join(dir, "keep.txt"), "utf8"), "old\n");
    assert.deepEqual((await readdir(dir)).sort(), ["blocker", "keep.txt"]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
