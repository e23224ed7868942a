import assert from "node:assert/strict";
import { ErrorCode } from "../core/errors.ts";
import { DEFAULT_MAX_LOG_BYTES, lastLines, LogBuffer, readMaxLogBytes } from "../node/logs.ts";

Deno.test("readMaxLogBytes applies default, zero and minimum", () => {
  assert.equal(readMaxLogBytes({}), DEFAULT_MAX_LOG_BYTES);
  assert.equal(readMaxLogBytes({ ASYNC_PIPELINE_MAX_LOG_BYTES: "0" }), 0);
  assert.equal(readMaxLogBytes({ ASYNC_PIPELINE_MAX_LOG_BYTES: "100" }), 4096);
  assert.equal(readMaxLogBytes({ ASYNC_PIPELINE_MAX_LOG_BYTES: "10000" }), 10000);
});

Deno.test("readMaxLogBytes rejects invalid values", () => {
  assert.throws(
    () => readMaxLogBytes({ ASYNC_PIPELINE_MAX_LOG_BYTES: "8MB" }),
    (error: Error & { code?: string }) =>
      error.code === ErrorCode.INVALID_FIELD && /ASYNC_PIPELINE_MAX_LOG_BYTES/.test(error.message),
  );
});

Deno.test("readMaxLogBytes takes decimal digits only", () => {
  for (const raw of ["1e4", " 5000", "5000 ", "0x1000", "+5000", "5000.0", "-5", "1e400"]) {
    assert.throws(
      () => readMaxLogBytes({ ASYNC_PIPELINE_MAX_LOG_BYTES: raw }),
      (error: Error & { code?: string }) =>
        error.code === ErrorCode.INVALID_FIELD &&
        error.message.includes(`non-negative integer, got ${JSON.stringify(raw)}`),
      raw,
    );
  }
  assert.equal(readMaxLogBytes({ ASYNC_PIPELINE_MAX_LOG_BYTES: "05000" }), 5000);
});

Deno.test("LogBuffer keeps everything under the cap", () => {
  const buffer = new LogBuffer(4096);
  buffer.append("one\n");
  buffer.append("two\n");
  assert.equal(buffer.stored(), "one\ntwo\n");
  assert.equal(buffer.droppedBytes, 0);
});

Deno.test("LogBuffer keeps the tail after a marker", () => {
  const buffer = new LogBuffer(4096);
  for (let i = 0; i < 1000; i++) buffer.append(`line ${String(i).padStart(4, "0")}\n`);
  const stored = buffer.stored();
  const [marker, ...rest] = stored.split("\n");
  assert.match(marker, /^\[async-pipeline\] output truncated: \d+ earlier bytes dropped/);
  assert.equal(buffer.content().length, 4096);
  assert.equal(buffer.totalBytes, 10_000);
  assert.equal(buffer.droppedBytes, 10_000 - 4096);
  assert.ok(rest.includes("line 0999"));
  assert.ok(!stored.includes("line 0000"));
});

Deno.test("LogBuffer never splits a character", () => {
  const buffer = new LogBuffer(4096);
  buffer.append("é".repeat(3000));
  assert.ok(!buffer.content().includes("\ufffd"));
  assert.ok(buffer.content().length > 0);
});

Deno.test("LogBuffer with zero cap keeps everything", () => {
  const buffer = new LogBuffer(0);
  buffer.append("x".repeat(100_000));
  assert.equal(buffer.stored().length, 100_000);
});

Deno.test("lastLines drops trailing blank lines", () => {
  assert.deepEqual(lastLines("a\nb\nc\n\n", 2), ["b", "c"]);
  assert.deepEqual(lastLines("", 3), []);
});
