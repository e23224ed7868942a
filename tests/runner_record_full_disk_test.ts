/** A run whose record and logs cannot be written mid-run, on a real full tmpfs under `.async/runs`. */

import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { MOD_URL } from "./support/projects.ts";
import { canMountTmpfs, runCliOnTmpfs } from "./support/tmpfs.ts";
import { tempDir } from "./support/temp_files.ts";

const PIPELINE = `
import { definePipeline, job, sh, task } from "${MOD_URL}";
export default definePipeline({
  name: "full",
  tasks: {
    build: task({ run: sh\`head -c 200000 /dev/zero | tr '\\\\0' x; echo\` }),
    dep: task({ dependsOn: ["build"], run: sh\`echo dep\` }),
  },
  jobs: { j: job({ target: "dep" }) },
});
`;

/** Runs `run j` under Node with `.async/runs` on a 64 KiB tmpfs of which 12 KiB are free. */
async function runOnFullDisk(...args: string[]) {
  const dir = await tempDir();
  await writeFile(join(dir, "pipeline.ts"), PIPELINE);
  const runs = join(dir, ".async/runs");
  await mkdir(runs, { recursive: true });
  return await runCliOnTmpfs("node", dir, ["run", "j", ...args], {
    mountPoint: runs,
    sizeKiB: 64,
    fillerBytes: 53248,
  });
}

Deno.test({
  name: "full record disk gives the task its status line (real tmpfs)",
  ignore: !canMountTmpfs(),
  fn: async () => {
    const result = await runOnFullDisk();
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /^✓ build passed \(/m, result.stdout);
    assert.match(result.stdout, /warning: The task's logs could not be written: ENOSPC/);
    assert.match(
      result.stderr,
      /^error\[ASYNC_PIPELINE_IO_FAILED\]: Writing the execution record /,
    );
  },
});

Deno.test({
  name: "full record disk still prints the json record (real tmpfs)",
  ignore: !canMountTmpfs(),
  fn: async () => {
    const result = await runOnFullDisk("--format", "json");
    assert.equal(result.code, 1, result.stderr);
    const record = JSON.parse(result.stdout);
    assert.equal(record.status, "failed");
    assert.deepEqual(
      record.tasks.map((task: { id: string; status: string }) => [task.id, task.status]),
      [["build", "passed"], ["dep", "passed"]],
    );
    assert.match(
      result.stderr,
      /^error\[ASYNC_PIPELINE_IO_FAILED\]: Writing the execution record /,
    );
  },
});
