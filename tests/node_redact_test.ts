import assert from "node:assert/strict";
import { inspect } from "node:util";
import { Redactor, StreamRedactor } from "../node/redact.ts";
import type { CacheMissReason, ExecutionRecord } from "../node/types.ts";

Deno.test("Redactor masks every occurrence", () => {
  const redactor = new Redactor(["hunter2"]);
  assert.equal(redactor.redact("pw=hunter2 again hunter2"), "pw=*** again ***");
});

Deno.test("Redactor masks longer secrets first", () => {
  const redactor = new Redactor(["abc", "abcdef"]);
  assert.equal(redactor.redact("x abcdef y abc"), "x *** y ***");
});

Deno.test("Redactor masks lines of multi-line secrets", () => {
  const redactor = new Redactor(["line-one\nline-two"]);
  assert.equal(redactor.redact("got line-two alone"), "got *** alone");
  assert.equal(redactor.redact("line-one\nline-two"), "***");
});

Deno.test("Redactor ignores empty secrets", () => {
  const redactor = new Redactor(["", "x1"]);
  assert.equal(redactor.redact("a x1 b"), "a *** b");
  assert.equal(redactor.maxLength, 2);
});

Deno.test("Redactor.redactValue masks nested strings and keys", () => {
  const redactor = new Redactor(["s3cr3t"]);
  const masked = redactor.redactValue({
    list: ["s3cr3t", 1, null],
    nested: { message: "token s3cr3t", s3cr3t: true },
  });
  assert.deepEqual(masked, {
    list: ["***", 1, null],
    nested: { message: "token ***", "***": true },
  });
});

Deno.test("StreamRedactor masks secrets split across chunks", () => {
  const redactor = new Redactor(["abcdefgh"]);
  const out: string[] = [];
  const stream = new StreamRedactor(redactor, (text) => out.push(text));
  for (const chunk of ["start ab", "cd", "efgh end\n", "tail abc"]) stream.write(chunk);
  stream.flush();
  const text = out.join("");
  assert.equal(text, "start *** end\ntail abc");
  assert.ok(!out.some((chunk) => chunk.includes("abcd")));
});

Deno.test("StreamRedactor emits text that cannot start a secret", () => {
  const redactor = new Redactor(["zzz-secret"]);
  const out: string[] = [];
  const stream = new StreamRedactor(redactor, (text) => out.push(text));
  stream.write("hello ");
  assert.deepEqual(out, ["hello "]);
  stream.write("z");
  assert.deepEqual(out, ["hello "]);
  stream.write("ebra\n");
  assert.equal(out.join(""), "hello zebra\n");
});

Deno.test("StreamRedactor passes text through without secrets", () => {
  const out: string[] = [];
  const stream = new StreamRedactor(new Redactor(), (text) => out.push(text));
  stream.write("a");
  stream.write("b");
  stream.flush();
  assert.deepEqual(out, ["a", "b"]);
});

Deno.test("redactCacheMiss masks paths and reasons", () => {
  const redactor = new Redactor(["e"]);
  const masked = redactor.redactCacheMiss({
    kind: "changed",
    inputs: { added: ["src/e.txt"], removed: [], changed: ["b/ee"] },
    env: ["TOKEN_e"],
    dependencies: ["prepare"],
    command: false,
    definition: true,
  });
  assert.deepEqual(masked, {
    kind: "changed",
    inputs: { added: ["src/***.txt"], removed: [], changed: ["b/******"] },
    env: ["TOKEN_e"],
    dependencies: ["prepare"],
    command: false,
    definition: true,
  });
  assert.deepEqual(redactor.redactCacheMiss({ kind: "restore-failed", reason: "lost e" }), {
    kind: "restore-failed",
    reason: "lost ***",
  });
  const changedOutput = { kind: "restore-failed" as const, reason: "e.js", changedOutput: "e.js" };
  assert.deepEqual(redactor.redactCacheMiss(changedOutput), {
    kind: "restore-failed",
    reason: "***.js",
    changedOutput: "***.js",
  });
  assert.deepEqual(redactor.redactCacheMiss({ kind: "no-entry" }), { kind: "no-entry" });
});

/** A secret with a backslash and all three kinds of quotes. */
const SPECIAL = `p@ss"w\\rd'q\`x`;

Deno.test("Redactor masks JSON-escaped secrets", () => {
  const redactor = new Redactor([SPECIAL]);
  assert.equal(redactor.redact(JSON.stringify({ s: SPECIAL })), '{"s":"***"}');
});

Deno.test("Redactor masks util.inspect escapes", () => {
  for (const secret of [SPECIAL, `back\\slash`, `p@ss"w\\rd'q`, "tab\there"]) {
    const redactor = new Redactor([secret]);
    assert.match(redactor.redact(inspect({ token: secret })), /^\{ token: (['"`])\*\*\*\1 \}$/);
  }
});

Deno.test("Redactor masks shell-quoted secrets", () => {
  const redactor = new Redactor(["it's-s3cr3t"]);
  assert.equal(redactor.redact(`+ echo 'it'\\''s-s3cr3t'`), "+ echo '***'");
});

Deno.test("Redactor masks escaped lines of multi-line secrets", () => {
  const redactor = new Redactor([`first "line"\nsecond`]);
  assert.equal(redactor.redact(JSON.stringify(`first "line"`)), '"***"');
  assert.equal(redactor.redact(JSON.stringify(`first "line"\nsecond`)), '"***"');
});

Deno.test("StreamRedactor masks escaped secrets split across chunks", () => {
  const redactor = new Redactor([`a"b\\c-secret`]);
  const out: string[] = [];
  const stream = new StreamRedactor(redactor, (text) => out.push(text));
  const json = JSON.stringify({ s: `a"b\\c-secret` });
  for (const char of json) stream.write(char);
  stream.flush();
  assert.equal(out.join(""), '{"s":"***"}');
  assert.ok(!out.some((chunk) => chunk.includes("secret")));
});

Deno.test("redactRecord keeps command field names", () => {
  const redactor = new Redactor(["e"]);
  const record = {
    id: "run",
    tasks: [],
    commands: [{ args: ["echo", "e"], action: "allow", code: 0, stdout: "e\n", reason: "see" }],
  } as unknown as ExecutionRecord;
  assert.deepEqual(redactor.redactRecord(record).commands, [
    { args: ["***cho", "***"], action: "allow", code: 0, stdout: "***\n", reason: "s******" },
  ]);
});

Deno.test("redactCacheMiss masks input patterns", () => {
  const redactor = new Redactor(["hunter2"]);
  const reason: CacheMissReason = {
    kind: "uncacheable",
    inputsAreOutputs: true,
    inputPatterns: ["gen/hunter2/**", "src/**"],
  };
  assert.deepEqual(redactor.redactCacheMiss(reason), {
    kind: "uncacheable",
    inputsAreOutputs: true,
    inputPatterns: ["gen/***/**", "src/**"],
  });
});
