import assert from "node:assert/strict";
import { join } from "node:path";
import { listWorkspacePackages } from "../node/sync/tasks/workspace.ts";
import { cli, makeProject, pipelineSource, read } from "./sync_tasks_fixtures.ts";

const lines = (...list: string[]) => list.join("\n") + "\n";
const manifest = (name: string) => `${JSON.stringify({ name, scripts: {} }, null, 2)}\n`;

Deno.test("npm workspace package target", async () => {
  const rootManifest = `${
    JSON.stringify({ name: "root", private: true, workspaces: ["packages/*"] }, null, 2)
  }\n`;
  const dir = await makeProject({
    "pipeline.ts": pipelineSource('{ targets: [{ package: "@acme/app" }] }'),
    "package.json": rootManifest,
    "packages/app/package.json": manifest("@acme/app"),
    "packages/lib/package.json": manifest("@acme/lib"),
    "node_modules/@acme/app/package.json": manifest("@acme/app"),
  });

  const result = await cli(dir, "sync", "tasks", "generate");

  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stdout,
    "updated packages/app/package.json\nupdated .async-pipeline/tasks.lock.json\n",
  );
  assert.equal(
    await read(dir, "packages/app/package.json"),
    lines(
      "{",
      '  "name": "@acme/app",',
      '  "scripts": {',
      '    "pipeline:verify": "async-pipeline run verify --config ../../pipeline.ts"',
      "  }",
      "}",
    ),
  );
  assert.equal(await read(dir, "package.json"), rootManifest);
  assert.equal(await read(dir, "packages/lib/package.json"), manifest("@acme/lib"));
  const lock = JSON.parse(await read(dir, ".async-pipeline/tasks.lock.json"));
  assert.deepEqual(lock.targets, [{ package: "@acme/app" }]);
  assert.deepEqual(lock.manifests.map((item: { path: string }) => item.path), [
    "packages/app/package.json",
  ]);

  // The generated --config path resolves from the package's directory.
  const check = await cli(
    join(dir, "packages/app"),
    "sync",
    "tasks",
    "check",
    "--config",
    "../../pipeline.ts",
  );
  assert.equal(check.code, 0, check.stderr);
});

Deno.test("pnpm workspace package target", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource(
      '{ targets: [{ package: "web" }], runners: ["package", "deno"] }',
    ),
    "package.json": manifest("root"),
    "pnpm-workspace.yaml": lines("packages:", '  - "apps/*"', '  - "!apps/legacy"'),
    "apps/web/package.json": manifest("web"),
    "apps/web/deno.json": "{}\n",
    "apps/legacy/package.json": manifest("legacy"),
  });

  const result = await cli(dir, "sync", "tasks", "generate");

  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stdout,
    "updated apps/web/package.json\nupdated apps/web/deno.json\n" +
      "updated .async-pipeline/tasks.lock.json\n",
  );
  assert.match(
    await read(dir, "apps/web/package.json"),
    /"pipeline:verify": "async-pipeline run verify --config \.\.\/\.\.\/pipeline\.ts"/,
  );
  assert.equal(
    await read(dir, "apps/web/deno.json"),
    lines(
      "{",
      '  "tasks": {',
      '    "pipeline:verify": "deno run -A @async/pipeline/cli run verify --config ../../pipeline.ts"',
      "  }",
      "}",
    ),
  );
  assert.equal(await read(dir, "package.json"), manifest("root"));
});

Deno.test("package target outside workspace fails", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource('{ targets: [{ package: "legacy" }] }'),
    "package.json": manifest("root"),
    "pnpm-workspace.yaml": lines("packages:", "  - apps/*", "  - '!apps/legacy'"),
    "apps/web/package.json": manifest("web"),
    "apps/legacy/package.json": manifest("legacy"),
  });

  const result = await cli(dir, "sync", "tasks", "generate");

  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    'error[ASYNC_PIPELINE_SYNC_TARGET_NOT_FOUND]: sync.tasks.targets[0]: no package.json in the workspace has the name "legacy".\n' +
      "  hint: Workspace packages: root, web.\n",
  );
  assert.equal(await read(dir, "apps/legacy/package.json"), manifest("legacy"));
});

Deno.test("package target suggests close names", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource('{ targets: [{ package: "@acme/ap" }] }'),
    "package.json": JSON.stringify({ name: "root", workspaces: { packages: ["packages/*"] } }),
    "packages/app/package.json": manifest("@acme/app"),
  });

  const result = await cli(dir, "sync", "tasks", "check");

  assert.equal(result.code, 1);
  assert.match(result.stderr, /hint: Did you mean "@acme\/app"\?/);
});

Deno.test("workspace lists yarn and deno members", async () => {
  const yarn = await makeProject({
    "package.json": JSON.stringify({ name: "root", workspaces: { packages: ["./libs/*/"] } }),
    "libs/a/package.json": manifest("a"),
    "libs/b/package.json": "{}",
  });
  assert.deepEqual(await listWorkspacePackages(yarn), [
    { name: "root", dir: "." },
    { name: "a", dir: "libs/a" },
  ]);

  const deno = await makeProject({
    "deno.jsonc": '{\n  // members\n  "workspace": ["./tools/cli"]\n}\n',
    "tools/cli/package.json": manifest("cli"),
  });
  assert.deepEqual(await listWorkspacePackages(deno), [{ name: "cli", dir: "tools/cli" }]);
});

Deno.test("workspace rejects invalid pnpm yaml", async () => {
  const dir = await makeProject({ "pnpm-workspace.yaml": "packages: [apps/*\n" });

  await assert.rejects(listWorkspacePackages(dir), {
    code: "ASYNC_PIPELINE_SYNC_FILE_INVALID",
    path: "pnpm-workspace.yaml",
  });
});
