import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sha256File } from "../node/cache/digest.ts";

function expected(content: Uint8Array): string {
  return createHash("sha256").update(content).digest("hex");
}

Deno.test("sha256File matches for small and large files", async () => {
  const dir = await Deno.makeTempDir();
  const small = new TextEncoder().encode("small file\n");
  const large = new Uint8Array(200 * 1024).map((_, index) => index % 251);
  await writeFile(join(dir, "small"), small);
  await writeFile(join(dir, "large"), large);
  assert.equal(await sha256File(join(dir, "small"), small.length), expected(small));
  assert.equal(await sha256File(join(dir, "small")), expected(small));
  assert.equal(await sha256File(join(dir, "large"), large.length), expected(large));
  await Deno.remove(dir, { recursive: true });
});
