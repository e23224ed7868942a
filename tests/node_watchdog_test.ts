/** The watchdog that stops the runner's own process groups when the runner dies. */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { hasContent, isAlive, REPO_DIR, waitFor } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

const NODE = join(REPO_DIR, "node_modules/.bin/node");
const DENO = join(REPO_DIR, "node_modules/.bin/deno");
const PROCESS_GROUP_URL = new URL("../node/executor/process_group.ts", import.meta.url).href;
const WATCHDOG_URL = new URL("../node/executor/watchdog.ts", import.meta.url).href;

/** Command line that runs `script` under `runtime`, from this repository's sources. */
function launcher(runtime: "deno" | "node", script: string): [string, string[]] {
  return runtime === "deno"
    ? [DENO, ["run", "-A", "--config", join(REPO_DIR, "deno.json"), script]]
    : [NODE, [script]];
}

/** Kills the process group `pid` if a test left it running. */
function stopGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

for (const runtime of ["deno", "node"] as const) {
  Deno.test(`watchdog stops a command when the runner dies (${runtime})`, async () => {
    const cwd = await tempDir();
    const pidFile = join(cwd, "shell.pid");
    const script = join(cwd, "runner.ts");
    await writeFile(
      script,
      `import { runInProcessGroup } from ${JSON.stringify(PROCESS_GROUP_URL)};
import { watchdogPid } from ${JSON.stringify(WATCHDOG_URL)};
void runInProcessGroup("sh", ["-c", "echo $$ > ${pidFile}; sleep 30"], {
  cwd: ${JSON.stringify(cwd)},
  env: { PATH: process.env.PATH ?? "" },
});
setTimeout(() => console.log(watchdogPid()), 100);
setInterval(() => undefined, 1000);
`,
    );
    const [file, args] = launcher(runtime, script);
    const runner = spawn(file, args, { stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    runner.stdout.on("data", (chunk) => output += chunk);
    await waitFor("the command's pid file", () => hasContent(pidFile));
    await waitFor("the watchdog's pid", () => output.trim() !== "");
    const shell = Number(await readFile(pidFile, "utf8"));
    const watchdog = Number(output.trim());
    try {
      const exited = new Promise((resolve) => runner.on("close", resolve));
      runner.kill("SIGKILL");
      await exited;
      await waitFor("the command to exit", () => !isAlive(shell));
      await waitFor("the watchdog to exit", () => !isAlive(watchdog));
    } finally {
      stopGroup(shell);
    }
  });
}

Deno.test("watchdog leaves a group that ended alone", async () => {
  const cwd = await tempDir();
  const script = join(cwd, "runner.ts");
  // The runner lists a group, takes it off the list and exits: the group's
  // leader still runs, as one whose id was reused by an unrelated group would.
  await writeFile(
    script,
    `import { spawn } from "node:child_process";
import { unwatchGroup, watchdogPid, watchGroup } from ${JSON.stringify(WATCHDOG_URL)};
const child = spawn("sleep", ["30"], { detached: true, stdio: "ignore" });
child.unref();
watchGroup(child.pid!);
unwatchGroup(child.pid!);
console.log(child.pid, watchdogPid());
`,
  );
  const [file, args] = launcher("deno", script);
  const runner = spawn(file, args, { stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  runner.stdout.on("data", (chunk) => output += chunk);
  await new Promise((resolve) => runner.on("close", resolve));
  const [sleeper, watchdog] = output.trim().split(" ").map(Number);
  try {
    await waitFor("the watchdog to exit", () => !isAlive(watchdog));
    assert.equal(isAlive(sleeper), true, "the unlisted group was stopped");
  } finally {
    stopGroup(sleeper);
  }
});
