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

Deno.test("importFailure keeps a message without a project frame", () => {
  const error = new Error("Cannot find module 'x'");
  error.stack = `Error: ${error.message}\n` +
    "    at finalizeResolution (node:internal/modules/esm/resolve:274:11)\n" +
    "    at /app/node_modules/jiti/dist/jiti.cjs:1:184467";
  assert.equal(importFailure(error), "Cannot find module 'x'");
});

Deno.test("importFailure adds the first project frame", () => {
  const error = new ReferenceError("__dirname is not defined in ES module scope");
  error.stack = `ReferenceError: ${error.message}\n` +
    "    at file:///app/lib/paths.ts:3:22\n" +
    "    at ModuleJob.run (node:internal/modules/esm/module_job:377:25)\n" +
    "    at file:///app/pipeline.ts:1:1";
  assert.equal(
    importFailure(error),
    "__dirname is not defined in ES module scope\n  at file:///app/lib/paths.ts:3:22",
  );
});
