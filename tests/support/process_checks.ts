/** Checks shared by the process-group tests of every spawn path. */

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { runInProcessGroup } from "../../node/executor/process_group.ts";
import { baseEnv, isAlive, waitFor } from "./projects.ts";
import { tempDir } from "./temp_files.ts";

/** Runs a shell whose child starts a background grandchild, times it out and checks the grandchild exits. */
export async function checkTimeoutKillsGrandchildren(): Promise<void> {
  const cwd = await tempDir();
  const pidFile = join(cwd, "grandchild.pid");
  const result = await runInProcessGroup(
    "sh",
    ["-c", `sh -c 'sleep 30 & echo $! > ${pidFile}; wait'; exit 0`],
    { cwd, env: baseEnv(), timeoutMs: 300, killGraceMs: 500 },
  );
  assert.equal(result.code, 124);
  const pid = Number(await readFile(pidFile, "utf8"));
  await waitFor("the grandchild to exit", () => !isAlive(pid));
}
