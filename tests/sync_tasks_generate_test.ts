import assert from "node:assert/strict";
import { readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { VERSION } from "../core/version.ts";
import {
  cli,
  cliProcess,
  makeProject,
  pipelineSource,
  read,
  writeFiles,
} from "./sync_tasks_fixtures.ts";

const LOCK = ".async-pipeline/tasks.lock.json";
const lines = (...list: string[]) => list.join("\n") + "\n";

const PACKAGE_JSON = lines(
  "{",
  '    "name": "app",',
  '    "scripts": {',
  '        "build": "tsc",',
  '        "test": "node --test"',
  "    },",
  '    "private": true',
  "}",
);

const DENO_JSONC = lines(
  "{",
  "  // Local development tasks.",
  '  "tasks": {',
  "    // Starts the dev server.",
  '    "dev": "deno run -A main.ts" // port 8000',
  "  },",
  '  "imports": {} /* filled by deno add */',
  "}",
);

Deno.test("sync tasks generate writes package scripts", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource("true", ["verify", "release"]),
    "package.json": PACKAGE_JSON,
  });

  const result = await cli(dir, "sync", "tasks", "generate");

  assert.equal(result.stderr, "");
  assert.equal(result.stdout, `updated package.json\nupdated ${LOCK}\n`);
  assert.equal(result.code, 0);
  assert.equal(
    await read(dir, "package.json"),
    lines(
      "{",
      '    "name": "app",',
      '    "scripts": {',
      '        "build": "tsc",',
      '        "test": "node --test",',
      '        "pipeline:verify": "async-pipeline run verify",',
      '        "pipeline:release": "async-pipeline run release"',
      "    },",
      '    "private": true',
      "}",
    ),
  );
});

Deno.test("sync tasks generate writes the lock", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource('{ tasks: ["lint"], scripts: { "sync:check": "sync check" } }'),
    "package.json": PACKAGE_JSON,
  });

  assert.equal((await cli(dir, "sync", "tasks", "generate")).code, 0);

  const lock = JSON.parse(await read(dir, LOCK));
  assert.equal(lock.schemaVersion, 1);
  assert.deepEqual(lock.generator, { name: "@async/pipeline", version: VERSION });
  assert.equal(lock.config, "pipeline.ts");
  assert.equal(lock.prefix, "pipeline");
  assert.deepEqual(lock.runners, ["package", "deno"]);
  assert.deepEqual(lock.targets, []);
  assert.deepEqual(lock.manifests, [{
    path: "package.json",
    field: "scripts",
    entries: {
      "pipeline:verify": "async-pipeline run verify",
      "pipeline:task:lint": "async-pipeline run-task lint",
      "sync:check": "async-pipeline sync check",
    },
  }]);
  assert.match(lock.hash, /^sha256:[0-9a-f]{64}$/);
});

Deno.test("sync tasks generate edits deno.jsonc", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource("true"),
    "deno.jsonc": DENO_JSONC,
  });

  const result = await cli(dir, "sync", "tasks", "generate");

  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    await read(dir, "deno.jsonc"),
    lines(
      "{",
      "  // Local development tasks.",
      '  "tasks": {',
      "    // Starts the dev server.",
      '    "dev": "deno run -A main.ts", // port 8000',
      '    "pipeline:verify": "deno run -A @async/pipeline/cli run verify"',
      "  },",
      '  "imports": {} /* filled by deno add */',
      "}",
    ),
  );
});

Deno.test("sync tasks generate keeps CRLF", async () => {
  const crlf = PACKAGE_JSON.replaceAll("\n", "\r\n");
  const dir = await makeProject({ "pipeline.ts": pipelineSource("true"), "package.json": crlf });

  assert.equal((await cli(dir, "sync", "tasks", "generate")).code, 0);

  const text = await read(dir, "package.json");
  assert.equal(text.replaceAll("\r\n", "").includes("\n"), false, "a bare LF was written");
  assert.ok(text.endsWith("}\r\n"));
  assert.ok(
    text.includes(
      '"test": "node --test",\r\n        "pipeline:verify": "async-pipeline run verify"\r\n    },',
    ),
  );
});

