/** Reading the frames of an error's stack: `node/stack_frames.ts`. */

import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  isProductFile,
  projectFrame,
  stackFrames,
  thrownByRunningCode,
} from "../node/stack_frames.ts";
import { REPO_DIR } from "./support/projects.ts";

/** Returns an error whose stack has a header line and then `frames`. */
function withFrames(...frames: string[]): Error {
  const error = new Error("boom");
  error.stack = ["Error: boom", ...frames.map((frame) => `    at ${frame}`)].join("\n");
  return error;
}

/** A frame in this package's own `core/sh.ts`. */
const PRODUCT_FRAME = `shTag (${pathToFileURL(join(REPO_DIR, "core/sh.ts")).href}:157:9)`;

Deno.test("stackFrames reads URLs, paths and internal frames", () => {
  const frames = stackFrames(withFrames(
    "file:///app/lib/paths.ts:3:22",
    "eval_evalModule (/app/node_modules/jiti/dist/jiti.cjs:1:184467)",
    "ModuleJob.run (node:internal/modules/esm/module_job:377:25)",
    "async importModule (file:///app/node_modules/@async/pipeline/chunks/run.js:10:5)",
  ));
  assert.deepEqual(frames, [
    { place: "file:///app/lib/paths.ts:3:22", path: "/app/lib/paths.ts", async: false },
    {
      place: "/app/node_modules/jiti/dist/jiti.cjs:1:184467",
      path: "/app/node_modules/jiti/dist/jiti.cjs",
      async: false,
    },
    { place: "node:internal/modules/esm/module_job:377:25", path: undefined, async: false },
    {
      place: "file:///app/node_modules/@async/pipeline/chunks/run.js:10:5",
      path: "/app/node_modules/@async/pipeline/chunks/run.js",
      async: true,
    },
  ]);
});

Deno.test("stackFrames gives none for a value without a stack", () => {
  assert.deepEqual(stackFrames("a string"), []);
  assert.deepEqual(stackFrames(null), []);
});

Deno.test("isProductFile knows this package's modules", () => {
  assert.equal(isProductFile(join(REPO_DIR, "core", "sh.ts")), true);
  assert.equal(isProductFile(join(REPO_DIR, "pipeline.ts")), false);
  assert.equal(isProductFile("/app/core/sh.ts"), false);
});

Deno.test("projectFrame skips the package's and dependencies' frames", () => {
  const error = withFrames(
    PRODUCT_FRAME,
    "Array.forEach (<anonymous>)",
    "/app/node_modules/lib/index.js:4:2",
    "file:///app/ci/test.ts:3:31",
    "file:///app/pipeline.ts:2:1",
  );
  assert.equal(projectFrame(error)?.place, "file:///app/ci/test.ts:3:31");
});

Deno.test("projectFrame is undefined without a project frame", () => {
  const error = withFrames(
    "ModuleJob.run (node:internal/modules/esm/module_job:377:25)",
    "/app/node_modules/jiti/dist/jiti.cjs:1:184467",
  );
  assert.equal(projectFrame(error), undefined);
});

Deno.test("thrownByRunningCode sees a frame of running code", () => {
  const error = withFrames("JSON.parse (<anonymous>)", "file:///app/pipeline.ts:3:6");
  assert.equal(thrownByRunningCode(error), true);
});

Deno.test("thrownByRunningCode counts a dependency's frame", () => {
  assert.equal(thrownByRunningCode(withFrames("/app/node_modules/lib/index.js:4:2")), true);
});

// An awaiting caller, such as a test that loads the pipeline, is in the
// stack of a loader error too, though none of its code ran in the import.
Deno.test("thrownByRunningCode ignores awaiting callers and the package", () => {
  const error = withFrames(
    "compileSourceTextModule (node:internal/modules/esm/utils:357:16)",
    PRODUCT_FRAME,
    "async file:///app/test/load.test.mjs:5:3",
  );
  assert.equal(thrownByRunningCode(error), false);
});
