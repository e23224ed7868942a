/** File-state index entries given as a directory and a path relative to it. */

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { readFile, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sha256 } from "../node/cache/digest.ts";
import { lstatFacts } from "../node/cache/facts.ts";
import { FileStateIndex, RACY_WINDOW_MS } from "../node/cache/file_index.ts";
import { AddedEntries } from "../node/cache/index_added.ts";
import { IndexTable } from "../node/cache/index_table.ts";
import { makeProject } from "./cache_fixture.ts";

const clock = () => Date.now() + 10 * RACY_WINDOW_MS;

/** Writes `files` under a new project and ages them past the racy window. */
async function agedProject(files: Record<string, string>): Promise<string> {
  const dir = await makeProject(files);
  const then = new Date(Date.now() - 60_000);
  for (const file of Object.keys(files)) await utimes(join(dir, file), then, then);
  return dir;
}

function factsOf(path: string) {
  const facts = lstatFacts(path);
  assert.ok(facts !== undefined, path);
  return facts;
}

Deno.test("added entries treat a base and a rest as the path they spell", () => {
  const added = new AddedEntries<number>();
  added.set("src/a.ts", 1, "/p/");
  assert.equal(added.get("/p/src/a.ts"), 1);
  assert.equal(added.get("a.ts", "/p/src/"), 1);
  assert.equal(added.get("src/a.ts", "/q/"), undefined);
  added.set("/p/src/a.ts", 2);
  assert.equal(added.size, 1);
  assert.equal(added.get("src/a.ts", "/p/"), 2);
  assert.equal(added.delete("a.ts", "/p/src/"), true);
  assert.equal(added.get("src/a.ts", "/p/"), undefined);
  assert.equal(added.size, 0);
});

Deno.test("added entries join the base and the rest for each visited path", () => {
  const added = new AddedEntries<number>();
  for (let n = 0; n < 300; n++) added.set(`f${n}.ts`, n, n % 2 === 0 ? "/even/" : "/odd/");
  const seen: [string, number][] = [];
  added.forEach((path, value) => seen.push([path, value]));
  assert.equal(seen.length, 300);
  assert.deepEqual(seen[0], ["/even/f0.ts", 0]);
  assert.deepEqual(seen[299], ["/odd/f299.ts", 299]);
  assert.equal(added.get("/odd/f299.ts"), 299);
});

Deno.test("index table finds stored absolute paths from a base and a relative path", () => {
  const entries = { "/p/src/a.ts": "1,2,3,4,5,6,da,7", "/p/größe/b.ts": "1,2,3,4,5,6,db,7" };
  const table = IndexTable.parse<number>(Buffer.from(JSON.stringify({ version: 3, entries })), 3)!;
  assert.equal(table.get("src/a.ts", "/p/"), "1,2,3,4,5,6,da,7");
  assert.equal(table.get("b.ts", "/p/größe/"), "1,2,3,4,5,6,db,7");
  assert.equal(table.get("größe/b.ts", "/p/"), "1,2,3,4,5,6,db,7");
  assert.equal(table.get("a.ts", "/p/"), undefined);
  const numbers = new Float64Array(7);
  assert.equal(table.readStored("a.ts", numbers, 6, "/p/src/"), "da");
  table.set("src/a.ts", 5, "/p/");
  assert.equal(table.get("/p/src/a.ts"), 5);
  assert.equal(table.readStored("a.ts", numbers, 6, "/p/src/"), null);
  assert.equal(table.delete("b.ts", "/p/größe/"), true);
  assert.equal(table.get("/p/größe/b.ts"), undefined);
  assert.equal(table.size, 1);
});

