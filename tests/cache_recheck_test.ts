/** The check after a run compares inputs with the facts its lookup took. */

import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { sh } from "../core/sh.ts";
import { task } from "../core/task.ts";

import { createTaskCache, uncachedFingerprint } from "../node/cache/task_cache.ts";
import {
  backdate,
  execute,
  type Execution,
  lookupInput,
  makePipeline,
  makeProject,
  settled,
  writeFiles,
} from "./cache_fixture.ts";

/**
 * Runs task `build` once with `work` as its run. With `volatile`, it sits
 * behind an uncached dependency, so no key memo short-cuts the check.
 */
async function runWith(
  dir: string,
  work: () => Promise<void>,
  options: { now?: () => number; volatile?: boolean } = {},
): Promise<Execution> {
  const pipeline = makePipeline({ build: task({ cache: true, inputs: ["src/**"] }, sh`true`) });
  const runId = crypto.randomUUID();
  const hooks = createTaskCache({ pipeline, rootDir: dir, runId, now: options.now });
  const fingerprints: Record<string, string> = options.volatile
    ? { dep: uncachedFingerprint(runId, "dep") }
    : {};
  const input = lookupInput(pipeline, "build", dir, { dependencyFingerprints: fingerprints });
  const result = await execute(hooks, input, work);
  await hooks.close();
  return result;
}

function files(count: number): Record<string, string> {
  return Object.fromEntries(
    Array.from({ length: count }, (_, n) => [`src/f${n}.ts`, `content ${n}`]),
  );
}

Deno.test("check after the run stores a result whose recent inputs did not change", async () => {
  const dir = await makeProject(files(50));
  const result = await runWith(dir, () => Promise.resolve());
  assert.equal(result.saved?.stored, true);
});

Deno.test("check after the run catches a same-size edit of a recent input", async () => {
  const dir = await makeProject(files(50));
  const result = await runWith(dir, () => writeFiles(dir, { "src/f7.ts": "CONTENT 7" }));
  assert.equal(result.saved?.stored, false);
  assert.match(result.saved?.warning ?? "", /changed while it ran \(src\/f7\.ts\)/);
});

Deno.test("check after the run catches an edit of a settled input", async () => {
  const dir = await makeProject(files(50));
  const edit = () => writeFiles(dir, { "src/f3.ts": "a longer content" });
  const result = await runWith(dir, edit, { now: settled, volatile: true });
  assert.equal(result.saved?.stored, false);
  assert.match(result.saved?.warning ?? "", /changed while it ran \(src\/f3\.ts\)/);
});

Deno.test("check after the run stores a result whose settled inputs did not change", async () => {
  const dir = await makeProject(files(50));
  const result = await runWith(dir, () => Promise.resolve(), { now: settled, volatile: true });
  assert.equal(result.saved?.stored, true);
});

Deno.test("check after the run catches an added input", async () => {
  const dir = await makeProject(files(5));
  await backdate(dir);
  const add = () => writeFiles(dir, { "src/new.ts": "new" });
  const result = await runWith(dir, add, { now: settled, volatile: true });
  assert.equal(result.saved?.stored, false);
  assert.match(result.saved?.warning ?? "", /changed while it ran \(src\/new\.ts\)/);
});

Deno.test("check after the run catches a removed input", async () => {
  const dir = await makeProject(files(5));
  const remove = () => rm(`${dir}/src/f2.ts`);
  const result = await runWith(dir, remove, { now: settled, volatile: true });
  assert.equal(result.saved?.stored, false);
  assert.match(result.saved?.warning ?? "", /changed while it ran \(src\/f2\.ts\)/);
});

Deno.test("check after the run catches a file replaced by a link", async () => {
  const dir = await makeProject(files(5));
  const replace = async () => {
    await rm(`${dir}/src/f1.ts`);
    await Deno.symlink("f0.ts", `${dir}/src/f1.ts`);
  };
  const result = await runWith(dir, replace, { now: settled, volatile: true });
  assert.equal(result.saved?.stored, false);
  assert.match(result.saved?.warning ?? "", /changed while it ran \(src\/f1\.ts\)/);
});
