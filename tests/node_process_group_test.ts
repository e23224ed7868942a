import assert from "node:assert/strict";
import { mkdir, readFile, symlink } from "node:fs/promises";
import { join } from "node:path";
import { setsidLauncher } from "../node/executor/group_launcher.ts";
import { runInProcessGroup } from "../node/executor/process_group.ts";
import { findExecutable } from "../node/executor/which.ts";
import { baseEnv, hasContent, isAlive, waitFor } from "./support/projects.ts";
import { checkTimeoutKillsGrandchildren } from "./support/process_checks.ts";
import { tempDir } from "./support/temp_files.ts";

/** Prints the command's own pid, process group id and session id. */
const IDS = 'echo "$$ $(ps -o pgid= -p $$) $(ps -o sid= -p $$)"';

/** Creates a temporary directory whose `bin/` links the tools the tests run, but not `setsid`. */
async function pathWithoutSetsid(): Promise<{ cwd: string; path: string }> {
  const cwd = await tempDir();
  const bin = join(cwd, "bin");
  await mkdir(bin);
  for (const tool of ["sh", "ps", "sleep"]) {
    const found = await findExecutable(tool, baseEnv());
    assert.ok(found, `${tool} is on PATH`);
    await symlink(found, join(bin, tool));
  }
  return { cwd, path: bin };
}

function idsOf(stdout: string): number[] {
  return stdout.trim().split(/\s+/).map(Number);
}

Deno.test("setsidLauncher finds setsid under Deno", async () => {
  const setsid = await findExecutable("setsid", baseEnv());
  assert.equal(setsidLauncher("sh", baseEnv()), setsid);
});

Deno.test("setsidLauncher off outside Deno", () => {
  assert.equal(setsidLauncher("sh", baseEnv(), { slowDetach: false }), undefined);
});

Deno.test("setsidLauncher without setsid on PATH", async () => {
  const { path } = await pathWithoutSetsid();
  assert.equal(setsidLauncher("sh", { PATH: path }), undefined);
});

Deno.test("setsidLauncher with a missing command", () => {
  assert.equal(setsidLauncher("surely-not-a-command-5c1e", baseEnv()), undefined);
});

Deno.test("process group leader is the command", async () => {
  const result = await runInProcessGroup("sh", ["-c", IDS], {
    cwd: await tempDir(),
    env: baseEnv(),
  });
  const [pid, pgid, sid] = idsOf(result.stdout);
  assert.equal(pgid, pid);
  assert.equal(sid, pid);
});

Deno.test("process group leader without setsid", async () => {
  const { cwd, path } = await pathWithoutSetsid();
  const result = await runInProcessGroup("sh", ["-c", IDS], { cwd, env: { PATH: path } });
  const [pid, pgid, sid] = idsOf(result.stdout);
  assert.equal(pgid, pid);
  assert.equal(sid, pid);
});

Deno.test("process group timeout without setsid", async () => {
  const { cwd, path } = await pathWithoutSetsid();
  const pidFile = join(cwd, "grandchild.pid");
  const result = await runInProcessGroup(
    "sh",
    ["-c", `sh -c 'sleep 30 & echo $! > ${pidFile}; wait'; exit 0`],
    { cwd, env: { PATH: path }, timeoutMs: 300, killGraceMs: 500 },
  );
  assert.equal(result.code, 124);
  const pid = Number(await readFile(pidFile, "utf8"));
  await waitFor("the grandchild to exit", () => !isAlive(pid));
});

Deno.test("process group timeout kills grandchildren", checkTimeoutKillsGrandchildren);

Deno.test("process group immediate abort", async () => {
  const result = await runInProcessGroup("sleep", ["30"], {
    cwd: await tempDir(),
    env: baseEnv(),
    signal: AbortSignal.abort(),
  });
  assert.equal(result.code, 143);
  assert.equal(result.signal, "SIGTERM");
});

Deno.test("process group stops leftover processes", async () => {
  const cwd = await tempDir();
  const pidFile = join(cwd, "background.pid");
  const running = runInProcessGroup("sh", ["-c", `sleep 30 & echo $! > ${pidFile}`], {
    cwd,
    env: baseEnv(),
  });
  await waitFor("the background pid file", () => hasContent(pidFile));
  const result = await running;
  assert.equal(result.code, 0);
  const pid = Number(await readFile(pidFile, "utf8"));
  await waitFor("the background process to exit", () => !isAlive(pid));
});

Deno.test("process group missing command rejects with ENOENT", async () => {
  await assert.rejects(
    runInProcessGroup("surely-not-a-command-5c1e", [], {
      cwd: await tempDir(),
      env: baseEnv(),
    }),
    { code: "ENOENT" },
  );
});

Deno.test("process group input and exit code", async () => {
  const result = await runInProcessGroup("sh", ["-c", "cat; exit 7"], {
    cwd: await tempDir(),
    env: baseEnv(),
    input: "hello\n",
  });
  assert.equal(result.code, 7);
  assert.equal(result.stdout, "hello\n");
});
