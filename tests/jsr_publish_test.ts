import assert from "node:assert/strict";
import { DENO, describeOutput, projectEnv, REPO_ROOT, runCommand } from "./npm_harness.ts";

Deno.test("deno publish dry run passes", async () => {
  // Runs offline: the dry run checks the package and its slow types locally.
  const output = await runCommand(DENO, ["publish", "--dry-run", "--allow-dirty"], {
    cwd: REPO_ROOT,
    env: { ...projectEnv(), NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
  });
  assert.equal(output.code, 0, describeOutput("deno publish --dry-run", output));
  assert.match(output.stderr, /Dry run complete/);
  assert.doesNotMatch(output.stderr, /^error/m);
});
