/** Files that a `!` output pattern keeps out of the outputs are inputs. */

import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sh } from "../core/sh.ts";
import { task } from "../core/task.ts";
import { sha256 } from "../node/cache/digest.ts";
import { FileStateIndex } from "../node/cache/file_index.ts";
import { matchesInputPatterns, resolveInputs } from "../node/cache/inputs.ts";
import { outputPathMatcher } from "../node/cache/output_sets.ts";
import { makePipeline, makeProject, readText, settled, writeFiles } from "./cache_fixture.ts";
import { cli, MOD_URL } from "./helpers/cli.ts";
import { baseEnv } from "./support/projects.ts";

function index(dir: string): Promise<FileStateIndex> {
  return FileStateIndex.load(join(dir, "index.json"), settled);
}

Deno.test("negated output keeps a declared input", async () => {
  const dir = await makeProject({ "src/a.ts": "a", "src/a.js": "built", "src/keep.js": "keep" });
  const pipeline = makePipeline({
    t: task({ inputs: ["src/**"], outputs: ["src/**/*.js", "!src/keep.js"], cache: true }, sh`t`),
  });
  const inputs = await resolveInputs(pipeline.tasks.t, dir, await index(dir));
  assert.deepEqual(Object.keys(inputs), ["src/a.ts", "src/keep.js"]);
  assert.equal(inputs["src/keep.js"], sha256("keep"));
});

Deno.test("negated output of another task keeps an implicit input", async () => {
  const dir = await makeProject({ "dist/app.js": "x", "dist/config.json": "{}" });
  const pipeline = makePipeline({
    build: task({ outputs: ["dist/**", "!dist/config.json"], cache: true }, sh`build`),
    pack: task({ cache: true }, sh`pack`),
  });
  const outputs = [pipeline.tasks.build.outputs];
  const inputs = await resolveInputs(pipeline.tasks.pack, dir, await index(dir), outputs);
  assert.deepEqual(Object.keys(inputs), ["dist/config.json"]);
});

Deno.test("negated output of one task does not free another's outputs", async () => {
  const dir = await makeProject({ "dist/app.js": "x", "dist/config.json": "{}" });
  const pipeline = makePipeline({
    build: task({ outputs: ["dist/**", "!dist/config.json"], cache: true }, sh`build`),
    config: task({ outputs: ["dist/config.json"], cache: true }, sh`config`),
    pack: task({ cache: true }, sh`pack`),
  });
  const outputs = [pipeline.tasks.build.outputs, pipeline.tasks.config.outputs];
  const inputs = await resolveInputs(pipeline.tasks.pack, dir, await index(dir), outputs);
  assert.deepEqual(Object.keys(inputs), []);
});

Deno.test("negated output matcher enters a partly excluded directory", () => {
  const isOutput = outputPathMatcher([["dist/**", "!dist/config.json"], ["coverage/**"]]);
  assert.equal(isOutput("dist", true), false);
  assert.equal(isOutput("dist/app.js", false), true);
  assert.equal(isOutput("dist/config.json", false), false);
  assert.equal(isOutput("coverage", true), true);
});

Deno.test("negated output counts for restored changes", () => {
  const pipeline = makePipeline({
    t: task({ inputs: ["src/**"], outputs: ["src/**/*.js", "!src/keep.js"], cache: true }, sh`t`),
  });
  assert.equal(matchesInputPatterns(pipeline.tasks.t, "src/keep.js"), true);
  assert.equal(matchesInputPatterns(pipeline.tasks.t, "src/a.js"), false);
});

Deno.test("negated output reruns its task after an edit", async () => {
  const dir = await makeProject({ "src/a.ts": "a", "src/keep.js": "keep v1\n" });
  await writeFile(
    join(dir, "pipeline.ts"),
    `import { definePipeline, job, sh, task } from "${MOD_URL}";
export default definePipeline({
  name: "neg",
  cache: "file:local",
  tasks: {
    b: task({ inputs: ["src/**"], outputs: ["src/**/*.js", "!src/keep.js", "out/**"] },
      sh\`mkdir -p out && cp src/keep.js out/o.txt\`),
  },
  jobs: { j: job({ target: "b" }) },
});
`,
  );
  const first = await cli(dir, ["run", "j"], baseEnv());
  assert.equal(first.code, 0, first.stderr);
  await writeFiles(dir, { "src/keep.js": "keep v2\n" });
  const second = await cli(dir, ["run", "j"], baseEnv());
  assert.equal(second.code, 0, second.stderr);
  assert.doesNotMatch(second.stdout, /b cached/);
  assert.equal(await readText(dir, "out/o.txt"), "keep v2\n");
});
