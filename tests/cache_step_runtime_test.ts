/** The runtime an entry records, and the miss reason after a switch of runtime. */

import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { missDetails, missSummary } from "../cli/presenters/miss.ts";
import { sh, task } from "../mod.ts";
import type { CacheMissReason } from "../node/types.ts";
import {
  cacheFor,
  changesOf,
  execute,
  lookupInput,
  makePipeline,
  makeProject,
} from "./cache_fixture.ts";
import { makeProject as makeCliProject, runCliUnder } from "./support/projects.ts";

const DENO_RUNTIME = `Deno ${Deno.version.deno}`;

/** Returns the path of the only `result.json` under `dir/.async/cache`. */
async function resultPath(dir: string): Promise<string> {
  const root = join(dir, ".async/cache");
  const found = (await readdir(root, { recursive: true }))
    .filter((path) => path.endsWith("result.json"));
  assert.equal(found.length, 1);
  return join(root, found[0]);
}

/** Rewrites the `runtime` member of the only entry; `undefined` removes it. */
async function setStoredRuntime(dir: string, runtime: unknown): Promise<void> {
  const path = await resultPath(dir);
  const result = JSON.parse(await readFile(path, "utf8"));
  if (runtime === undefined) delete result.runtime;
  else result.runtime = runtime;
  await writeFile(path, JSON.stringify(result));
}

/** Stores an entry of a task whose steps are `first`, then looks up the task with `second`. */
async function switchSteps(
  first: Parameters<typeof task>[1],
  second: Parameters<typeof task>[1],
  storedRuntime: unknown,
) {
  const dir = await makeProject({});
  const before = makePipeline({ build: task({ inputs: [], cache: true }, first) });
  await execute(cacheFor(before, dir), lookupInput(before, "build", dir));
  await setStoredRuntime(dir, storedRuntime);
  const after = makePipeline({ build: task({ inputs: [], cache: true }, second) });
  return (await execute(cacheFor(after, dir), lookupInput(after, "build", dir))).lookup;
}

const JITI_RUNTIME = { name: "node", version: "20.19.5", loader: "jiti" };

Deno.test("entry records its runtime", async () => {
  const dir = await makeProject({});
  const pipeline = makePipeline({ build: task({ inputs: [], cache: true }, sh`true`) });
  await execute(cacheFor(pipeline, dir), lookupInput(pipeline, "build", dir));
  const result = JSON.parse(await readFile(await resultPath(dir), "utf8"));
  assert.deepEqual(result.runtime, { name: "deno", version: Deno.version.deno });
});

Deno.test("function step miss names a runtime switch", async () => {
  const lookup = await switchSteps(async () => {}, async () => {
    await Promise.resolve();
  }, JITI_RUNTIME);
  const changes = changesOf(lookup);
  assert.equal(changes?.command, true);
  assert.deepEqual(changes?.runtime, { before: "Node 20.19.5 with jiti", after: DENO_RUNTIME });
});

Deno.test("function step miss on one runtime has no note", async () => {
  const lookup = await switchSteps(async () => {}, async () => {
    await Promise.resolve();
  }, { name: "deno", version: "2.0.0" });
  const changes = changesOf(lookup);
  assert.equal(changes?.command, true);
  assert.equal(changes?.runtime, undefined);
});

Deno.test("shell step miss has no runtime note", async () => {
  const lookup = await switchSteps(sh`echo one`, sh`echo two`, JITI_RUNTIME);
  const changes = changesOf(lookup);
  assert.equal(changes?.command, true);
  assert.equal(changes?.runtime, undefined);
});

Deno.test("entry without a runtime has no note", async () => {
  const lookup = await switchSteps(async () => {}, async () => {
    await Promise.resolve();
  }, undefined);
  const changes = changesOf(lookup);
  assert.equal(changes?.command, true);
  assert.equal(changes?.runtime, undefined);
});

Deno.test("entry with an invalid runtime is damaged", async () => {
  const dir = await makeProject({});
  const pipeline = makePipeline({ build: task({ inputs: [], cache: true }, sh`true`) });
  await execute(cacheFor(pipeline, dir), lookupInput(pipeline, "build", dir));
  await setStoredRuntime(dir, { name: 20 });
  const { lookup } = await execute(cacheFor(pipeline, dir), lookupInput(pipeline, "build", dir));
  assert.equal(lookup.status, "miss");
  assert.deepEqual(lookup.status === "miss" ? lookup.reason : undefined, {
    kind: "restore-failed",
    reason: "result.json has an invalid runtime",
  });
});

Deno.test("miss presenter names the runtimes", () => {
  const reason: CacheMissReason = {
    kind: "changed",
    inputs: { added: [], removed: [], changed: [] },
    env: [],
    dependencies: [],
    command: true,
    definition: false,
    runtime: { before: "Node 20.19.5 with jiti", after: "Node 24.3.0" },
  };
  assert.equal(
    missSummary(reason),
    "command changed (function steps rendered by Node 20.19.5 with jiti -> Node 24.3.0)",
  );
  const details = missDetails(reason).join("\n");
  assert.match(
    details,
    /stored by Node 20\.19\.5 with jiti while this run uses Node 24\.3\.0\. Runtimes render/,
  );
});

Deno.test("cli run after a switch to Node names both runtimes", async () => {
  const dir = await makeCliProject(`
import { definePipeline, job, task } from "@mod";
import type { TaskContext } from "@mod";
export default definePipeline({
  name: "fn",
  cache: "file:local",
  tasks: {
    fn: task({ inputs: [] }, async (ctx: TaskContext) => { ctx.log("ran"); }),
  },
  jobs: { j: job({ target: "fn" }) },
});
`);
  const first = await runCliUnder("deno", dir, ["run", "j"]);
  assert.equal(first.code, 0, first.stderr);
  const second = await runCliUnder("node", dir, ["run", "j"]);
  assert.equal(second.code, 0, second.stderr);
  const output = second.stdout + second.stderr;
  assert.match(output, /command changed \(function steps rendered by Deno [^ ]+ -> Node \d+/);
});
