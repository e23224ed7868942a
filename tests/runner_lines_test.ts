import assert from "node:assert/strict";
import { TaskLines } from "../node/runner/lines.ts";

/** Collects the lines a TaskLines writes, as `task stream line` strings. */
function collect(): { lines: TaskLines; written: string[] } {
  const written: string[] = [];
  const lines = new TaskLines((taskId, stream, line) =>
    written.push(`${taskId} ${stream} ${line}`)
  );
  return { lines, written };
}

Deno.test("TaskLines joins a line split across chunks", () => {
  const { lines, written } = collect();
  lines.add("a", "stdout", "hel");
  lines.add("a", "stdout", "lo\nwor");
  lines.add("a", "stdout", "ld\n");
  assert.deepEqual(written, ["a stdout hello", "a stdout world"]);
});

Deno.test("TaskLines keeps tasks and streams apart", () => {
  const { lines, written } = collect();
  lines.add("a", "stdout", "out-");
  lines.add("a", "stderr", "err-");
  lines.add("b", "stdout", "other-");
  lines.add("a", "stdout", "a\n");
  lines.add("a", "stderr", "a\n");
  lines.add("b", "stdout", "b\n");
  assert.deepEqual(written, ["a stdout out-a", "a stderr err-a", "b stdout other-b"]);
});

Deno.test("TaskLines flush writes the unfinished line once", () => {
  const { lines, written } = collect();
  lines.add("a", "stdout", "done\nhalf");
  lines.flush("a");
  lines.flush("a");
  assert.deepEqual(written, ["a stdout done", "a stdout half"]);
});

Deno.test("TaskLines writes empty lines between newlines", () => {
  const { lines, written } = collect();
  lines.add("a", "stdout", "\n\nx\n");
  assert.deepEqual(written, ["a stdout ", "a stdout ", "a stdout x"]);
});

Deno.test("TaskLines joins a line of many chunks in order", () => {
  const { lines, written } = collect();
  const chunks = Array.from({ length: 10_000 }, (_, index) => `${index % 10}`);
  for (const chunk of chunks) lines.add("a", "stdout", chunk);
  lines.add("a", "stdout", "\n");
  assert.deepEqual(written, [`a stdout ${chunks.join("")}`]);
});
