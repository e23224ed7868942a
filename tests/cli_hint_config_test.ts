/** Hints that name another command: `--config` and the command that fits. */

import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { runPipelineCli } from "../cli/main.ts";
import { makeProject } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

const PIPELINE = `
import { definePipeline, job, sh, task } from "@mod";
export default definePipeline({
  name: "hints",
  tasks: { t: task({ cache: false }, sh\`true\`) },
  jobs: { j: job({ target: "t" }) },
});
`;

async function memberOfProject(): Promise<string> {
  const dir = await makeProject(PIPELINE);
  const member = join(dir, "packages", "api");
  await mkdir(member, { recursive: true });
  return member;
}

Deno.test("hint repeats the --config of its command", async () => {
  const member = await memberOfProject();
  const result = await runPipelineCli({
    args: ["explain", "t", "--config", "../../pipeline.ts"],
    cwd: member,
  });
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /`async-pipeline run <job> --config \.\.\/\.\.\/pipeline\.ts`/);
});

Deno.test("hint has no --config without one", async () => {
  const dir = await makeProject(PIPELINE);
  const result = await runPipelineCli({ args: ["explain", "t"], cwd: dir });
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /`async-pipeline run <job>`/);
});

Deno.test("hint --config does not outlive its command", async () => {
  const member = await memberOfProject();
  await runPipelineCli({ args: ["explain", "t", "--config", "../../pipeline.ts"], cwd: member });
  const dir = await makeProject(PIPELINE);
  const result = await runPipelineCli({ args: ["explain", "t"], cwd: dir });
  assert.doesNotMatch(result.stderr, /--config/);
});

Deno.test("unknown job that is a task names run-task", async () => {
  const dir = await makeProject(PIPELINE);
  const result = await runPipelineCli({ args: ["run", "t"], cwd: dir });
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /"t" is a task: run it with `async-pipeline run-task t`/);
});

Deno.test("explain outside the project says there is no pipeline file", async () => {
  const dir = await tempDir("async-pipeline-explain-");
  const result = await runPipelineCli({ args: ["explain", "t"], cwd: dir });
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /No pipeline file is in .* either\./);
  assert.match(result.stderr, /pass --config <path>/);
});