Deno.test("sync tasks second generate is a no-op", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource('{ tasks: ["lint"] }', ["verify", "release"]),
    "package.json": PACKAGE_JSON.replaceAll("\n", "\r\n"),
    "deno.jsonc": DENO_JSONC,
  });
  assert.equal((await cli(dir, "sync", "tasks", "generate")).code, 0);
  const files = ["package.json", "deno.jsonc", LOCK];
  const before = await Promise.all(files.map((file) => readFile(join(dir, file))));
  const mtimes = await Promise.all(
    files.map(async (file) => (await stat(join(dir, file))).mtimeMs),
  );

  const second = await cli(dir, "sync", "tasks", "generate");

  assert.equal(second.code, 0);
  assert.equal(second.stdout, "Task sync is current; nothing written.\n");
  const after = await Promise.all(files.map((file) => readFile(join(dir, file))));
  for (const [index, file] of files.entries()) {
    assert.deepEqual(after[index], before[index], `${file} changed`);
    assert.equal((await stat(join(dir, file))).mtimeMs, mtimes[index], `${file} was rewritten`);
  }
});

Deno.test("sync tasks conflict writes nothing", async () => {
  const taken = PACKAGE_JSON.replace(
    '"test": "node --test"',
    '"test": "node --test",\n        "pipeline:verify": "node --test --watch"',
  );
  const dir = await makeProject({
    "pipeline.ts": pipelineSource("true", ["verify", "release"]),
    "package.json": taken,
    "deno.jsonc": DENO_JSONC,
  });

  const result = await cli(dir, "sync", "tasks", "generate");

  assert.equal(result.code, 1);
  assert.equal(result.stdout, "");
  assert.match(result.stderr, /^error\[ASYNC_PIPELINE_SYNC_CONFLICT\]: package\.json: /);
  assert.match(
    result.stderr,
    /scripts\["pipeline:verify"\] already exists with "node --test --watch"/,
  );
  assert.match(result.stderr, /Nothing was written/);
  assert.equal(await read(dir, "package.json"), taken);
  assert.equal(await read(dir, "deno.jsonc"), DENO_JSONC);
  await assert.rejects(stat(join(dir, ".async-pipeline")), { code: "ENOENT" });
});

Deno.test("sync tasks conflicts are all listed", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource("true"),
    "package.json": lines("{", '  "scripts": {', '    "pipeline:verify": "make"', "  }", "}"),
    "deno.json": lines("{", '  "tasks": {', '    "pipeline:verify": "make"', "  }", "}"),
  });

  const result = await cli(dir, "sync", "tasks", "generate");

  assert.equal(result.code, 1);
  assert.match(result.stderr, /ASYNC_PIPELINE_SYNC_CONFLICT\]: 2 problems found/);
  assert.match(result.stderr, /package\.json: scripts\["pipeline:verify"\]/);
  assert.match(result.stderr, /deno\.json: tasks\["pipeline:verify"\]/);
});

Deno.test("sync tasks check names drift", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource("true", ["verify", "release"]),
    "package.json": PACKAGE_JSON,
    "deno.jsonc": DENO_JSONC,
  });
  assert.equal((await cli(dir, "sync", "tasks", "generate")).code, 0);
  const clean = await cli(dir, "sync", "tasks", "check");
  assert.equal(clean.code, 0);
  assert.equal(
    clean.stdout,
    `current  package.json\ncurrent  deno.jsonc\ncurrent  ${LOCK}\n`,
  );

  const edited = (await read(dir, "package.json"))
    .replace('"async-pipeline run verify"', '"async-pipeline run verify --force"');
  const withoutRelease = (await read(dir, "deno.jsonc"))
    .replace(/\n\s*"pipeline:release": "[^"]*"/, "");
  await writeFiles(dir, { "package.json": edited, "deno.jsonc": withoutRelease });

  const result = await cli(dir, "sync", "tasks", "check");

  assert.equal(result.code, 1);
  assert.equal(
    result.stdout,
    [
      "stale    package.json",
      '  - scripts["pipeline:verify"] is "async-pipeline run verify --force"; ' +
      'expected "async-pipeline run verify"',
      "stale    deno.jsonc",
      '  - tasks["pipeline:release"] is missing; ' +
      'expected "deno run -A @async/pipeline/cli run release"',
      `current  ${LOCK}`,
      "",
    ].join("\n"),
  );
  assert.match(
    result.stderr,
    /^error\[ASYNC_PIPELINE_SYNC_STALE\]: 2 generated files are out of date: package\.json, deno\.jsonc\./,
  );
});

Deno.test("sync tasks generate restores owned entries", async () => {
  const dir = await makeProject({ "pipeline.ts": pipelineSource("true"), "package.json": "{}\n" });
  assert.equal((await cli(dir, "sync", "tasks", "generate")).code, 0);
  const generated = await read(dir, "package.json");
  await writeFiles(dir, { "package.json": generated.replace("run verify", "run other") });

  const result = await cli(dir, "sync", "tasks", "generate");

  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "updated package.json\n");
  assert.equal(await read(dir, "package.json"), generated);
});

