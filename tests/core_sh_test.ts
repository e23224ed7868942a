import assert from "node:assert/strict";
import { env } from "../core/env.ts";
import { ErrorCode } from "../core/errors.ts";
import { isDeferredShell, sh, shellQuote, toShellCommand } from "../core/sh.ts";

const QUOTING: Array<[string, string]> = [
  ["plain", "plain"],
  ["src/index.ts", "src/index.ts"],
  ["--flag=value", "--flag=value"],
  ["", "''"],
  ["two words", "'two words'"],
  ["it's", "'it'\\''s'"],
  ["$HOME", "'$HOME'"],
  ["a;rm -rf /", "'a;rm -rf /'"],
  ["`id`", "'`id`'"],
  ["*.ts", "'*.ts'"],
  ["line\nbreak", "'line\nbreak'"],
];

for (const [input, expected] of QUOTING) {
  Deno.test(`shellQuote quotes ${JSON.stringify(input)}`, () => {
    assert.equal(shellQuote(input), expected);
  });
}

Deno.test("sh quotes each interpolation as one word", () => {
  const file = "my file.txt";
  assert.equal(sh`cat ${file} | wc -l`.text, "cat 'my file.txt' | wc -l");
});

Deno.test("sh expands arrays to several words", () => {
  const files = ["a.ts", "b c.ts"];
  assert.equal(sh`tsc ${files}`.text, "tsc a.ts 'b c.ts'");
});

Deno.test("sh stringifies numbers and booleans", () => {
  assert.equal(sh`sleep ${2} && echo ${true}`.text, "sleep 2 && echo true");
});

Deno.test("sh.raw inserts text unquoted", () => {
  assert.equal(sh`ls ${sh.raw("*.ts")}`.text, "ls *.ts");
});

Deno.test("sh nests commands without requoting", () => {
  const inner = sh`echo ${"a b"}`;
  assert.equal(sh`${inner} && true`.text, "echo 'a b' && true");
});

Deno.test("sh keeps secrets as references shown as stars", () => {
  const command = sh`curl -H ${env.secret("TOKEN")} https://example.test`;
  assert.equal(command.text, "curl -H *** https://example.test");
  assert.deepEqual(command.parts[1], { kind: "secret", ref: { kind: "secret", name: "TOKEN" } });
});

Deno.test("sh shows variables by name", () => {
  assert.equal(sh`echo ${env.var("MODE")}`.text, 'echo "$MODE"');
});

Deno.test("sh rejects undefined interpolations", () => {
  assert.throws(
    () => sh`echo ${undefined as unknown as string}`,
    (error: Error & { code?: string }) => {
      assert.equal(error.code, ErrorCode.INVALID_FIELD);
      assert.match(error.message, /interpolation #1 is undefined/);
      return true;
    },
  );
});

Deno.test("sh rejects plain objects", () => {
  assert.throws(() => sh`echo ${{} as unknown as string}`, /interpolation #1 is object/);
});

Deno.test("sh deferred callback is not called", () => {
  const deferred = sh(() => {
    throw new Error("deferred callback must not run at definition time");
  });
  assert.equal(isDeferredShell(deferred), true);
});

Deno.test("sh commands are frozen", () => {
  const command = sh`echo hi`;
  assert.equal(Object.isFrozen(command), true);
  assert.equal(Object.isFrozen(command.parts), true);
});

Deno.test("sh command parts are frozen", () => {
  const command = sh`deploy ${env.secret("TOKEN")} ${env.var("TARGET")}`;
  for (const part of command.parts) assert.equal(Object.isFrozen(part), true, part.kind);
  const refs = command.parts.flatMap((part) => part.kind === "text" ? [] : [part.ref]);
  assert.equal(refs.length, 2);
  for (const ref of refs) assert.equal(Object.isFrozen(ref), true, ref.kind);
});

Deno.test("toShellCommand accepts strings and commands", () => {
  assert.equal(toShellCommand("echo raw text").text, "echo raw text");
  assert.equal(toShellCommand(sh`echo ${"x y"}`).text, "echo 'x y'");
  assert.throws(() => toShellCommand(42 as unknown as string), /must return sh/);
});

Deno.test("sh rejects an escape a template cannot read", () => {
  for (
    const [build, escape] of [
      [() => sh`printf '\033[1mbold\n'; exit 7`, "\\033"],
      [() => sh`echo \u{zz}`, "\\u{zz}"],
      [() => sh`echo \x4`, "\\x4"],
    ] as const
  ) {
    assert.throws(build, (error: Error & { code?: string; hint?: string }) => {
      assert.equal(error.code, ErrorCode.INVALID_FIELD);
      assert.ok(error.message.includes(`escape "${escape}"`), error.message);
      assert.match(error.hint ?? "", /backslash twice/);
      return true;
    });
  }
});

Deno.test("sh keeps escapes a template can read", () => {
  assert.equal(sh`printf '\\033[1m' \t`.text, "printf '\\033[1m' \t");
});

Deno.test("sh keeps each interpolated string as its own part", () => {
  const command = sh`echo ${"a b"} ${2} ${sh`x ${"y"}`}`;
  assert.equal(command.text, "echo 'a b' 2 x y");
  assert.deepEqual(command.parts, [
    { kind: "text", value: "echo " },
    { kind: "text", value: "'a b'", interpolated: "a b" },
    { kind: "text", value: " 2 x " },
    { kind: "text", value: "y", interpolated: "y" },
  ]);
});
