/** Stray files in the file store's layout: warnings name the path and the command to remove it. */

import assert from "node:assert/strict";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { makeProject, runCliUnder } from "./support/projects.ts";

const PIPELINE = `
import { definePipeline, job, sh, task } from "@mod";
export default definePipeline({
  name: "stray",
  cache: "file:local",
  tasks: { build: task({ inputs: [], outputs: ["out.txt"] }, sh\`echo built > out.txt\`) },
  jobs: { b: job({ target: "build" }) },
});
`;

for (const runtime of ["node", "deno"] as const) {
  Deno.test(`store names a stray .tmp file (${runtime})`, async () => {
    const dir = await makeProject(PIPELINE);
    const stray = join(dir, ".async/cache/tasks/local/.tmp");
    await mkdir(join(dir, ".async/cache/tasks/local"), { recursive: true });
    await writeFile(stray, "x");

    const result = await runCliUnder(runtime, dir, ["run", "b"]);

    assert.equal(result.code, 0, result.stderr);
    assert.ok(
      result.stdout.includes(
        `Remove ${stray}, which is in the way of the store's directories, and the next run stores the entry.`,
      ),
      result.stdout,
    );
  });

  Deno.test(`store names a stray tasks file (${runtime})`, async () => {
    const dir = await makeProject(PIPELINE);
    const stray = join(dir, ".async/cache/tasks");
    await mkdir(join(dir, ".async/cache"), { recursive: true });
    await writeFile(stray, "x");

    const result = await runCliUnder(runtime, dir, ["run", "b"]);

    assert.equal(result.code, 0, result.stderr);
    assert.ok(result.stdout.includes(`Remove ${stray}, which is in the way`), result.stdout);
  });

  Deno.test(`damaged entry names a result.json directory (${runtime})`, async () => {
    const dir = await makeProject(PIPELINE);
    assert.equal((await runCliUnder(runtime, dir, ["run", "b"])).code, 0);
    const store = join(dir, ".async/cache/tasks/local");
    const [key] = (await readdir(store)).filter((name) => !name.startsWith("."));
    const resultFile = join(store, key, "result.json");
    await rm(resultFile);
    await mkdir(resultFile);

    const result = await runCliUnder(runtime, dir, ["run", "b"]);

    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /is damaged \(EISDIR: illegal operation on a directory, (read|open)/,
    );
    assert.ok(result.stdout.includes(resultFile), result.stdout);
  });
}