Deno.test("sync tasks adopts identical entries", async () => {
  const dir = await makeProject({ "pipeline.ts": pipelineSource("true"), "package.json": "{}\n" });
  assert.equal((await cli(dir, "sync", "tasks", "generate")).code, 0);
  const lock = await read(dir, LOCK);
  await rm(join(dir, ".async-pipeline"), { recursive: true });

  const check = await cli(dir, "sync", "tasks", "check");
  assert.equal(check.code, 1);
  assert.equal(
    check.stdout,
    `current  package.json\nmissing  ${LOCK}\n`,
  );

  const result = await cli(dir, "sync", "tasks", "generate");
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, `updated ${LOCK}\n`);
  assert.equal(await read(dir, LOCK), lock);
});

Deno.test("sync tasks removes entries when off", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource("undefined"),
    "package.json": lines(
      "{",
      '  "scripts": {',
      '    "build": "tsc",',
      '    "pipeline:verify": "async-pipeline run verify",',
      '    "pipeline:gone": "async-pipeline run gone"',
      "  }",
      "}",
    ),
    [LOCK]: JSON.stringify({
      manifests: [{
        path: "package.json",
        field: "scripts",
        entries: {
          "pipeline:verify": "async-pipeline run verify",
          "pipeline:gone": "async-pipeline run gone",
        },
      }],
    }),
  });

  const check = await cli(dir, "sync", "tasks", "check");
  assert.equal(check.code, 1);
  assert.match(check.stdout, /scripts\["pipeline:gone"\] is no longer generated/);
  assert.ok(
    check.stdout.endsWith(`stale    ${LOCK}\n  - sync.tasks is off; generate deletes the lock\n`),
    check.stdout,
  );

  const result = await cli(dir, "sync", "tasks", "generate");

  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, `updated package.json\ndeleted ${LOCK}\n`);
  assert.equal(
    await read(dir, "package.json"),
    lines("{", '  "scripts": {', '    "build": "tsc"', "  }", "}"),
  );
  await assert.rejects(stat(join(dir, ".async-pipeline")), { code: "ENOENT" });
  assert.equal(
    (await cli(dir, "sync", "tasks", "check")).stdout,
    "Task sync is off: the pipeline sets no sync.tasks.\n",
  );
});

Deno.test("sync tasks clears a dropped target", async () => {
  const owned = "async-pipeline run verify --config ../../pipeline.ts";
  const dir = await makeProject({
    "pipeline.ts": pipelineSource("true"),
    "package.json": "{}\n",
    "packages/app/package.json": lines(
      "{",
      '  "scripts": {',
      '    "start": "node .",',
      `    "pipeline:verify": "${owned}"`,
      "  }",
      "}",
    ),
    [LOCK]: JSON.stringify({
      manifests: [{
        path: "packages/app/package.json",
        field: "scripts",
        entries: { "pipeline:verify": owned },
      }],
    }),
  });

  const result = await cli(dir, "sync", "tasks", "generate");

  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stdout,
    `updated package.json\nupdated packages/app/package.json\nupdated ${LOCK}\n`,
  );
  assert.equal(
    await read(dir, "packages/app/package.json"),
    lines("{", '  "scripts": {', '    "start": "node ."', "  }", "}"),
  );
  const lock = JSON.parse(await read(dir, LOCK));
  assert.deepEqual(lock.manifests.map((item: { path: string }) => item.path), ["package.json"]);
});

Deno.test("sync tasks rejects an invalid lock", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource("true"),
    "package.json": "{}\n",
    [LOCK]: JSON.stringify({
      manifests: [{ path: "../package.json", field: "scripts", entries: {} }],
    }),
  });

  const result = await cli(dir, "sync", "tasks", "generate");

  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /ASYNC_PIPELINE_SYNC_FILE_INVALID\]: \.async-pipeline\/tasks\.lock\.json is invalid: manifests\[0\]\.path "\.\.\/package\.json"/,
  );
  assert.equal(await read(dir, "package.json"), "{}\n");
});

Deno.test("sync tasks tells how to replace a lock that is not JSON", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource("true"),
    "package.json": "{}\n",
    [LOCK]: "{ garbage",
  });

  const result = await cli(dir, "sync", "tasks", "generate");

  assert.equal(result.code, 1);
  assert.match(result.stderr, /tasks\.lock\.json is not valid JSON: .* at line 1\./);
  assert.match(result.stderr, /hint: Restore it from version control\. Deleting it releases/);
  assert.equal(await read(dir, "package.json"), "{}\n");
});

Deno.test("sync tasks reports invalid manifests", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource("true"),
    "package.json": '{\n  "name": "app",\n  "scripts": {\n}\n',
  });

  const result = await cli(dir, "sync", "tasks", "check");

  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /^error\[ASYNC_PIPELINE_SYNC_FILE_INVALID\]: package\.json is not valid JSON: CloseBraceExpected at line 5\./,
  );
});

