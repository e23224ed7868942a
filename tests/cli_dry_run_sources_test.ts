/** `run --dry-run` of jobs with tasks of composed sources, through the CLI. */

import assert from "node:assert/strict";
import { join } from "node:path";
import type { JobPlan } from "../node/mod.ts";
import type { ExecutionRecord } from "../node/types.ts";
import { cli } from "./helpers/cli.ts";
import { createSourceRepo, gitTestEnv, writeFiles } from "./support/git.ts";
import { tempDir } from "./support/temp_files.ts";

const SOURCE_PIPELINE = `import { definePipeline, sh, task } from "@mod";
export default definePipeline({
  name: "lib",
  cache: "file:local",
  tasks: { hello: task({ inputs: ["message.txt"] }, sh\`cat message.txt\`) },
});
`;

/** Returns the root pipeline file, with source `lib` declared as `declaration`. */
function rootPipeline(declaration: string): string {
  return `import { definePipeline, job, sh, source, task } from "@mod";
export default definePipeline({
  name: "root",
  cache: "file:local",
  sources: { lib: ${declaration} },
  tasks: { check: task({ dependsOn: ["lib:hello"], inputs: ["src/**"] }, sh\`echo checked\`) },
  jobs: { verify: job({ target: "check" }) },
});
`;
}

/** Creates a root project in `<parent>/root` with a path source in `<parent>/lib`. */
async function pathProject(): Promise<string> {
  const parent = await tempDir("async-pipeline-cli-dry-sources-");
  await writeFiles(join(parent, "lib"), { "pipeline.ts": SOURCE_PIPELINE, "message.txt": "v1\n" });
  const cwd = join(parent, "root");
  await writeFiles(cwd, {
    "pipeline.ts": rootPipeline('source.path({ path: "../lib" })'),
    "src/a.txt": "a\n",
  });
  return cwd;
}

async function dryRunJson(cwd: string): Promise<JobPlan> {
  const result = await cli(cwd, ["run", "verify", "--dry-run", "--format", "json"], gitTestEnv());
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

Deno.test("run --dry-run prints the tasks of a path source", async () => {
  const cwd = await pathProject();
  const plan = await dryRunJson(cwd);
  const [hello, check] = plan.tasks;
  assert.deepEqual(
    plan.tasks.map((task) => [task.id, task.source, task.dependsOn, task.cacheHit, task.certain]),
    [["lib:hello", "lib", [], false, true], ["check", undefined, ["lib:hello"], false, true]],
  );
  const text = await cli(cwd, ["run", "verify", "--dry-run"], gitTestEnv());
  assert.equal(text.code, 0, text.stderr);
  assert.equal(
    text.stdout,
    [
      "Dry run of verify (2 tasks in execution order; nothing runs)",
      "▶ lib:hello cache miss: no cache entry",
      `    key ${hello.cacheKey?.slice(0, 12)}`,
      "▶ check cache miss: no cache entry",
      `    after lib:hello, key ${check.cacheKey?.slice(0, 12)}`,
      "verify: 2 would run, 0 from the cache",
      "",
    ].join("\n"),
  );

  const run = await cli(cwd, ["run", "verify", "--format", "json"], gitTestEnv());
  assert.equal(run.code, 0, run.stderr);
  const record = JSON.parse(run.stdout) as ExecutionRecord;
  assert.deepEqual(record.tasks.map((task) => task.cacheKey), [hello.cacheKey, check.cacheKey]);
  const warm = await dryRunJson(cwd);
  assert.deepEqual(warm.tasks.map((task) => task.cacheHit), [true, true]);
});

Deno.test("run --dry-run marks the tasks of a git source on a branch uncertain", async () => {
  const repo = await createSourceRepo({ "pipeline.ts": SOURCE_PIPELINE, "message.txt": "v1\n" });
  const cwd = await tempDir("async-pipeline-cli-dry-sources-");
  await writeFiles(cwd, {
    "pipeline.ts": rootPipeline(`source.git({ url: ${JSON.stringify(repo.url)} })`),
    "src/a.txt": "a\n",
  });
  const first = await cli(cwd, ["run", "verify"], gitTestEnv());
  assert.equal(first.code, 0, first.stderr);

  const text = await cli(cwd, ["run", "verify", "--dry-run"], gitTestEnv());
  assert.equal(text.code, 0, text.stderr);
  assert.equal(
    text.stdout,
    [
      "Dry run of verify (2 tasks in execution order; nothing runs)",
      "● lib:hello cache hit (uncertain)",
      '    note: key known only during the run: the run first fetches ref "main" of source "lib" ' +
      "and may move its checkout; so the run may have to run it instead",
      "● check cache hit (uncertain)",
      "    after lib:hello",
      '    note: key known only during the run: the key of dependency "lib:hello" is not final ' +
      "either; so the run may have to run it instead",
      "verify: 0 would run, 2 from the cache",
      "",
    ].join("\n"),
  );
  const plan = await dryRunJson(cwd);
  assert.deepEqual(plan.tasks.map((task) => [task.id, task.certain, task.cacheKey]), [
    ["lib:hello", false, undefined],
    ["check", false, undefined],
  ]);
});

Deno.test("run --dry-run names a git source that has no checkout yet", async () => {
  const cwd = await tempDir("async-pipeline-cli-dry-sources-");
  await writeFiles(cwd, {
    "pipeline.ts": rootPipeline('source.git({ url: "http://user:s3cret@127.0.0.1:9/lib.git" })'),
  });
  const result = await cli(cwd, ["run", "verify", "--dry-run"], gitTestEnv());
  assert.equal(result.code, 1);
  assert.equal(result.stdout, "");
  assert.equal(
    result.stderr,
    `error[ASYNC_PIPELINE_SOURCE_FAILED]: Source "lib": its checkout ${
      join(cwd, ".async/sources/lib")
    } does not exist yet. A run clones it, but a dry run clones nothing.\n` +
      "  hint: Run a job that uses the source once, so that its checkout exists, then dry-run " +
      "again. `async-pipeline graph` shows the graph without a checkout.\n",
  );
});
