/** `sync.tasks.targets` that name files the project does not have. */

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { cli, makeProject, pipelineSource, read } from "./sync_tasks_fixtures.ts";

const JSONC = '{\n  // tasks of the app\n  "tasks": {}\n}\n';

Deno.test("missing deno.json suggests deno.jsonc", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource('{ targets: [{ path: "deno.json" }] }'),
    "deno.jsonc": JSONC,
  });

  const result = await cli(dir, "sync", "tasks", "generate");

  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    `error[ASYNC_PIPELINE_SYNC_TARGET_NOT_FOUND]: sync.tasks.targets[0]: deno.json does not exist in ${dir}.\n` +
      '  hint: deno.jsonc exists beside it. Use { path: "deno.jsonc" } in sync.tasks.targets.\n',
  );
  assert.equal(await read(dir, "deno.jsonc"), JSONC);
});

Deno.test("missing deno.jsonc suggests deno.json", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource('{ targets: [{ path: "packages/api/deno.jsonc" }] }'),
    "packages/api/deno.json": "{}\n",
  });

  const result = await cli(dir, "sync", "tasks", "check");

  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /\n {2}hint: packages\/api\/deno\.json exists beside it\. Use \{ path: "packages\/api\/deno\.json" \} in sync\.tasks\.targets\.\n$/,
  );
});

Deno.test("missing target without alternative", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource('{ targets: [{ path: "deno.json" }] }'),
    "package.json": "{}\n",
  });

  const result = await cli(dir, "sync", "tasks", "generate");

  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /\n {2}hint: Create the manifest, or fix the path in sync\.tasks\.targets\.\n$/,
  );
});

Deno.test("every missing target is reported", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource(
      '{ targets: [{ path: "deno.json" }, { path: "package.json" }, { path: "web/package.json" }] }',
    ),
    "deno.jsonc": JSONC,
    "package.json": "{}\n",
  });

  const result = await cli(dir, "sync", "tasks", "generate");

  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    "error[ASYNC_PIPELINE_SYNC_TARGET_NOT_FOUND]: 2 problems found:\n" +
      `  - [ASYNC_PIPELINE_SYNC_TARGET_NOT_FOUND] sync.tasks.targets[0]: deno.json does not exist in ${dir}. ` +
      'deno.jsonc exists beside it. Use { path: "deno.jsonc" } in sync.tasks.targets.\n' +
      `  - [ASYNC_PIPELINE_SYNC_TARGET_NOT_FOUND] sync.tasks.targets[2]: web/package.json does not exist in ${dir}. ` +
      "Create the manifest, or fix the path in sync.tasks.targets.\n",
  );
  assert.equal(await read(dir, "package.json"), "{}\n");
  assert.equal(existsSync(join(dir, ".async-pipeline")), false);
});

Deno.test("missing path and package targets", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource('{ targets: [{ path: "tools/deno.json" }, { package: "web" }] }'),
    "package.json": JSON.stringify({ name: "root", workspaces: ["apps/*"] }),
    "apps/api/package.json": JSON.stringify({ name: "api" }),
  });

  const result = await cli(dir, "sync", "tasks", "list");

  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /^error\[ASYNC_PIPELINE_SYNC_TARGET_NOT_FOUND\]: 2 problems found:\n/,
  );
  assert.match(result.stderr, /\] sync\.tasks\.targets\[0\]: tools\/deno\.json does not exist /);
  assert.match(
    result.stderr,
    /\] sync\.tasks\.targets\[1\]: no package\.json in the workspace has the name "web"\. /,
  );
});

Deno.test("deno.jsonc target shadowed by deno.json is rejected", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource('{ targets: [{ path: "deno.jsonc" }] }'),
    "deno.jsonc": JSONC,
    "deno.json": "{}\n",
  });

  const result = await cli(dir, "sync", "tasks", "generate");

  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    "error[ASYNC_PIPELINE_INVALID_FIELD]: sync.tasks.targets[0]: Deno reads deno.json and ignores " +
      "deno.jsonc beside it, so `deno task` would not see the entries written there.\n" +
      '  hint: Use { path: "deno.json" } in sync.tasks.targets, or merge deno.jsonc into deno.json ' +
      "and remove it.\n",
  );
  assert.equal(await read(dir, "deno.jsonc"), JSONC);
  assert.equal(existsSync(join(dir, ".async-pipeline")), false);
});

Deno.test("shadowed and missing targets are reported together", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource(
      '{ targets: [{ path: "web/deno.jsonc" }, { path: "api/package.json" }] }',
    ),
    "web/deno.jsonc": JSONC,
    "web/deno.json": "{}\n",
  });

  const result = await cli(dir, "sync", "tasks", "check");

  assert.equal(result.code, 1);
  assert.match(result.stderr, /^error\[ASYNC_PIPELINE_INVALID_PIPELINE\]: 2 problems found:\n/);
  assert.match(
    result.stderr,
    /\[ASYNC_PIPELINE_INVALID_FIELD\] sync\.tasks\.targets\[0\]: Deno reads web\/deno\.json/,
  );
  assert.match(
    result.stderr,
    /\[ASYNC_PIPELINE_SYNC_TARGET_NOT_FOUND\] sync\.tasks\.targets\[1\]: api\/package\.json/,
  );
});
