/**
 * How the CLI under Node 24, which strips types natively and retries with
 * jiti, reports a pipeline that fails to load.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_DIR } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

/** Node 24 from the repository's devDependencies, which strips types without a flag. */
const NODE = join(REPO_DIR, "node_modules/.bin/node");

/** The authoring API, imported by URL since the projects below install nothing. */
const MOD = JSON.stringify(pathToFileURL(join(REPO_DIR, "mod.ts")).href);

/** A module of two tasks, exported as `extraTasks`, and a type. */
const EXTRA_TS = `import { sh, task } from ${MOD};
export const extraTasks = { fmt: task({}, sh\`echo fmt\`), audit: task({}, sh\`echo audit\`) };
export interface Shape { readonly x: number }
`;

/** Writes `files` into a new project and runs `metadata` there under Node 24. */
async function metadata(files: Record<string, string>) {
  const dir = await tempDir();
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  // jiti's transpile cache goes to TMPDIR: keep it in the project.
  mkdirSync(join(dir, "tmp"));
  const result = spawnSync(NODE, [join(REPO_DIR, "cli/main.ts"), "metadata"], {
    cwd: dir,
    encoding: "utf8",
    env: { ...Deno.env.toObject(), NO_COLOR: "1", TMPDIR: join(dir, "tmp") },
  });
  return { dir, status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Returns a pipeline that imports `names` from `./ci/extra.ts` and spreads
 * the tasks of the first one.
 */
function pipelineImporting(names: string, extra = ""): string {
  return `import { definePipeline, sh, task } from ${MOD};
import { ${names} } from "./ci/extra.ts";${extra}
const tasks = { lint: task({}, sh\`echo lint\`), ...${names.split(",")[0]} };
export default definePipeline({ name: "p", tasks });
`;
}

Deno.test("Node 24 fails on a misspelled named import", async () => {
  const result = await metadata({
    "package.json": '{ "type": "module" }\n',
    "ci/extra.ts": EXTRA_TS,
    "pipeline.ts": pipelineImporting("extraTask"),
  });
  assert.equal(result.status, 1, result.stderr);
  assert.equal(result.stdout, "");
  assert.match(
    result.stderr,
    /^error\[ASYNC_PIPELINE_CONFIG_LOAD_FAILED\]: Failed to load \S+: The requested module '\.\/ci\/extra\.ts' does not provide an export named 'extraTask'\n {2}at file:\/\/\/\S+\/pipeline\.ts:2:10\n/,
  );
});

// jiti reads the enum that Node rejects, so the missing name is what fails.
Deno.test("Node 24 names a missing import beside an enum", async () => {
  const result = await metadata({
    "package.json": '{ "type": "module" }\n',
    "ci/extra.ts": `${EXTRA_TS}export enum Stage { Build }\n`,
    "pipeline.ts": pipelineImporting("extraTask"),
  });
  assert.equal(result.status, 1, result.stderr);
  assert.match(result.stderr, /does not provide an export named 'extraTask'\n {2}at /);
  assert.doesNotMatch(result.stderr, /enum/);
});

Deno.test("Node 24 loads a type imported without import type", async () => {
  const result = await metadata({
    "package.json": '{ "type": "module" }\n',
    "ci/extra.ts": EXTRA_TS,
    "pipeline.ts": pipelineImporting("extraTasks, Shape", "\nconst shape: Shape = { x: 1 };"),
  });
  assert.equal(result.stderr, "");
  assert.equal(result.status, 0);
  assert.match(result.stdout, /\$ echo fmt\n[\s\S]*\$ echo audit\n/);
});

Deno.test("Node 24 runs a body that throws a SyntaxError once", async () => {
  const result = await metadata({
    "package.json": '{ "type": "module" }\n',
    "pipeline.ts": `import { appendFileSync } from "node:fs";
appendFileSync("runs.log", "x");
const config: unknown = JSON.parse("{");
export default config;
`,
  });
  assert.equal(result.status, 1, result.stderr);
  assert.match(
    result.stderr,
    /in JSON at position 1 .*\n {2}at file:\/\/\/\S+\/pipeline\.ts:3:30\n/,
  );
  assert.equal(readFileSync(join(result.dir, "runs.log"), "utf8"), "x");
});

Deno.test("Node 24 names the line of an imported module that threw", async () => {
  const result = await metadata({
    "package.json": '{ "type": "module" }\n',
    "lib/paths.ts": `// Paths of the project.
export const root: string = ".";
export const cache = __dirname + "/cache";
`,
    "pipeline.ts": `import { cache } from "./lib/paths.ts";\nexport default { name: cache };\n`,
  });
  assert.equal(result.status, 1, result.stderr);
  assert.match(
    result.stderr,
    /: __dirname is not defined in ES module scope\n {2}at file:\/\/\/\S+\/lib\/paths\.ts:3:22\n/,
  );
});

Deno.test("Node 24 names the project line of a definition error", async () => {
  const result = await metadata({
    "package.json": '{ "type": "module" }\n',
    "ci/extra.ts": `import { sh, task } from ${MOD};
export const extraTasks = {
  color: task({}, sh\`printf '\\033[1m'\`),
};
`,
    "pipeline.ts": pipelineImporting("extraTasks"),
  });
  assert.equal(result.status, 1, result.stderr);
  assert.match(
    result.stderr,
    /^error\[ASYNC_PIPELINE_INVALID_FIELD\]: sh template has an escape .*\n {2}at file:\/\/\/\S+\/ci\/extra\.ts:3:\d+\n {2}hint: /,
  );
});
