/** The hint printed under a file operation that the system rejected. */

import assert from "node:assert/strict";
import { systemErrorHint } from "../cli/app.ts";

function systemError(code: string | undefined, message: string): Error {
  return Object.assign(new Error(message), { code, syscall: "write" });
}

Deno.test("system error hint names a full disk", () => {
  const hint = systemErrorHint(systemError("ENOSPC", "ENOSPC: no space left on device, write"));
  assert.match(hint, /^The disk is full \(ENOSPC\)\. Free space on it/);
});

Deno.test("system error hint reads Deno's full-disk message", () => {
  const error = systemError(undefined, "No space left on device (os error 28): write");
  assert.match(systemErrorHint(error), /^The disk is full \(ENOSPC\)\./);
});

Deno.test("system error hint names a used-up quota", () => {
  const hint = systemErrorHint(systemError("EDQUOT", "EDQUOT: disk quota exceeded, write"));
  assert.match(hint, /^The disk quota is used up \(EDQUOT\)\./);
});

Deno.test("system error hint names permissions", () => {
  const hint = systemErrorHint(systemError("EACCES", "EACCES: permission denied, open 'x'"));
  assert.match(hint, /permissions of the path/);
});

Deno.test("system error hint falls back to path checks", () => {
  const hint = systemErrorHint(systemError("EISDIR", "EISDIR: illegal operation on a directory"));
  assert.match(hint, /^Check that the path exists, has the expected type/);
});
