/**
 * A task whose outputs cover every file its inputs match, such as an
 * in-place formatter, runs uncached: its key would depend on no file, and a
 * hit would write old outputs over the user's edits.
 */

import assert from "node:assert/strict";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, job, sh, task } from "../mod.ts";
import { runJob } from "../node/mod.ts";
import { makeProject, readText, writeFiles } from "./cache_fixture.ts";
import { cli, MOD_URL } from "./helpers/cli.ts";
import { baseEnv } from "./support/projects.ts";

/** Returns the pipeline of an upper-casing formatter that rewrites `src/*.txt` in place. */
function formatterSource(outputs: string, extra = ""): string {
  return `import { definePipeline, job, sh, task } from "${MOD_URL}";
export default definePipeline({
  name: "fmt",
  cache: "file:local",
  tasks: {
    format: task({ inputs: ["src/**"], outputs: [${outputs}]${extra} },
      sh\`for f in src/*.txt; do [ -e "$f" ] || continue; tr a-z A-Z < "$f" > "$f.tmp" && mv "$f.tmp" "$f"; done\`),
  },
  jobs: { j: job({ target: "format" }) },
});
`;
}

/** Creates a project with the in-place formatter and one source file. */
async function formatterProject(outputs = '"src/**"', extra = ""): Promise<string> {
  const dir = await makeProject({ "src/a.txt": "hello world\n" });
  await writeFile(join(dir, "pipeline.ts"), formatterSource(outputs, extra));
  return dir;
}

async function run(dir: string, args: string[] = []) {
  const result = await cli(dir, ["run", "j", ...args], baseEnv());
  assert.equal(result.code, 0, result.stderr);
  return result;
}

const OWN_OUTPUTS_WARNING =
  'task "format" runs uncached: its input pattern (src/**) matches only files that are also its own outputs (src/**), so edits to those files cannot change its cache key and a cache hit would write stored files over them. Declare the outputs apart from the inputs, or set cache: false.';

Deno.test("an in-place formatter formats edits and new files on its next run", async () => {
  const dir = await formatterProject();
  await run(dir);
  assert.equal(await readText(dir, "src/a.txt"), "HELLO WORLD\n");
  await writeFiles(dir, { "src/a.txt": "my new edit\n", "src/b.txt": "brand new file\n" });
  const second = await run(dir);
  assert.doesNotMatch(second.stdout, /format cached/);
  assert.equal(await readText(dir, "src/a.txt"), "MY NEW EDIT\n");
  assert.equal(await readText(dir, "src/b.txt"), "BRAND NEW FILE\n");
});

Deno.test("an in-place formatter is recorded as uncacheable with the cause", async () => {
  const dir = await formatterProject();
  const options = { id: "j", cwd: dir, env: baseEnv() };
  const pipeline = definePipeline({
    name: "fmt",
    cache: "file:local",
    tasks: { format: task({ inputs: ["src/**"], outputs: ["src/**"] }, sh`true`) },
    jobs: { j: job({ target: "format" }) },
  });
  await runJob(pipeline, options);
  const record = await runJob(pipeline, options);
  const result = record.tasks[0];
  assert.equal(result.cacheHit, false);
  assert.deepEqual(result.cacheMiss, {
    kind: "uncacheable",
    inputsAreOutputs: true,
    inputPatterns: ["src/**"],
  });
  assert.deepEqual(result.warnings, [OWN_OUTPUTS_WARNING]);
});

Deno.test("an in-place formatter warns with the cause, not that its inputs match no file", async () => {
  const dir = await formatterProject();
  await run(dir);
  const second = await run(dir);
  assert.ok(second.stdout.includes(OWN_OUTPUTS_WARNING), second.stdout);
  assert.doesNotMatch(second.stdout, /match no file/);
});

Deno.test("a dry run of an in-place formatter predicts a run for the same cause", async () => {
  const dir = await formatterProject();
  await run(dir);
  const plan = await cli(dir, ["run", "j", "--dry-run"], baseEnv());
  assert.equal(plan.code, 0, plan.stderr);
  assert.doesNotMatch(plan.stdout, /format cache hit/);
  assert.match(
    plan.stdout,
    /format would run: its input pattern src\/\*\* matches only its own outputs/,
  );
  assert.ok(plan.stdout.includes(OWN_OUTPUTS_WARNING), plan.stdout);
});

Deno.test("explain names the cause of an in-place formatter's run", async () => {
  const dir = await formatterProject();
  await run(dir);
  await run(dir);
  const explained = await cli(dir, ["explain", "format"], baseEnv());
  assert.equal(explained.code, 0, explained.stderr);
  assert.match(
    explained.stdout,
    /It ran without the cache: its input pattern src\/\*\* matches only files that are also its own outputs/,
  );
  const json = await cli(dir, ["explain", "format", "--format", "json"], baseEnv());
  assert.match(json.stdout, /"inputsAreOutputs": ?true/);
});

Deno.test("an in-place formatter with cache: false gets no warning", async () => {
  const dir = await formatterProject('"src/**"', ", cache: false");
  await run(dir);
  const second = await run(dir);
  assert.doesNotMatch(second.stdout, /warning/);
});

Deno.test("a task whose outputs leave some inputs is still restored from the cache", async () => {
  const dir = await makeProject({ "src/a.ts": "export const a = 1;\n" });
  await writeFile(
    join(dir, "pipeline.ts"),
    `import { definePipeline, job, sh, task } from "${MOD_URL}";
export default definePipeline({
  name: "tscin",
  cache: "file:local",
  tasks: { build: task({ inputs: ["src/**"], outputs: ["src/**/*.js"] },
    sh\`for f in src/*.ts; do cp "$f" "\\\${f%.ts}.js"; done\`) },
  jobs: { j: job({ target: "build" }) },
});
`,
  );
  await run(dir);
  const second = await run(dir);
  assert.match(second.stdout, /build cached/);
  assert.doesNotMatch(second.stdout, /warning/);
  assert.deepEqual((await readdir(join(dir, "src"))).sort(), ["a.js", "a.ts"]);
});

Deno.test("inputs that match no file at all still warn that they match no file", async () => {
  const dir = await makeProject({});
  await writeFile(join(dir, "pipeline.ts"), formatterSource('"src/**"'));
  const first = await run(dir);
  assert.match(first.stdout, /its inputs \(src\/\*\*\) match no file/);
  assert.doesNotMatch(first.stdout, /own outputs/);
});
