/** The file-state index file's text: parsing by layout, JSON fallback and writing in pieces. */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseIndexText, writeIndexText } from "../node/cache/index_text.ts";
import { TextSink, writeTextFile } from "../node/cache/text_sink.ts";
import { tempDir } from "./support/temp_files.ts";

function writeIndex(dir: string, entries: Record<string, string>): string {
  const path = join(dir, "index.json");
  writeIndexText(path, 3, (emit) => {
    for (const [file, entry] of Object.entries(entries)) emit(file, entry);
  });
  return path;
}

Deno.test("index text is the JSON of the index", async () => {
  const dir = await tempDir();
  const entries = { "/p/a.ts": "1,2,3,4,5,6,d1,7", "/p/b.ts": "8,9,10,11,12,13,d2,14" };
  const path = writeIndex(dir, entries);
  const text = readFileSync(path, "utf8");
  assert.equal(text, JSON.stringify({ version: 3, entries }));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("index text round trips plain paths", async () => {
  const dir = await tempDir();
  const entries: Record<string, string> = {};
  for (let n = 0; n < 5000; n++) {
    entries[`/project/src/file-${n}.ts`] = `${n},1,2,3,4,5,digest${n},6`;
  }
  const parsed = parseIndexText(readFileSync(writeIndex(dir, entries), "utf8"), 3);
  assert.deepEqual(Object.fromEntries(parsed!), entries);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("index text round trips escaped paths", async () => {
  const dir = await tempDir();
  const entries = {
    '/p/quote"d': "1,2,3,4,5,6,d1,7",
    "/p/back\\slash\\": "1,2,3,4,5,6,d2,7",
    "/p/line\nbreak": "1,2,3,4,5,6,d3,7",
    "/p/ünïcødé 🚀": "1,2,3,4,5,6,d4,7",
    '/p/x},"walks":{': "1,2,3,4,5,6,d5,7",
  };
  const parsed = parseIndexText(readFileSync(writeIndex(dir, entries), "utf8"), 3);
  assert.deepEqual(Object.fromEntries(parsed!), entries);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("index text of another layout parses as JSON", () => {
  const entries = { "/p/a.ts": "1,2,3,4,5,6,d1,7" };
  const text = JSON.stringify({ entries, version: 3 }, null, 2);
  const parsed = parseIndexText(text, 3);
  assert.deepEqual(Object.fromEntries(parsed!), entries);
});

Deno.test("index text keeps only string entries", () => {
  const text = JSON.stringify({ version: 3, entries: { "/a": "1", "/b": [1, 2] } });
  assert.deepEqual([...parseIndexText(` ${text}`, 3)!], [["/a", "1"]]);
});

Deno.test("index text of another version is not read", () => {
  const text = JSON.stringify({ version: 2, entries: { "/a": "1" } });
  assert.equal(parseIndexText(text, 3), undefined);
});

Deno.test("index text without entries is not read", () => {
  assert.equal(parseIndexText(JSON.stringify({ version: 3, entries: null }), 3), undefined);
});

Deno.test("truncated index text throws", () => {
  const text = JSON.stringify({ version: 3, entries: { "/a": "1" }, more: { x: "y" } });
  assert.throws(() => parseIndexText(text.slice(0, -5), 3), SyntaxError);
  assert.throws(() => parseIndexText(text.slice(0, 30), 3), SyntaxError);
});

Deno.test("text sink cuts pieces between parts", () => {
  const pieces: string[] = [];
  const sink = new TextSink((piece) => pieces.push(piece));
  const parts = Array.from({ length: 40_000 }, (_, n) => `part ${n} 🚀;`);
  for (const part of parts) sink.add(part);
  sink.flush();
  assert.ok(pieces.length > 1);
  assert.equal(pieces.join(""), parts.join(""));
  for (const piece of pieces) assert.ok(piece.endsWith(";"));
});

Deno.test("text file holds every part as UTF-8", async () => {
  const dir = await tempDir();
  const path = join(dir, "out.txt");
  const big = "é".repeat(300_000);
  writeTextFile(path, (sink) => {
    sink.add("start ");
    sink.add(big);
    for (let n = 0; n < 20_000; n++) sink.add(`${n}🚀`);
  });
  let expected = `start ${big}`;
  for (let n = 0; n < 20_000; n++) expected += `${n}🚀`;
  assert.equal(readFileSync(path, "utf8"), expected);
  await Deno.remove(dir, { recursive: true });
});
