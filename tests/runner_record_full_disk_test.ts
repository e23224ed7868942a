/** A run whose record and logs cannot be written mid-run, on a real full tmpfs under `.async/runs`. */

import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { baseEnv, MOD_URL, REPO_DIR } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

/** True when this process may mount a tmpfs in a private user and mount namespace. */
function canMountTmpfs(): boolean {
  try {
    const probe = new Deno.Command("unshare", {
      args: ["-rm", "sh", "-c", "mount -t tmpfs -o size=4k tmpfs /tmp"],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    return probe.success;
  } catch {
    return false;
  }
}

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
  const cli = [join(REPO_DIR, "node_modules/.bin/node"), join(REPO_DIR, "cli/main.ts"), "run", "j"];
  // The tmpfs lives in a private mount namespace and goes away with the process.
  const script =
    'mount -t tmpfs -o size=64k tmpfs "$0" && head -c 53248 /dev/zero > "$0/filler" && ' +
    'exec "$@"';
  const output = await new Deno.Command("unshare", {
    args: ["-rm", "sh", "-c", script, runs, ...cli, ...args],
    cwd: dir,
    env: baseEnv(),
    clearEnv: true,
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
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
