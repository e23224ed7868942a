/** The file-state index's entries kept in the bytes of the index file. */

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { readFile, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sha256 } from "../node/cache/digest.ts";
import { FileStateIndex, RACY_WINDOW_MS } from "../node/cache/file_index.ts";
import { IndexTable } from "../node/cache/index_table.ts";
import { EntryRows, SEEN_AT, SIZE } from "../node/cache/index_rows.ts";
import { AddedEntries } from "../node/cache/index_added.ts";
import { makeProject } from "./cache_fixture.ts";

function bytesOf(entries: Record<string, string>, version = 3): Buffer {
  return Buffer.from(JSON.stringify({ version, entries }));
}

function contents(table: IndexTable<unknown>): [string, unknown][] {
  const seen: [string, unknown][] = [];
  table.forEach((path, value) => seen.push([path, value]));
  return seen;
}

Deno.test("index table finds every entry of the file", () => {
  const entries: Record<string, string> = {};
  for (let n = 0; n < 3000; n++) entries[`/project/src/file-${n}.ts`] = `${n},1,2,3,4,5,d${n},6`;
  const table = IndexTable.parse(bytesOf(entries), 3)!;
  assert.equal(table.size, 3000);
  for (const [path, entry] of Object.entries(entries)) assert.equal(table.get(path), entry);
  assert.equal(table.get("/project/src/file-3000.ts"), undefined);
  assert.equal(table.get("/project/src/file-1.t"), undefined);
});

Deno.test("index table finds paths with escapes and other scripts", () => {
  const entries = {
    '/p/quote"d': "1,2,3,4,5,6,d1,7",
    "/p/back\\slash": "1,2,3,4,5,6,d2,7",
    "/p/new\nline": "1,2,3,4,5,6,d3,7",
    "/p/größe/日本.ts": "1,2,3,4,5,6,d4,7",
    "/p/emoji-😀": "1,2,3,4,5,6,d5,7",
  };
  const table = IndexTable.parse(bytesOf(entries), 3)!;
  assert.equal(table.size, 5);
  for (const [path, entry] of Object.entries(entries)) assert.equal(table.get(path), entry);
  assert.deepEqual(Object.fromEntries(contents(table)), entries);
});

Deno.test("index table takes the last of duplicated paths, as JSON does", () => {
  const text = '{"version":3,"entries":{"/a":"first","/b":"x","/a":"second"}}';
  const table = IndexTable.parse(Buffer.from(text), 3)!;
  assert.equal(table.get("/a"), "second");
  assert.equal(table.size, 2);
  assert.deepEqual(contents(table), [["/b", "x"], ["/a", "second"]]);
});

Deno.test("index table set hides the entry of the file", () => {
  const table = IndexTable.parse<number[]>(bytesOf({ "/a": "1", "/b": "2" }), 3)!;
  table.set("/a", [9]);
  assert.deepEqual(table.get("/a"), [9]);
  assert.equal(table.size, 2);
  assert.deepEqual(contents(table), [["/b", "2"], ["/a", [9]]]);
});

Deno.test("index table delete removes entries of the file and of the run", () => {
  const table = IndexTable.parse(bytesOf({ "/a": "1", "/b": "2" }), 3)!;
  table.set("/c", "3");
  assert.equal(table.delete("/a"), true);
  assert.equal(table.delete("/c"), true);
  assert.equal(table.delete("/a"), false);
  assert.equal(table.delete("/missing"), false);
  assert.equal(table.get("/a"), undefined);
  assert.equal(table.size, 1);
  assert.deepEqual(contents(table), [["/b", "2"]]);
});

Deno.test("index table reads an empty index", () => {
  const table = IndexTable.parse(bytesOf({}), 3)!;
  assert.equal(table.size, 0);
  assert.equal(table.get("/a"), undefined);
});

Deno.test("index table reads other JSON layouts", () => {
  const text = JSON.stringify({ entries: { "/a": "1", "/b": 2 }, version: 3 }, null, 2);
  const table = IndexTable.parse(Buffer.from(text), 3)!;
  assert.equal(table.get("/a"), "1");
  assert.equal(table.get("/b"), undefined);
  assert.equal(table.size, 1);
});

Deno.test("index table rejects another version", () => {
  assert.equal(IndexTable.parse(bytesOf({ "/a": "1" }, 2), 3), undefined);
  assert.equal(IndexTable.parse(Buffer.from('{"version":3,"entries":null}'), 3), undefined);
});

Deno.test("index table throws on a truncated file", () => {
  const full = bytesOf({ "/a": "1,2,3", "/b": "4,5,6" });
  for (const length of [5, 24, 30, full.length - 1]) {
    assert.throws(() => IndexTable.parse(full.subarray(0, length), 3), SyntaxError);
  }
});

Deno.test("index table throws on damaged members", () => {
  const damaged = [
    '{"version":3,"entries":{"/a":1}}',
    '{"version":3,"entries":{"/a""1"}}',
    '{"version":3,"entries":{"/a":"1" "/b":"2"}}',
    '{"version":3,"entries":{"/a":"1"}}x',
    '{"version":3,"entries":{"/a":"bad \\q escape"}}',
  ];
  for (const text of damaged) {
    let table: IndexTable<unknown> | undefined;
    try {
      table = IndexTable.parse(Buffer.from(text), 3);
    } catch (error) {
      assert.ok(error instanceof SyntaxError, text);
      continue;
    }
    // A layout JSON still accepts must not yield the damaged member.
    assert.equal(table?.get("/a"), undefined, text);
  }
});

