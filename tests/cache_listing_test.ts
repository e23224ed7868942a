/** Listing a directory's entries with their kinds. */

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { eachDirectoryEntry } from "../node/cache/facts.ts";
import type { WalkKind } from "../node/cache/walk.ts";
import { tempDir } from "./support/temp_files.ts";

function listing(path: string): { found: boolean; entries: [string, WalkKind | undefined][] } {
  const entries: [string, WalkKind | undefined][] = [];
  const found = eachDirectoryEntry(path, (name, kind) => entries.push([name, kind]));
  entries.sort(([a], [b]) => a.localeCompare(b, "en"));
  return { found, entries };
}

Deno.test("directory listing gives each entry's kind", async () => {
  const dir = await tempDir();
  await writeFile(join(dir, "a.txt"), "a");
  await mkdir(join(dir, "sub"));
  await symlink("a.txt", join(dir, "link"));
  const { found, entries } = listing(dir);
  assert.equal(found, true);
  assert.deepEqual(entries, [["a.txt", "file"], ["link", "symlink"], ["sub", "directory"]]);
});

Deno.test("directory listing reads every entry of a large directory", async () => {
  const dir = await tempDir();
  for (let n = 0; n < 1500; n++) writeFileSync(join(dir, `f${n}.js`), "");
  const { entries } = listing(dir);
  assert.equal(entries.length, 1500);
  assert.ok(entries.every(([, kind]) => kind === "file"));
  assert.deepEqual(entries[0], ["f0.js", "file"]);
});

Deno.test("directory listing of a missing directory is false", async () => {
  const dir = await tempDir();
  assert.deepEqual(listing(join(dir, "missing")), { found: false, entries: [] });
  await writeFile(join(dir, "file"), "");
  assert.deepEqual(listing(join(dir, "file", "below")), { found: false, entries: [] });
});