Deno.test("sync tasks needs a root manifest", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource('{ runners: ["deno"] }'),
    "package.json": "{}\n",
  });

  const result = await cli(dir, "sync", "tasks", "generate");

  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /ASYNC_PIPELINE_SYNC_TARGET_NOT_FOUND\]: sync\.tasks found no deno\.json or deno\.jsonc in the project root/,
  );
  assert.equal(await read(dir, "package.json"), "{}\n");
});

Deno.test("sync tasks path target gets --config", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource('{ targets: [{ path: "tools/worker/deno.json" }] }'),
    "package.json": "{}\n",
    "tools/worker/deno.json": '{\n  "tasks": {}\n}\n',
  });

  const result = await cli(dir, "sync", "tasks", "generate");

  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, `updated tools/worker/deno.json\nupdated ${LOCK}\n`);
  assert.equal(await read(dir, "package.json"), "{}\n");
  assert.equal(
    await read(dir, "tools/worker/deno.json"),
    lines(
      "{",
      '  "tasks": {',
      '    "pipeline:verify": "deno run -A @async/pipeline/cli run verify --config ../../pipeline.ts"',
      "  }",
      "}",
    ),
  );
});

Deno.test("sync tasks missing path target fails", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource('{ targets: [{ path: "tools/package.json" }] }'),
  });

  const result = await cli(dir, "sync", "tasks", "generate");

  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /ASYNC_PIPELINE_SYNC_TARGET_NOT_FOUND\]: sync\.tasks\.targets\[0\]: tools\/package\.json does not exist/,
  );
});

Deno.test("sync tasks list shows entry states", async () => {
  const dir = await makeProject({
    "pipeline.ts": pipelineSource('{ tasks: ["lint"] }'),
    "package.json": lines(
      "{",
      '  "scripts": {',
      '    "pipeline:verify": "async-pipeline run verify"',
      "  }",
      "}",
    ),
    "deno.json": lines("{", '  "tasks": {', '    "pipeline:task:lint": "lint"', "  }", "}"),
  });

  const result = await cli(dir, "sync", "tasks", "list");

  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stdout,
    lines(
      "package.json scripts:",
      "  current  pipeline:verify     async-pipeline run verify",
      "  missing  pipeline:task:lint  async-pipeline run-task lint",
      "deno.json tasks:",
      "  missing  pipeline:verify     deno run -A @async/pipeline/cli run verify",
      "  conflict pipeline:task:lint  deno run -A @async/pipeline/cli run-task lint",
      `lock ${LOCK}: missing`,
    ),
  );
});

Deno.test("sync tasks off prints a note", async () => {
  const dir = await makeProject({ "pipeline.ts": pipelineSource("false"), "package.json": "{}\n" });

  for (const command of ["list", "generate", "check"]) {
    const result = await cli(dir, "sync", "tasks", command);
    assert.equal(result.code, 0, command);
    assert.equal(result.stdout, "Task sync is off: the pipeline sets no sync.tasks.\n", command);
  }
  assert.equal(await read(dir, "package.json"), "{}\n");
});

Deno.test("sync tasks rejects unknown options", async () => {
  const dir = await makeProject({ "pipeline.ts": pipelineSource("true"), "package.json": "{}\n" });

  const result = await cli(dir, "sync", "tasks", "generate", "--workflow", "x.yml");

  assert.equal(result.code, 1);
  assert.match(result.stderr, /^error\[ASYNC_PIPELINE_USAGE\]: sync tasks generate: /);
});

Deno.test("sync tasks keeps a brace-line comment in deno.jsonc", async () => {
  const original = lines(
    "{",
    "  // c",
    '  "tasks": { /* inline */ "dev": "x" // after',
    "  }",
    "}",
  );
  const dir = await makeProject({ "pipeline.ts": pipelineSource("true"), "deno.jsonc": original });

  const added = await cli(dir, "sync", "tasks", "generate");
  assert.equal(added.code, 0, added.stderr);
  assert.equal(
    await read(dir, "deno.jsonc"),
    lines(
      "{",
      "  // c",
      '  "tasks": { /* inline */ "dev": "x", // after',
      '    "pipeline:verify": "deno run -A @async/pipeline/cli run verify"',
      "  }",
      "}",
    ),
  );

  await writeFiles(dir, { "pipeline.ts": pipelineSource("false") });
  const removed = await cliProcess(dir, "sync", "tasks", "generate");
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal(await read(dir, "deno.jsonc"), original);
});