Deno.test("file index saves entries set from a base under their absolute paths", async () => {
  const dir = await agedProject({ "src/a.ts": "a", "src/b.ts": "b" });
  const indexPath = join(dir, "index.json");
  const index = await FileStateIndex.load(indexPath, clock);
  const base = `${dir}/`;
  for (const file of ["src/a.ts", "src/b.ts"]) {
    index.digestSync(file, factsOf(join(dir, file)), base);
  }
  assert.equal(index.hashedFiles, 2);
  await index.save(true);
  const saved = JSON.parse(await readFile(indexPath, "utf8"));
  assert.deepEqual(Object.keys(saved.entries).sort(), [
    join(dir, "src/a.ts"),
    join(dir, "src/b.ts"),
  ]);
  const again = await FileStateIndex.load(indexPath, clock);
  assert.equal(await again.digest(join(dir, "src/b.ts")), sha256("b"));
  assert.equal(
    again.digestSync("a.ts", factsOf(join(dir, "src/a.ts")), `${dir}/src/`),
    sha256("a"),
  );
  assert.equal(again.hashedFiles, 0);
});

Deno.test("file index finds entries saved by absolute path from a base", async () => {
  const dir = await agedProject({ "src/a.ts": "a" });
  const indexPath = join(dir, "index.json");
  const first = await FileStateIndex.load(indexPath, clock);
  await first.digest(join(dir, "src/a.ts"));
  await first.save(true);
  const index = await FileStateIndex.load(indexPath, clock);
  const facts = factsOf(join(dir, "src/a.ts"));
  assert.equal(index.known("src/a.ts", facts, `${dir}/`), sha256("a"));
  assert.equal(index.digestSync("src/a.ts", facts, `${dir}/`), sha256("a"));
  assert.equal(index.hashedFiles, 0);
});

Deno.test("file index hashes a file from a base again when its facts changed", async () => {
  const dir = await agedProject({ "src/a.ts": "a" });
  const indexPath = join(dir, "index.json");
  const first = await FileStateIndex.load(indexPath, clock);
  await first.digest(join(dir, "src/a.ts"));
  await first.save(true);
  await writeFile(join(dir, "src/a.ts"), "changed");
  const index = await FileStateIndex.load(indexPath, clock);
  const facts = factsOf(join(dir, "src/a.ts"));
  assert.equal(index.known("src/a.ts", facts, `${dir}/`), undefined);
  assert.equal(index.digestSync("src/a.ts", facts, `${dir}/`), sha256("changed"));
  assert.equal(index.hashedFiles, 1);
});

Deno.test("file index ignores an index file of another version", async () => {
  const dir = await agedProject({ "src/a.ts": "a" });
  const indexPath = join(dir, "index.json");
  const facts = factsOf(join(dir, "src/a.ts"));
  const entry = [facts.size, facts.mtimeMs, facts.ctimeMs, facts.ino, facts.mode, clock()]
    .join(",");
  const entries = { [join(dir, "src/a.ts")]: `${entry},${sha256("other")},${clock()}` };
  await writeFile(indexPath, JSON.stringify({ version: 2, entries }));
  const index = await FileStateIndex.load(indexPath, clock);
  assert.equal(index.known("src/a.ts", facts, `${dir}/`), undefined);
  assert.equal(index.digestSync("src/a.ts", facts, `${dir}/`), sha256("a"));
  assert.equal(index.hashedFiles, 1);
});

Deno.test("added entries keep number and text values apart", () => {
  const added = new AddedEntries<number | string>();
  for (let n = 0; n < 100; n++) added.set(`f${n}`, n % 2 === 0 ? n : `text ${n}`, "/p/");
  assert.equal(added.get("f4", "/p/"), 4);
  assert.equal(added.get("f5", "/p/"), "text 5");
  added.set("f4", "now text", "/p/");
  added.set("f5", 0, "/p/");
  assert.equal(added.get("f4", "/p/"), "now text");
  assert.equal(added.get("f5", "/p/"), 0);
  assert.equal(added.delete("f5", "/p/"), true);
  assert.equal(added.get("f5", "/p/"), undefined);
  assert.equal(added.size, 99);
  const seen: [string, number | string][] = [];
  added.forEach((path, value) => seen.push([path, value]));
  assert.deepEqual(seen.slice(0, 2), [["/p/f0", 0], ["/p/f1", "text 1"]]);
  assert.equal(seen.length, 99);
});
