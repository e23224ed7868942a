/** Scanning JSON objects of strings. */

import assert from "node:assert/strict";
import { scanStringRecord } from "../node/cache/json_scan.ts";

function scan(text: string, start = 0): { members: [string, string][]; end: number | undefined } {
  const members: [string, string][] = [];
  const end = scanStringRecord(text, start, (key, value) => members.push([key, value]));
  return { members, end };
}

Deno.test("scan reads members in order", () => {
  const text = JSON.stringify({ b: "2", a: "1" });
  assert.deepEqual(scan(text), { members: [["b", "2"], ["a", "1"]], end: text.length });
});

Deno.test("scan reads an empty object", () => {
  assert.deepEqual(scan("x{}y", 1), { members: [], end: 3 });
});

Deno.test("scan decodes escapes", () => {
  const record = { 'q"uote': "a\\b", "line\nbreak": "\u00e9\ud83d\ude80", plain: "after" };
  const text = `${JSON.stringify(record)},"tail":"\\\\"`;
  const { members, end } = scan(text);
  assert.deepEqual(Object.fromEntries(members), record);
  assert.equal(text.slice(end), ',"tail":"\\\\"');
});

Deno.test("scan rejects other values and layouts", () => {
  for (const text of ['{"a":1}', '{"a": "1"}', '{"a":"1",}', '{"a":"1"', '["a"]', '{"a":"1}']) {
    assert.equal(scan(text).end, undefined, text);
  }
});
