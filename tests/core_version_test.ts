import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { VERSION } from "../core/version.ts";

Deno.test("VERSION equals deno.json version", async () => {
  const config = JSON.parse(await readFile(new URL("../deno.json", import.meta.url), "utf8"));
  assert.equal(VERSION, config.version);
});
