/**
 * What a cache hit replaces: an existing output file only when the cache
 * wrote or restored it and it is unchanged since. A hand-written file that
 * an output pattern matches, but that the task never wrote, is left as it
 * is. Any other file that differs from the entry's copy turns the hit into
 * a run, so an edit to an output is never lost.
 */

import assert from "node:assert/strict";
import { chmod, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { makeProject, readText, writeFiles } from "./cache_fixture.ts";
import { cli, MOD_URL } from "./helpers/cli.ts";
import { baseEnv } from "./support/projects.ts";

const LEGACY = "export const legacy = 1;\n";
const EDITED = "export const legacy = 1;\n// my edit\n";
const EDITED_OUTPUT = "// edited output\n";
const WARNING =
  'task "tsc" runs: src/a.js changed since the cache last wrote it, and restoring the entry would overwrite it.';

/**
 * Creates a project whose `tsc` task writes `src/<name>.js` beside each
 * `src/<name>.ts`, as a compiler without an output directory does, with a
 * hand-written `src/legacy.js` that its output pattern also matches.
 */
async function compilerProject(legacy = true): Promise<string> {
  const files: Record<string, string> = { "src/a.ts": "export const a = 1;\n" };
  if (legacy) files["src/legacy.js"] = LEGACY;
  const dir = await makeProject(files);
  await writeFile(
    join(dir, "pipeline.ts"),
    `import { definePipeline, job, sh, task } from "${MOD_URL}";
export default definePipeline({
  name: "changed-output",
  cache: "file:local",
  tasks: {
    tsc: task(
      { inputs: ["src/**"], outputs: ["src/**/*.js"] },
      sh\`for f in src/*.ts; do cp "$f" "src/$(basename "$f" .ts).js"; done\`,
    ),
  },
  jobs: { j: job({ target: "tsc" }) },
});
`,
  );
  return dir;
}

async function run(dir: string, args: string[] = []) {
  const result = await cli(dir, ["run", "j", ...args], baseEnv());
  assert.equal(result.code, 0, result.stderr);
  return { ...result, output: result.stdout + result.stderr };
}

/** Runs the task, then once more as a hit, so `.latest` names the hit's entry. */
async function storeAndHit(dir: string): Promise<void> {
  await run(dir);
  const hit = await run(dir);
  assert.match(hit.stdout, /tsc cached/);
}

/**
 * Creates the compiler project, runs it, then adds `src/legacy.js` by hand
 * and runs it for `a = 2`, whose entry records that file as not the task's.
 */
async function handWrittenProject(): Promise<string> {
  const dir = await compilerProject(false);
  await run(dir);
  await writeFiles(dir, { "src/legacy.js": LEGACY, "src/a.ts": "export const a = 2;\n" });
  await run(dir);
  return dir;
}

Deno.test("hit keeps an edited hand-written file", async () => {
  const dir = await handWrittenProject();
  await writeFiles(dir, { "src/legacy.js": EDITED });

  const hit = await run(dir);
  assert.match(hit.stdout, /tsc cached/);
  assert.ok(!hit.output.includes("changed since the cache"), hit.output);
  assert.equal(await readText(dir, "src/legacy.js"), EDITED);
});

Deno.test("hit of an older entry keeps a hand-written edit", async () => {
  const dir = await handWrittenProject();
  await writeFiles(dir, { "src/a.ts": "export const a = 3;\n" });
  await run(dir);
  await writeFiles(dir, { "src/legacy.js": EDITED });
  await writeFiles(dir, { "src/a.ts": "export const a = 2;\n" });

  const back = await run(dir);
  assert.match(back.stdout, /tsc cached/);
  assert.equal(await readText(dir, "src/legacy.js"), EDITED);
  assert.equal(await readText(dir, "src/a.js"), "export const a = 2;\n");
});

Deno.test("edited first-run file runs once", async () => {
  const dir = await compilerProject();
  await storeAndHit(dir);
  await writeFiles(dir, { "src/legacy.js": EDITED });

  const edited = await run(dir);
  assert.doesNotMatch(edited.stdout, /tsc cached/);
  assert.ok(edited.output.includes(WARNING.replace("src/a.js", "src/legacy.js")), edited.output);
  assert.equal(await readText(dir, "src/legacy.js"), EDITED);

  const after = await run(dir);
  assert.match(after.stdout, /tsc cached/);
  assert.equal(await readText(dir, "src/legacy.js"), EDITED);
});

Deno.test("hit runs on an edited output", async () => {
  const dir = await compilerProject();
  await storeAndHit(dir);
  await writeFiles(dir, { "src/a.js": EDITED_OUTPUT });

  const edited = await run(dir);
  assert.doesNotMatch(edited.stdout, /tsc cached/);
  assert.ok(edited.output.includes(WARNING), edited.output);
  assert.equal(await readText(dir, "src/a.js"), "export const a = 1;\n");

  const after = await run(dir);
  assert.match(after.stdout, /tsc cached/);
  assert.ok(!after.output.includes("changed since the cache"), after.output);
});

Deno.test("older entry hit runs on an output edit", async () => {
  const dir = await compilerProject();
  await run(dir);
  await writeFiles(dir, { "src/a.ts": "export const a = 2;\n" });
  await run(dir);
  await writeFiles(dir, { "src/a.js": EDITED_OUTPUT });
  await writeFiles(dir, { "src/a.ts": "export const a = 1;\n" });

  const back = await run(dir);
  assert.doesNotMatch(back.stdout, /tsc cached/);
  assert.ok(back.output.includes(WARNING), back.output);
  assert.equal(await readText(dir, "src/a.js"), "export const a = 1;\n");
});

Deno.test("hit of an older entry replaces outputs the cache wrote", async () => {
  const dir = await compilerProject();
  await run(dir);
  await writeFiles(dir, { "src/a.ts": "export const a = 2;\n" });
  await run(dir);
  assert.equal(await readText(dir, "src/a.js"), "export const a = 2;\n");
  await writeFiles(dir, { "src/a.ts": "export const a = 1;\n" });

  const back = await run(dir);
  assert.match(back.stdout, /tsc cached/);
  assert.ok(!back.output.includes("changed since the cache"), back.output);
  assert.equal(await readText(dir, "src/a.js"), "export const a = 1;\n");
  assert.equal(await readText(dir, "src/legacy.js"), LEGACY);
});

Deno.test("hit restores a deleted output", async () => {
  const dir = await compilerProject();
  await storeAndHit(dir);
  await rm(join(dir, "src/a.js"));
  await rm(join(dir, "src/legacy.js"));

  const hit = await run(dir);
  assert.match(hit.stdout, /tsc cached/);
  assert.equal(await readText(dir, "src/a.js"), "export const a = 1;\n");
  assert.equal(await readText(dir, "src/legacy.js"), LEGACY);
});

Deno.test("hit keeps unchanged outputs", async () => {
  const dir = await compilerProject();
  await storeAndHit(dir);

  const hit = await run(dir);
  assert.match(hit.stdout, /tsc cached/);
  assert.equal(await readText(dir, "src/a.js"), "export const a = 1;\n");
  assert.equal(await readText(dir, "src/legacy.js"), LEGACY);
});

Deno.test("hit resets the mode of an unedited output", async () => {
  const dir = await compilerProject();
  await storeAndHit(dir);
  const mode = (await stat(join(dir, "src/a.js"))).mode & 0o777;
  await chmod(join(dir, "src/a.js"), 0o700);

  const hit = await run(dir);
  assert.match(hit.stdout, /tsc cached/);
  assert.equal((await stat(join(dir, "src/a.js"))).mode & 0o777, mode);
  assert.equal(await readText(dir, "src/a.js"), "export const a = 1;\n");
});

Deno.test("hit keeps the mode of a hand-written file", async () => {
  const dir = await handWrittenProject();
  await chmod(join(dir, "src/legacy.js"), 0o700);

  const hit = await run(dir);
  assert.match(hit.stdout, /tsc cached/);
  assert.equal((await stat(join(dir, "src/legacy.js"))).mode & 0o777, 0o700);
});

Deno.test("hit without a readable latest entry runs", async () => {
  const dir = await compilerProject();
  await storeAndHit(dir);
  await rm(join(dir, ".async/cache/tasks/local/.latest"), { recursive: true });
  await writeFiles(dir, { "src/a.js": "// edited output\n" });

  const edited = await run(dir);
  assert.doesNotMatch(edited.stdout, /tsc cached/);
  assert.match(edited.stdout, /output changed since the cache wrote it: src\/a\.js/);
  assert.equal(await readText(dir, "src/a.js"), "export const a = 1;\n");
});

Deno.test("dry run names the edited output", async () => {
  const dir = await compilerProject();
  await storeAndHit(dir);
  await writeFiles(dir, { "src/a.js": EDITED_OUTPUT });

  const plan = await run(dir, ["--dry-run"]);
  assert.doesNotMatch(plan.stdout, /cache hit/);
  assert.match(plan.stdout, /output changed since the cache wrote it: src\/a\.js/);
  assert.ok(plan.output.includes(WARNING), plan.output);
  assert.equal(await readText(dir, "src/a.js"), EDITED_OUTPUT);

  const json = JSON.parse((await run(dir, ["--dry-run", "--format", "json"])).stdout);
  assert.equal(json.tasks[0].cacheHit, false);
  assert.equal(json.tasks[0].cacheMiss.changedOutput, "src/a.js");
});

Deno.test("explain names the edited output", async () => {
  const dir = await compilerProject();
  await storeAndHit(dir);
  await writeFiles(dir, { "src/a.js": EDITED_OUTPUT });
  await run(dir);

  const text = await cli(dir, ["explain", "tsc"], baseEnv());
  assert.equal(text.code, 0, text.stderr);
  assert.match(
    text.stdout,
    /It ran because src\/a\.js changed since the cache last wrote it, and restoring the entry would overwrite it\./,
  );
  const json = await cli(dir, ["explain", "tsc", "--format", "json"], baseEnv());
  assert.equal(json.code, 0, json.stderr);
  const reason = JSON.parse(json.stdout).cacheMiss;
  assert.equal(reason.kind, "restore-failed");
  assert.equal(reason.changedOutput, "src/a.js");
});
