import assert from "node:assert/strict";
import { mkdir, realpath, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runPipelineCli } from "../cli/run_pipeline_cli.ts";
import type { DoctorReport } from "../node/doctor/report.ts";
import { acquireRunLock } from "../node/lock.ts";
import { tempDir } from "./support/temp_files.ts";

const MOD_URL = new URL("../mod.ts", import.meta.url).href;
const PATH = Deno.env.get("PATH") ?? "";

const PIPELINE = `
import { definePipeline, job, sh, task } from "${MOD_URL}";
export default definePipeline({
  name: "app",
  tasks: { build: task({ run: sh\`true\` }) },
  jobs: { verify: job({ target: "build" }) },
});
`;

async function project(): Promise<string> {
  const dir = await realpath(await tempDir());
  await writeFile(join(dir, "pipeline.ts"), PIPELINE);
  await mkdir(join(dir, ".async"));
  return dir;
}

function cli(cwd: string, ...args: string[]) {
  return runPipelineCli({ args, cwd, env: { PATH } });
}

async function doctor(cwd: string) {
  const result = await cli(cwd, "doctor", "--format", "json");
  return { code: result.code, report: JSON.parse(result.stdout) as DoctorReport };
}

Deno.test("doctor flags a dangling lock link", async () => {
  const cwd = await project();
  const target = join(cwd, "nowhere");
  await symlink(target, join(cwd, ".async", "run.lock"));

  const { code, report } = await doctor(cwd);

  assert.equal(code, 1);
  assert.deepEqual(report.lock, {
    path: ".async/run.lock",
    state: "unreadable",
    error: "ENOENT",
    broken: "dangling-link",
    target,
  });
  assert.deepEqual(report.actions, [{
    check: "lock",
    message:
      `.async/run.lock is a symbolic link to ${target}, which does not exist, so every run fails to take the run lock.`,
    fix: "rm .async/run.lock (no run holds it; the next run creates the lock file).",
  }]);
  const text = await cli(cwd, "doctor");
  assert.match(
    text.stdout,
    new RegExp(`run lock {4}\\.async/run\\.lock is a symbolic link to ${target}, which does not`),
  );
});

Deno.test("run names a dangling lock link", async () => {
  const cwd = await project();
  await symlink(join(cwd, "nowhere"), join(cwd, ".async", "run.lock"));

  const result = await cli(cwd, "run", "verify");

  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /^error\[ASYNC_PIPELINE_IO_FAILED\]: \S+\/\.async\/run\.lock is a symbolic link to \S+nowhere, which does not exist/,
  );
  assert.match(result.stderr, /\n {2}hint: No run holds the lock\. Delete it \(rm \S+run\.lock\)/);
  assert.doesNotMatch(result.stderr, /other runs/);
});

Deno.test("doctor flags a directory lock", async () => {
  const cwd = await project();
  await mkdir(join(cwd, ".async", "run.lock"));

  const { code, report } = await doctor(cwd);

  assert.equal(code, 1);
  assert.deepEqual(report.lock, {
    path: ".async/run.lock",
    state: "unreadable",
    error: "EISDIR",
    broken: "directory",
  });
  assert.deepEqual(report.actions, [{
    check: "lock",
    message: ".async/run.lock is a directory, so every run fails to take the run lock.",
    fix: "rm -r .async/run.lock (no run holds it; the next run creates the lock file).",
  }]);
  const text = await cli(cwd, "doctor");
  assert.match(text.stdout, /run lock {4}\.async\/run\.lock is a directory\n/);
});

Deno.test("run names a directory lock", async () => {
  const cwd = await project();
  await mkdir(join(cwd, ".async", "run.lock"));

  const result = await cli(cwd, "run", "verify");

  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /^error\[ASYNC_PIPELINE_IO_FAILED\]: \S+\/\.async\/run\.lock is a directory, so no run can take/,
  );
  assert.match(result.stderr, /Delete it \(rm -r \S+run\.lock\)/);
});

Deno.test("doctor ignores a torn lock", async () => {
  const cwd = await project();
  await writeFile(join(cwd, ".async", "run.lock"), "torn");

  const { code, report } = await doctor(cwd);

  assert.equal(code, 0);
  assert.deepEqual(report.actions, []);
});

Deno.test("run json prints nothing while the lock is held", async () => {
  const cwd = await project();
  const lock = await acquireRunLock(cwd, "20250102T030405678Z-aa11bb");
  try {
    const result = await cli(cwd, "run", "verify", "--format", "json");

    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /^error\[ASYNC_PIPELINE_RUN_ACTIVE\]: Another run holds /);
  } finally {
    await lock.release();
  }
});
