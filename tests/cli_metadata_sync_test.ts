/** The `sync:` lines of `metadata`'s text view: the manifests task sync writes. */

import assert from "node:assert/strict";
import { cli, makeProject, pipelineSource } from "./sync_tasks_fixtures.ts";

/** Returns the `sync:` section of the text view, up to the next blank line. */
function syncSection(stdout: string): string {
  const start = stdout.indexOf("\nsync:\n");
  assert.notEqual(start, -1, stdout);
  const end = stdout.indexOf("\n\n", start + 1);
  return stdout.slice(start + 1, end === -1 ? undefined : end + 1);
}

Deno.test("metadata of a deno.jsonc project", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource("true"),
    "deno.jsonc": '{\n  // tasks\n  "tasks": {}\n}\n',
  });

  const result = await cli(dir, "metadata");

  assert.equal(result.code, 0, result.stderr);
  assert.equal(syncSection(result.stdout), "sync:\n  tasks: deno.jsonc tasks (prefix pipeline)\n");
});

Deno.test("metadata of package and deno manifests", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource('{ prefix: "ci" }'),
    "package.json": "{}\n",
    "deno.json": "{}\n",
  });

  const result = await cli(dir, "metadata");

  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    syncSection(result.stdout),
    "sync:\n  tasks: package.json scripts, deno.json tasks (prefix ci)\n",
  );
});

Deno.test("metadata of a path target", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource('{ targets: [{ path: "packages/api/deno.jsonc" }] }'),
    "package.json": "{}\n",
    "packages/api/deno.jsonc": "{}\n",
  });

  const result = await cli(dir, "metadata");

  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    syncSection(result.stdout),
    "sync:\n  tasks: packages/api/deno.jsonc tasks (prefix pipeline)\n",
  );
});

Deno.test("metadata of missing sync targets", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource(
      '{ targets: [{ path: "deno.json" }, { path: "web/package.json" }] }',
    ),
    "deno.jsonc": "{}\n",
  });

  const result = await cli(dir, "metadata");

  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    syncSection(result.stdout),
    "sync:\n  tasks: manifest not found (prefix pipeline)\n" +
      `    sync.tasks.targets[0]: deno.json does not exist in ${dir}.\n` +
      `    sync.tasks.targets[1]: web/package.json does not exist in ${dir}.\n`,
  );
});

Deno.test("metadata json keeps the runners", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource("true"),
    "deno.jsonc": "{}\n",
  });

  const result = await cli(dir, "metadata", "--format", "json");

  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout).sync.tasks.runners, ["package", "deno"]);
});
