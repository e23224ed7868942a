/** How a pipeline file that does not parse is described, whichever loader read it. */

import assert from "node:assert/strict";
import { rmdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { importModule } from "../node/import_module.ts";
import { importFailure } from "../node/load.ts";
import { tempDir } from "./support/temp_files.ts";

/** Line 4 lacks the `}` that closes the type, so `pkgs` (column 7) is unexpected. */
const BROKEN = `type Pkg = {
  name: string;

const pkgs: Pkg[] = [];
export default pkgs;
`;

// jiti makes `<tmpdir>/jiti` for its transpile cache even when it caches nothing, as for a file
// that does not parse: remove it unless another test file's modules are cached there.
Deno.test.afterAll(async () => {
  await rmdir(join(tmpdir(), "jiti")).catch(() => undefined);
});

Deno.test("importFailure gives a jiti parse error's place with a 1-based column", async () => {
  const path = join(await tempDir(), "pipeline.ts");
  await writeFile(path, BROKEN);
  const error = await importModule(pathToFileURL(path).href, { typescript: false }).then(
    () => assert.fail("the broken module loaded"),
    (error: unknown) => error,
  );
  assert.match(String((error as Error).message), /^ParseError: /);

  assert.equal(importFailure(error), `Unexpected token, expected ";"\n  at ${path}:4:7`);
});

Deno.test("importFailure keeps other messages as they are", () => {
  assert.equal(importFailure(new Error("Cannot find module 'x'")), "Cannot find module 'x'");
});
