/** `doctor` on cache paths that something else occupies, which makes every task run uncached. */

import assert from "node:assert/strict";
import { mkdir, realpath, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runPipelineCli } from "../cli/run_pipeline_cli.ts";
import type { DoctorReport } from "../node/doctor/report.ts";
import { tempDir } from "./support/temp_files.ts";

const MOD_URL = new URL("../mod.ts", import.meta.url).href;
const PATH = Deno.env.get("PATH") ?? "";

const PIPELINE = `
import { definePipeline, job, sh, task } from "${MOD_URL}";
export default definePipeline({
  name: "app",
  cache: "file:local",
  tasks: { build: task({ inputs: ["src/**"], run: sh\`true\` }) },
  jobs: { verify: job({ target: "build" }) },
});
`;

async function project(): Promise<string> {
  const dir = await realpath(await tempDir());
  await writeFile(join(dir, "pipeline.ts"), PIPELINE);
  await mkdir(join(dir, ".async", "cache"), { recursive: true });
  return dir;
}

async function doctor(cwd: string) {
  const result = await runPipelineCli({ args: ["doctor", "--format", "json"], cwd, env: { PATH } });
  return { code: result.code, report: JSON.parse(result.stdout) as DoctorReport };
}

Deno.test("doctor flags a secret key directory", async () => {
  const cwd = await project();
  await mkdir(join(cwd, ".async", "cache", "secret.key"));

  const { code, report } = await doctor(cwd);

  assert.equal(code, 1);
  assert.deepEqual(report.actions, [{
    check: "cache",
    message: ".async/cache/secret.key is not a file, so every cached task runs uncached: " +
      "no cache key can be computed without the secret-digest key.",
    fix: "rm -r .async/cache/secret.key (the next run makes a new key).",
  }]);
});

Deno.test("doctor flags a file in place of the store", async () => {
  const cwd = await project();
  await writeFile(join(cwd, ".async", "cache", "tasks"), "in the way");

  const { code, report } = await doctor(cwd);

  assert.equal(code, 1);
  assert.deepEqual(report.actions.map((action) => [action.check, action.fix]), [
    ["cache", "rm .async/cache/tasks (the next run creates the directory)."],
  ]);
});

Deno.test("doctor flags a file in place of the store's temp directory", async () => {
  const cwd = await project();
  await mkdir(join(cwd, ".async", "cache", "tasks", "local"), { recursive: true });
  await writeFile(join(cwd, ".async", "cache", "tasks", "local", ".tmp"), "in the way");

  const { report } = await doctor(cwd);

  assert.deepEqual(report.actions.map((action) => action.fix), [
    "rm .async/cache/tasks/local/.tmp (the next run creates the directory).",
  ]);
});

Deno.test("doctor accepts a cache after a run", async () => {
  const cwd = await project();
  await mkdir(join(cwd, "src"));
  await writeFile(join(cwd, "src", "a.txt"), "a");
  const run = await runPipelineCli({ args: ["run", "verify"], cwd, env: { PATH } });
  assert.equal(run.code, 0, run.stderr);

  const { report } = await doctor(cwd);

  assert.deepEqual(report.actions.filter((action) => action.check === "cache"), []);
});
