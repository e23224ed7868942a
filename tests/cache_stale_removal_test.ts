/**
 * What a cache hit removes: only output files that the task's previous
 * entry recorded and that are still as it recorded them. Files the task
 * never wrote stay, as they would after a real run.
 */

import assert from "node:assert/strict";
import { readdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { makeProject, readText, writeFiles } from "./cache_fixture.ts";
import { cli, MOD_URL } from "./helpers/cli.ts";
import { baseEnv } from "./support/projects.ts";

/** Writes a pipeline whose `build` task runs `command` with `inputs` and `outputs`. */
async function writePipeline(dir: string, inputs: string, outputs: string, command: string) {
  await writeFile(
    join(dir, "pipeline.ts"),
    `import { definePipeline, job, sh, task } from "${MOD_URL}";
export default definePipeline({
  name: "stale",
  cache: "file:local",
  tasks: { build: task({ inputs: [${inputs}], outputs: [${outputs}] }, sh\`${command}\`) },
  jobs: { j: job({ target: "build" }) },
});
`,
  );
}

async function run(dir: string, args: string[] = []) {
  const result = await cli(dir, ["run", "j", ...args], baseEnv());
  assert.equal(result.code, 0, result.stderr);
  return result;
}

async function exists(dir: string, path: string): Promise<boolean> {
  return await stat(join(dir, path)).then(() => true, () => false);
}

Deno.test("a hit keeps a hand-written file its outputs match", async () => {
  const dir = await makeProject({ "src/a.ts": "export const a = 1;\n" });
  await writePipeline(
    dir,
    '"src/**/*.ts"',
    '"src/**/*.js"',
    'for f in src/*.ts; do cp "$f" "\\\\\\${f%.ts}.js"; done',
  );
  await run(dir);
  await writeFiles(dir, { "src/legacy.js": "// hand-written\n" });
  const second = await run(dir);
  assert.match(second.stdout, /build cached/);
  assert.equal(await readText(dir, "src/legacy.js"), "// hand-written\n");
  const third = await run(dir);
  assert.match(third.stdout, /build cached/);
  assert.equal(await readText(dir, "src/legacy.js"), "// hand-written\n");
});

/** Creates a project whose `build` writes `dist/<name>.js` for each `src/<name>.txt`, clearing `dist/` first. */
async function generatorProject(): Promise<string> {
  const dir = await makeProject({ "src/a.txt": "a\n", "src/b.txt": "b\n" });
  await writePipeline(
    dir,
    '"src/**"',
    '"dist/**"',
    'rm -rf dist && mkdir dist && for f in src/*.txt; do n=$(basename "$f" .txt); cp "$f" "dist/$n.js"; done',
  );
  return dir;
}

/**
 * Runs the generator with and without `src/b.txt`, so that the last entry
 * used has `dist/b.js` and the other has not, and leaves `src/b.txt` removed.
 */
async function twoEntries(dir: string): Promise<void> {
  await run(dir);
  await rm(join(dir, "src/b.txt"));
  await run(dir);
  await writeFiles(dir, { "src/b.txt": "b\n" });
  const back = await run(dir);
  assert.match(back.stdout, /build cached/);
  assert.equal(await readText(dir, "dist/b.js"), "b\n");
  await rm(join(dir, "src/b.txt"));
}

Deno.test("a hit removes a file the task's previous entry wrote", async () => {
  const dir = await generatorProject();
  await twoEntries(dir);
  await writeFiles(dir, { "dist/notes.txt": "mine\n" });
  const last = await run(dir);
  assert.match(last.stdout, /build cached/);
  assert.deepEqual((await readdir(join(dir, "dist"))).sort(), ["a.js", "notes.txt"]);
});

Deno.test("a hit keeps a produced file that was edited since", async () => {
  const dir = await generatorProject();
  await twoEntries(dir);
  await writeFiles(dir, { "dist/b.js": "edited by hand\n" });
  const last = await run(dir);
  assert.match(last.stdout, /build cached/);
  assert.equal(await readText(dir, "dist/b.js"), "edited by hand\n");
});

Deno.test("a dry run lists the files a hit would remove", async () => {
  const dir = await generatorProject();
  await twoEntries(dir);
  await writeFiles(dir, { "dist/notes.txt": "mine\n" });
  const plan = await run(dir, ["--dry-run"]);
  assert.match(plan.stdout, /build cache hit/);
  assert.match(plan.stdout, /\n {4}would remove: dist\/b\.js\n/);
  assert.doesNotMatch(plan.stdout, /notes\.txt/);
  assert.equal(await exists(dir, "dist/b.js"), true);
  const json = await run(dir, ["--dry-run", "--format", "json"]);
  assert.deepEqual(JSON.parse(json.stdout).tasks[0].removes, ["dist/b.js"]);
});

Deno.test("a dry run of a hit that removes nothing lists no removal", async () => {
  const dir = await generatorProject();
  await run(dir);
  await writeFiles(dir, { "dist/notes.txt": "mine\n" });
  const plan = await run(dir, ["--dry-run"]);
  assert.match(plan.stdout, /build cache hit/);
  assert.doesNotMatch(plan.stdout, /would remove/);
});
