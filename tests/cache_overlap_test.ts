/**
 * Two tasks of one run that declare the same output path, while neither
 * depends on the other, get a warning naming both tasks and the path.
 */

import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { makeProject, writeFiles } from "./cache_fixture.ts";
import { cli, MOD_URL } from "./helpers/cli.ts";
import { baseEnv } from "./support/projects.ts";

/** Writes a pipeline whose tasks `z` and `b` copy `src/a.txt` and `src/b.txt` into `out/`. */
async function writePipeline(dir: string, zOutputs: string, bExtra = ""): Promise<void> {
  await writeFile(
    join(dir, "pipeline.ts"),
    `import { definePipeline, job, sh, task } from "${MOD_URL}";
export default definePipeline({
  name: "overlap",
  cache: "file:local",
  tasks: {
    z: task({ inputs: ["src/a.txt"], outputs: [${zOutputs}] },
      sh\`mkdir -p out/a && cp src/a.txt out/a.txt && cp src/a.txt out/a/a.txt\`),
    b: task({ inputs: ["src/b.txt"], outputs: ["out/b.txt"]${bExtra} },
      sh\`mkdir -p out && cp src/b.txt out/b.txt\`),
  },
  jobs: { j: job({ target: ["z", "b"] }) },
});
`,
  );
}

async function project(zOutputs: string, bExtra = ""): Promise<string> {
  const dir = await makeProject({ "src/a.txt": "a\n", "src/b.txt": "b-v1\n" });
  await writePipeline(dir, zOutputs, bExtra);
  return dir;
}

async function run(dir: string): Promise<string> {
  const result = await cli(dir, ["run", "j", "--concurrency", "1"], baseEnv());
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

const OVERLAP =
  /task "(z|b)" (stored|restored) the output out\/b\.txt, which task "(b|z)" also declares as an output, and neither task depends on the other\./g;

Deno.test("overlapping outputs warn when stored", async () => {
  const dir = await project('"out/**"');
  const output = await run(dir);
  const found = [...output.matchAll(OVERLAP)];
  assert.equal(found.length, 1, output);
  assert.notEqual(found[0][1], found[0][3]);
  assert.match(output, /Leave the file to one task \(for example with "!out\/b\.txt"/);
});

Deno.test("overlapping outputs warn again on later runs", async () => {
  const dir = await project('"out/**"');
  await run(dir);
  await writeFiles(dir, { "src/b.txt": "b-v2\n" });
  const second = await run(dir);
  assert.equal([...second.matchAll(OVERLAP)].length, 1, second);
  const third = await run(dir);
  assert.match(third, /z cached/);
  assert.equal([...third.matchAll(OVERLAP)].length, 1, third);
});

Deno.test("overlapping outputs of dependent tasks do not warn", async () => {
  const dir = await project('"out/**"', ', dependsOn: ["z"]');
  const first = await run(dir);
  assert.doesNotMatch(first, /also declares as an output/);
  const second = await run(dir);
  assert.doesNotMatch(second, /also declares as an output/);
});

Deno.test("disjoint outputs do not warn", async () => {
  const dir = await project('"out/a/**", "out/a.txt"');
  const first = await run(dir);
  assert.doesNotMatch(first, /also declares as an output/);
  const second = await run(dir);
  assert.doesNotMatch(second, /also declares as an output/);
});

Deno.test("a negated pattern settles overlapping outputs", async () => {
  const dir = await project('"out/**", "!out/b.txt"');
  const first = await run(dir);
  assert.doesNotMatch(first, /also declares as an output/);
  const second = await run(dir);
  assert.doesNotMatch(second, /also declares as an output/);
});

Deno.test("a dry run gives the overlap warning", async () => {
  const dir = await project('"out/**"');
  await run(dir);
  const plan = await cli(dir, ["run", "j", "--dry-run"], baseEnv());
  assert.equal(plan.code, 0, plan.stderr);
  assert.equal([...plan.stdout.matchAll(OVERLAP)].length, 1, plan.stdout);
});
