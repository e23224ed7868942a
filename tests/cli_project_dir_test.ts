/** The executable's working directory when `--config` names a pipeline file elsewhere. */

import assert from "node:assert/strict";
import { mkdir, readFile, realpath } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { runPipelineCli } from "../cli/main.ts";
import { makeProject, runCliUnder } from "./support/projects.ts";

const PIPELINE = `
import { definePipeline, job, task } from "@mod";
import { writeFile } from "node:fs/promises";
import process from "node:process";

export default definePipeline({
  name: "dirs",
  tasks: {
    report: task({ cache: false }, async () => {
      await writeFile("report.txt", process.cwd());
    }),
  },
  jobs: { build: job({ target: "report" }) },
});
`;

async function projectWithMember(): Promise<{ dir: string; member: string }> {
  const dir = await realpath(await makeProject(PIPELINE));
  const member = join(dir, "packages", "api");
  await mkdir(member, { recursive: true });
  return { dir, member };
}

async function exists(path: string): Promise<boolean> {
  try {
    await readFile(path);
    return true;
  } catch {
    return false;
  }
}

for (const runtime of ["deno", "node"] as const) {
  Deno.test(`cli runs function steps in the pipeline directory under ${runtime}`, async () => {
    const { dir, member } = await projectWithMember();
    const result = await runCliUnder(runtime, member, [
      "run",
      "build",
      "--config",
      "../../pipeline.ts",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await readFile(join(dir, "report.txt"), "utf8"), dir);
    assert.equal(await exists(join(member, "report.txt")), false);
  });
}

Deno.test("runPipelineCli keeps the caller's working directory", async () => {
  const { dir, member } = await projectWithMember();
  const before = process.cwd();
  const result = await runPipelineCli({
    args: ["graph", "build", "--config", join(dir, "pipeline.ts")],
    cwd: member,
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(process.cwd(), before);
});
