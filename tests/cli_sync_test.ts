import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { loadPipeline } from "../node/load.ts";
import { SYNC_PROVIDERS } from "../node/sync/providers.ts";
import {
  cli,
  CLI_MAIN,
  cliProcess,
  makeProject,
  pipelineSource,
  read,
  spawn,
  writeFiles,
} from "./sync_tasks_fixtures.ts";

const LOCK = ".async-pipeline/tasks.lock.json";
const lines = (...list: string[]) => list.join("\n") + "\n";
const PACKAGE_JSON = lines(
  "{",
  '  "name": "app",',
  '  "scripts": {',
  '    "build": "tsc"',
  "  }",
  "}",
);

Deno.test("sync providers include tasks", () => {
  assert.ok(SYNC_PROVIDERS.some((provider) => provider.name === "tasks"));
});

Deno.test("sync list walks enabled providers", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource("true"),
    "package.json": PACKAGE_JSON,
  });
  const loaded = await loadPipeline(dir);
  const enabled = SYNC_PROVIDERS.filter((provider) => provider.enabled(loaded));

  const result = await cli(dir, "sync", "list");

  assert.equal(result.code, 0, result.stderr);
  const headers = result.stdout.split("\n").filter((line) => /^\S+:$/.test(line));
  assert.deepEqual(headers, enabled.map((provider) => `${provider.name}:`));
  assert.ok(
    result.stdout.includes(`tasks:\n  stale    package.json\n`),
    result.stdout,
  );
  assert.ok(result.stdout.includes(`  missing  ${LOCK}\n`), result.stdout);
  assert.equal(await read(dir, "package.json"), PACKAGE_JSON);
});

Deno.test("sync generate then check passes", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource("true"),
    "package.json": PACKAGE_JSON,
  });

  const generate = await cli(dir, "sync", "generate");
  assert.equal(generate.code, 0, generate.stderr);
  assert.ok(generate.stdout.includes(`tasks: package.json, ${LOCK}\n`), generate.stdout);

  const check = await cli(dir, "sync", "check");
  assert.equal(check.code, 0, check.stderr);
  assert.ok(check.stdout.includes(`tasks:\n  current  package.json\n  current  ${LOCK}\n`));

  const again = await cli(dir, "sync", "generate");
  assert.ok(again.stdout.includes("tasks: current, nothing written\n"), again.stdout);
});

Deno.test("sync check fails on drift", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource("true"),
    "package.json": PACKAGE_JSON,
  });
  assert.equal((await cli(dir, "sync", "generate")).code, 0);
  const text = await read(dir, "package.json");
  await writeFiles(dir, { "package.json": text.replace("run verify", "run verify2") });

  const result = await cli(dir, "sync", "check");

  assert.equal(result.code, 1);
  assert.ok(
    result.stdout.includes(
      '  stale    package.json\n    - scripts["pipeline:verify"] is "async-pipeline run verify2"; ' +
        'expected "async-pipeline run verify"\n',
    ),
    result.stdout,
  );
  assert.equal(
    result.stderr,
    "error[ASYNC_PIPELINE_SYNC_STALE]: 1 generated file is out of date: package.json.\n" +
      "  hint: Run `async-pipeline sync generate` and commit the result.\n",
  );
});

Deno.test("sync commands with no family", async () => {
  const source = pipelineSource("false").replace("  sync: { tasks: false },\n", "");
  const dir = await makeProject({ "pipeline.ts": source, "package.json": PACKAGE_JSON });

  for (const command of ["list", "generate", "check"]) {
    const result = await cli(dir, "sync", command);
    assert.equal(result.code, 0, command);
    assert.equal(
      result.stdout,
      "No generated files: the pipeline's sync setting enables no family.\n",
      command,
    );
  }
});

Deno.test("sync tasks removes a dropped job", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource("true", ["verify", "release"]),
    "package.json": PACKAGE_JSON,
  });
  const first = await cliProcess(dir, "sync", "tasks", "generate");
  assert.equal(first.code, 0, first.stderr);
  assert.match(await read(dir, "package.json"), /"pipeline:release": "async-pipeline run release"/);

  await writeFiles(dir, { "pipeline.ts": pipelineSource("true", ["verify"]) });
  const stale = await cliProcess(dir, "sync", "tasks", "check");
  assert.equal(stale.code, 1);
  assert.match(stale.stdout, /scripts\["pipeline:release"\] is no longer generated/);

  const second = await cliProcess(dir, "sync", "tasks", "generate");

  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stdout, `updated package.json\nupdated ${LOCK}\n`);
  assert.equal(
    await read(dir, "package.json"),
    lines(
      "{",
      '  "name": "app",',
      '  "scripts": {',
      '    "build": "tsc",',
      '    "pipeline:verify": "async-pipeline run verify"',
      "  }",
      "}",
    ),
  );
  assert.equal((await cliProcess(dir, "sync", "tasks", "check")).code, 0);
});

Deno.test("deno task runs a generated entry", async () => {
  const cliUrl = pathToFileURL(CLI_MAIN).href;
  const dir = await makeProject({
    "pipeline.ts": pipelineSource('{ scripts: { "sync:check": "sync tasks check" } }'),
    // "manual" resolves the CLI's own npm imports from the repository's node_modules.
    "deno.json": lines(
      "{",
      `  "imports": { "@async/pipeline/cli": "${cliUrl}" },`,
      '  "nodeModulesDir": "manual",',
      '  "tasks": {}',
      "}",
    ),
  });
  assert.equal((await cli(dir, "sync", "tasks", "generate")).code, 0);
  assert.match(
    await read(dir, "deno.json"),
    /"sync:check": "deno run -A @async\/pipeline\/cli sync tasks check"/,
  );

  const current = await spawn(dir, Deno.execPath(), ["task", "sync:check"]);
  assert.equal(current.code, 0, current.stderr);
  assert.equal(current.stdout, `current  deno.json\ncurrent  ${LOCK}\n`);

  const text = await read(dir, "deno.json");
  await writeFiles(dir, { "deno.json": text.replace("run verify", "run verify --force") });
  const stale = await spawn(dir, Deno.execPath(), ["task", "sync:check"]);
  assert.equal(stale.code, 1);
  assert.ok(
    stale.stdout.includes('stale    deno.json\n  - tasks["pipeline:verify"]'),
    stale.stdout,
  );
});

Deno.test("sync generate reports a deleted lock", async () => {
  // A lock left from when task sync was on still owns pipeline:verify.
  const dir = await makeProject({
    "pipeline.ts": pipelineSource("undefined"),
    "package.json": lines(
      "{",
      '  "scripts": {',
      '    "build": "tsc",',
      '    "pipeline:verify": "async-pipeline run verify"',
      "  }",
      "}",
    ),
    [LOCK]: JSON.stringify({
      manifests: [{
        path: "package.json",
        field: "scripts",
        entries: { "pipeline:verify": "async-pipeline run verify" },
      }],
    }),
  });

  const result = await cli(dir, "sync", "generate");

  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, `tasks: package.json, ${LOCK} (deleted)\n`);
});