/** Writes `files` under a new project, ages them, and saves an index with an entry for each. */
async function indexedProject(files: Record<string, string>) {
  const dir = await makeProject(files);
  const then = new Date(Date.now() - 60_000);
  const paths = Object.keys(files).map((file) => join(dir, file));
  for (const path of paths) await utimes(path, then, then);
  const index = await FileStateIndex.load(join(dir, "index.json"), clock);
  for (const path of paths) await index.digest(path);
  await index.save(true);
  return { dir, paths };
}

const clock = () => Date.now() + 10 * RACY_WINDOW_MS;

Deno.test("file index rehashes every file when its file is cut short", async () => {
  const { dir, paths } = await indexedProject({ "a.txt": "a", "b.txt": "b", "c.txt": "c" });
  const text = await readFile(join(dir, "index.json"), "utf8");
  await writeFile(join(dir, "index.json"), text.slice(0, Math.floor(text.length / 2)));
  const index = await FileStateIndex.load(join(dir, "index.json"), clock);
  assert.deepEqual(
    await Promise.all(paths.map((path) => index.digest(path))),
    ["a", "b", "c"].map((content) => sha256(content)),
  );
  assert.equal(index.hashedFiles, 3);
});

Deno.test("file index keeps stored entries it did not read when it saves", async () => {
  const { dir, paths } = await indexedProject({ "a.txt": "a", "b.txt": "b" });
  const first = await FileStateIndex.load(join(dir, "index.json"), clock);
  await writeFile(paths[0], "edited");
  assert.equal(await first.digest(paths[0]), sha256("edited"));
  await first.save(true);
  const second = await FileStateIndex.load(join(dir, "index.json"), clock);
  assert.equal(await second.digest(paths[1]), sha256("b"));
  assert.equal(await second.digest(paths[0]), sha256("edited"));
  assert.equal(second.hashedFiles, 0);
});

Deno.test("index table reads stored fields in place", () => {
  const entries = {
    "/a": "12,1700000000123,1700000000000,99,33188,1700000003000,abc,5",
    "/b": "1e3, 7 ,,4,5,6,digest,9",
    "/c": "1,2,3",
    "/d": "1,2,3,4,5,6,d,7,extra",
  };
  const table = IndexTable.parse(bytesOf(entries), 3)!;
  const numbers = new Float64Array(7);
  assert.equal(table.readStored("/a", numbers, 6), "abc");
  assert.deepEqual([...numbers], [12, 1700000000123, 1700000000000, 99, 33188, 1700000003000, 5]);
  assert.equal(table.readStored("/b", numbers, 6), "digest");
  assert.deepEqual([...numbers], [1000, 7, 0, 4, 5, 6, 9]);
  assert.equal(table.readStored("/c", numbers, 6), undefined);
  assert.equal(table.readStored("/d", numbers, 6), "d");
  assert.ok(Number.isNaN(numbers[6]));
  assert.equal(table.readStored("/missing", numbers, 6), undefined);
  table.set("/a", "changed");
  assert.equal(table.readStored("/a", numbers, 6), null);
});

Deno.test("index rows keep entries set in a run", () => {
  const rows = new EntryRows();
  for (let n = 0; n < 200; n++) {
    rows.add([n, 1700000000123, 1700000000000, n + 7, 33188, 5], `d${n}`, 9);
  }
  assert.equal(rows.text(0), "0,1700000000123,1700000000000,7,33188,5,d0,9");
  assert.equal(rows.text(199), "199,1700000000123,1700000000000,206,33188,5,d199,9");
  rows.setSeenAt(3, 42);
  assert.equal(rows.get(3, SEEN_AT), 42);
  assert.equal(rows.get(3, SIZE), 3);
  assert.equal(rows.digest(150), "d150");
});

Deno.test("added entries keep values by path through growth", () => {
  const added = new AddedEntries<number>();
  for (let n = 0; n < 500; n++) added.set(`/p/f${n}`, n);
  assert.equal(added.size, 500);
  assert.equal(added.get("/p/f0"), 0);
  assert.equal(added.get("/p/f499"), 499);
  assert.equal(added.get("/p/f500"), undefined);
  added.set("/p/f7", 70);
  assert.equal(added.get("/p/f7"), 70);
  assert.equal(added.size, 500);
});

Deno.test("added entries forget deleted paths and take them back", () => {
  const added = new AddedEntries<string>();
  added.set("/a", "1");
  added.set("/b", "2");
  assert.equal(added.delete("/a"), true);
  assert.equal(added.delete("/a"), false);
  assert.equal(added.delete("/missing"), false);
  assert.equal(added.get("/a"), undefined);
  assert.equal(added.size, 1);
  added.set("/a", "3");
  const seen: [string, string][] = [];
  added.forEach((path, value) => seen.push([path, value]));
  assert.deepEqual(seen, [["/a", "3"], ["/b", "2"]]);
  assert.equal(added.size, 2);
});
