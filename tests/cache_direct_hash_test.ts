/** Hashing a few files without loading the file-state index's stored entries. */

import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sh } from "../core/sh.ts";
import { task } from "../core/task.ts";
import { sha256 } from "../node/cache/digest.ts";
import { FileStateIndex } from "../node/cache/file_index.ts";
import { resolveInputs } from "../node/cache/inputs.ts";
import { makePipeline, makeProject, settled } from "./cache_fixture.ts";

/** Writes `count` files under `dir/src`, hashes them through an index and saves it. */
async function indexOfFiles(dir: string, count: number): Promise<string> {
  const index = await FileStateIndex.load(join(dir, "index.json"), settled);
  for (let n = 0; n < count; n++) {
    const file = join(dir, "src", `f${String(n).padStart(3, "0")}.txt`);
    await writeFile(file, `file ${n}`);
    await index.digest(file);
  }
  await index.save(true);
  return join(dir, "index.json");
}

async function projectWithIndex(count: number): Promise<{ dir: string; path: string }> {
  const dir = await makeProject({ "src/.keep": "" });
  return { dir, path: await indexOfFiles(dir, count) };
}

Deno.test("direct hashing reads one file without the entries", async () => {
  const { dir, path } = await projectWithIndex(200);
  const saved = await readFile(path, "utf8");
  const index = await FileStateIndex.load(path, settled);
  await writeFile(join(dir, "src/f000.txt"), "edited");
  assert.equal(await index.digest(join(dir, "src/f000.txt")), sha256("edited"));
  assert.equal(index.hashedFiles, 1);
  await index.save(true);
  assert.equal(await readFile(path, "utf8"), saved);
});

Deno.test("direct hashing gives the digests of the index", async () => {
  const { dir, path } = await projectWithIndex(200);
  const pipeline = makePipeline({ t: task({ cache: true, inputs: ["src/f00*"] }, sh`true`) });
  const direct = await FileStateIndex.load(path, settled);
  const viaEntries = await FileStateIndex.load(path, settled, { direct: false });
  const directly = await resolveInputs(pipeline.tasks.t, dir, direct);
  const stored = await resolveInputs(pipeline.tasks.t, dir, viaEntries);
  assert.deepEqual(directly, stored);
  assert.equal(direct.hashedFiles, 10);
  assert.equal(viaEntries.hashedFiles, 0);
});

Deno.test("direct hashing loads the entries for many files", async () => {
  const { dir, path } = await projectWithIndex(200);
  const pipeline = makePipeline({ t: task({ cache: true, inputs: ["src/**"] }, sh`true`) });
  const index = await FileStateIndex.load(path, settled);
  const inputs = await resolveInputs(pipeline.tasks.t, dir, index);
  assert.equal(Object.keys(inputs).length, 201);
  // Only the empty marker file was not in the saved index.
  assert.equal(index.hashedFiles, 1);
});

Deno.test("direct hashing is off without a stored index", async () => {
  const dir = await makeProject({ "src/a.txt": "a" });
  const index = await FileStateIndex.load(join(dir, "index.json"), settled);
  await index.digest(join(dir, "src/a.txt"));
  await index.save(true);
  const saved = JSON.stringify(await readFile(join(dir, "index.json"), "utf8"));
  assert.match(saved, /a\.txt/);
});

Deno.test("direct hashing stops when its budget is spent", async () => {
  const { dir, path } = await projectWithIndex(200);
  const index = await FileStateIndex.load(path, settled);
  const files = Array.from(
    { length: 200 },
    (_, n) => join(dir, "src", `f${String(n).padStart(3, "0")}.txt`),
  );
  for (const file of files) await index.digest(file);
  // The first files are read directly. Once the budget is spent, the entries give the rest.
  assert.ok(index.hashedFiles > 0, `hashed ${index.hashedFiles}`);
  assert.ok(index.hashedFiles < 200, `hashed ${index.hashedFiles}`);
});
