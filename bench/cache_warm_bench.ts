/**
 * Warm-path cost of the task cache: a lookup that hits, on a generated
 * project of 2,000 input files and 200 output files.
 *
 * Run with `npx deno bench -A bench/cache_warm_bench.ts`. The files are
 * generated more than the file-state index's 2-second settling window before
 * the measured lookups, so the numbers show the stat-only path.
 */

import { mkdir, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline } from "../core/pipeline.ts";
import { sh } from "../core/sh.ts";
import { job, task } from "../core/task.ts";
import { createTaskCache } from "../node/cache/task_cache.ts";
import type { CacheLookupInput } from "../node/cache_seam.ts";

const INPUT_FILES = 2000;
const OUTPUT_FILES = 200;

const dir = await Deno.makeTempDir({ prefix: "async-cache-bench-" });
const old = new Date(Date.now() - 60_000);
for (let i = 0; i < INPUT_FILES; i++) {
  const path = join(dir, "src", `module${i % 20}`, `file${i}.ts`);
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, `export const value${i} = ${i};\n`);
  await utimes(path, old, old);
}

const pipeline = definePipeline({
  name: "bench",
  cache: "file:local",
  tasks: { build: task({ inputs: ["src/**"], outputs: ["dist/**"] }, sh`build`) },
  jobs: { build: job({ target: "build" }) },
});
const input: CacheLookupInput = {
  task: pipeline.tasks.build,
  cwd: dir,
  env: {},
  envKeys: [],
  secretValues: [],
  dependencyFingerprints: {},
  stepTexts: ["build"],
  force: false,
};

const cold = createTaskCache({ pipeline, rootDir: dir, runId: "bench-cold" });
const miss = await cold.lookup(input);
if (miss.status !== "miss") throw new Error(`expected a miss, got ${miss.status}`);
for (let i = 0; i < OUTPUT_FILES; i++) {
  await mkdir(join(dir, "dist"), { recursive: true });
  await writeFile(join(dir, "dist", `out${i}.js`), `export default ${i};\n`);
}
await cold.save({
  task: input.task,
  cwd: dir,
  key: miss.key,
  lookup: input,
  stdout: "",
  stderr: "",
  meta: {},
  durationMs: 0,
});
await cold.close();
// Let every file leave the index's settling window, then warm the index once.
await new Promise((resolve) => setTimeout(resolve, 2500));
const warmup = createTaskCache({ pipeline, rootDir: dir, runId: "bench-warmup" });
await warmup.lookup(input);
await warmup.close();

Deno.bench("warm lookup, 2000 inputs, 200 outputs", async () => {
  const cache = createTaskCache({ pipeline, rootDir: dir, runId: "bench" });
  const found = await cache.lookup(input);
  if (found.status !== "hit") throw new Error(`expected a hit, got ${found.status}`);
  await cache.close();
});
