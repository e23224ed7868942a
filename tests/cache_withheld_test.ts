/** Withheld values in the file-state index: walk and restored-output memos never save them. */

import assert from "node:assert/strict";
import { readFile, utimes } from "node:fs/promises";
import { join } from "node:path";
import type { OutputRecord } from "../node/cache/entry.ts";
import { FileStateIndex, RACY_WINDOW_MS } from "../node/cache/file_index.ts";
import { outputsStillRestored, recordRestored } from "../node/cache/restored_memo.ts";
import { memoizedWalk } from "../node/cache/walk_memo.ts";
import { makeProject, writeFiles } from "./cache_fixture.ts";

const SECRET = "s3cr3t-VALUE-42";

/** Loads an index whose clock runs far enough ahead that files written now count as settled. */
function settledIndex(dir: string): Promise<FileStateIndex> {
  return FileStateIndex.load(join(dir, "index.json"), () => Date.now() + 10 * RACY_WINDOW_MS);
}

/** Writes `dist/<name>`, dates it and `dist` one minute back, and returns the restored target. */
async function distWith(dir: string, name: string) {
  await writeFiles(dir, { [`dist/${name}`]: "built" });
  const then = new Date(Date.now() - 60_000);
  for (const path of ["dist", `dist/${name}`]) await utimes(join(dir, path), then, then);
  const index = await settledIndex(dir);
  const target = { index, cwd: dir, patterns: ["dist/**"], key: "k1", outputs: "d1" };
  const records: OutputRecord[] = [
    { path: "dist", kind: "directory", mode: 0o755 },
    { path: `dist/${name}`, kind: "file", mode: 0o644, size: 5, digest: "unused" },
  ];
  return { index, target, records };
}

/** Returns the text of the saved memo file, or "" when none was saved. */
async function memoText(dir: string): Promise<string> {
  return await readFile(join(dir, "index.memos.json"), "utf8").catch(() => "");
}

Deno.test("restored memo skips withheld path", async () => {
  const dir = await makeProject();
  const { index, target, records } = await distWith(dir, `name-${SECRET}.txt`);
  index.withheld.add([SECRET]);
  recordRestored(target, records, index.now());
  assert.equal(await outputsStillRestored(target), false);
  await index.save(true);
  assert.ok(!(await memoText(dir)).includes(SECRET));
});

Deno.test("restored memo dropped once withheld", async () => {
  const dir = await makeProject();
  const { index, target, records } = await distWith(dir, `name-${SECRET}.txt`);
  recordRestored(target, records, index.now());
  await index.save(true);
  assert.ok((await memoText(dir)).includes(SECRET));

  const later = await settledIndex(dir);
  later.withheld.add([SECRET]);
  assert.equal(await outputsStillRestored({ ...target, index: later }), false);
  await later.save();
  assert.ok(!(await memoText(dir)).includes(SECRET));
});

Deno.test("walk memo skips withheld path", async () => {
  const dir = await makeProject();
  const { index } = await distWith(dir, `name-${SECRET}.txt`);
  index.withheld.add([SECRET]);
  const walked = await memoizedWalk(index, dir, ["dist/**"]);
  assert.equal(walked.memoized, false);
  assert.equal(walked.entries.length, 2);
  await index.save(true);
  assert.ok(!(await memoText(dir)).includes(SECRET));
});

Deno.test("walk memo keeps paths without secrets", async () => {
  const dir = await makeProject();
  const { index } = await distWith(dir, "plain.txt");
  index.withheld.add([SECRET]);
  const walked = await memoizedWalk(index, dir, ["dist/**"]);
  assert.equal(walked.memoized, true);
});
