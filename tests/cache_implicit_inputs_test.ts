/** The warning for implicit inputs that other tasks' output patterns leave out. */

import assert from "node:assert/strict";
import { definePipeline, job, sh, task } from "../mod.ts";
import { runJob } from "../node/mod.ts";
import type { TaskResult } from "../node/types.ts";
import { implicitInputsWarning } from "../node/cache/implicit_inputs.ts";
import { makePipeline, makeProject } from "./cache_fixture.ts";
import { git } from "./support/git.ts";
import { baseEnv } from "./support/projects.ts";

/** Runs the job `j` of a pipeline with the tasks `report` (outputs `reportOutputs`) and `check`. */
async function runCheck(
  dir: string,
  reportOutputs: string[],
  checkConfig: Parameters<typeof task>[0] = {},
): Promise<TaskResult> {
  const pipeline = definePipeline({
    name: "implout",
    cache: "file:local",
    tasks: {
      report: task({ inputs: ["src/**"], outputs: reportOutputs }, sh`echo unrelated`),
      check: task(
        { outputs: ["out/**"], ...checkConfig },
        sh`mkdir -p out && cat config.json > out/c.txt`,
      ),
    },
    jobs: { j: job({ target: "check" }), r: job({ target: "report" }) },
  });
  const record = await runJob(pipeline, { id: "j", cwd: dir, env: baseEnv() });
  assert.equal(record.status, "passed");
  return record.tasks[0];
}

/** Creates a git project with a tracked `config.json` and `package.json`. */
async function trackedProject(): Promise<string> {
  const dir = await makeProject({
    "config.json": '{"v":1}\n',
    "package.json": '{"type":"module"}\n',
    ".gitignore": "out/\n.async/\n",
  });
  await git(dir, "init", "-q");
  await git(dir, "add", "-A");
  return dir;
}

const WARNING =
  'task "check" declares no inputs, so its key covers every file but the outputs of all tasks, and the outputs of task "report" (**/*.json) leave out files that git tracks: config.json, package.json. An edit to them does not rerun "check". Declare its inputs, or narrow those output patterns.';

Deno.test("other task's outputs hiding tracked files warn", async () => {
  const dir = await trackedProject();
  const first = await runCheck(dir, ["**/*.json"]);
  assert.deepEqual(first.warnings, [WARNING]);
  const second = await runCheck(dir, ["**/*.json"]);
  assert.equal(second.cacheHit, true);
  assert.deepEqual(second.warnings, [WARNING]);
});

Deno.test("outputs over untracked files do not warn", async () => {
  const dir = await trackedProject();
  const result = await runCheck(dir, ["dist/**", "out/**"]);
  assert.equal(result.warnings, undefined);
});

Deno.test("implicit inputs outside git do not warn", async () => {
  const dir = await makeProject({ "config.json": "{}\n" });
  const result = await runCheck(dir, ["**/*.json"]);
  assert.equal(result.warnings, undefined);
});

Deno.test("declared inputs do not warn", async () => {
  const dir = await trackedProject();
  const result = await runCheck(dir, ["**/*.json"], { inputs: ["*.json"] });
  assert.equal(result.warnings, undefined);
});

Deno.test("the task's own outputs do not warn", async () => {
  const dir = await trackedProject();
  const result = await runCheck(dir, ["src/**"], { outputs: ["out/**", "**/*.json"] });
  assert.equal(result.warnings, undefined);
});

Deno.test("implicit inputs warning names tasks and counts paths", () => {
  const pipeline = makePipeline({
    a: task({ cache: true, outputs: ["a/**"] }, sh`a`),
    b: task({ cache: true, outputs: ["docs/*.md", "!docs/keep.md"] }, sh`b`),
    check: task({ cache: true, outputs: ["a/own.txt"] }, sh`check`),
  });
  const byTask = new Map([
    ["a", ["a/1", "a/2", "a/3", "a/4", "a/own.txt"]],
    ["b", ["docs/x.md", "docs/y.md"]],
    ["check", ["a/own.txt"]],
  ]);
  const warning = implicitInputsWarning(pipeline.tasks.check, pipeline.tasks, byTask);
  assert.equal(
    warning,
    'task "check" declares no inputs, so its key covers every file but the outputs of all tasks, and the outputs of tasks "a" (a/**) and "b" (docs/*.md) leave out files that git tracks: a/1, a/2, a/3, a/4, docs/x.md and 1 more. An edit to them does not rerun "check". Declare its inputs, or narrow those output patterns.',
  );
});
