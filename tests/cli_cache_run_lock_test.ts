/** `cache clear` and `gc` refuse while a live run holds the run lock, and ignore a stale one. */

import assert from "node:assert/strict";
import { readdir, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { acquireRunLock } from "../node/lock.ts";
import { clearCache, gc } from "../node/cache/maintenance.ts";
import { cliCall } from "./support/cli.ts";
import { hasContent, makeProject, runCli, spawnCli, waitFor } from "./support/projects.ts";

const PIPELINE = `
import { definePipeline, job, sh, task } from "@mod";
export default definePipeline({
  name: "app",
  cache: "file:local",
  tasks: {
    build: task({ inputs: [], outputs: ["out.txt"] }, sh\`echo built > out.txt\`),
    wait: task({ cache: false }, sh\`touch started; while [ ! -e release ]; do sleep 0.05; done\`),
  },
  jobs: { build: job({ target: "build" }), wait: job({ target: "wait" }) },
});
`;

/** Creates a project with one stored cache entry. */
async function projectWithEntry(): Promise<string> {
  const dir = await makeProject(PIPELINE);
  const built = await runCli(dir, ["run", "build"]);
  assert.equal(built.code, 0, built.stderr);
  assert.equal((await entryNames(dir)).length, 1);
  return dir;
}

/** Lists the entry directories of the project's local namespace. */
async function entryNames(dir: string): Promise<string[]> {
  const names = await readdir(join(dir, ".async/cache/tasks/local")).catch(() => []);
  return names.filter((name) => /^[0-9a-f]{64}$/.test(name));
}

Deno.test("cache clear refuses during a live run", async () => {
  const dir = await projectWithEntry();
  const run = spawnCli(dir, ["run", "wait"]);
  try {
    await waitFor("the run to start its task", () => hasContent(join(dir, ".async/run.lock")));
    await waitFor(
      "the task to start",
      () => readdir(dir).then((names) => names.includes("started")),
    );
    const result = await cliCall(dir, ["cache", "clear"]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(
        `^error\\[ASYNC_PIPELINE_RUN_ACTIVE\\]: Cannot clear the cache while run \\S+ \\(pid ${run.pid}, started at `,
      ),
    );
    assert.match(
      result.stderr,
      /it could remove a cache entry that the run is writing or restoring/,
    );
    assert.match(
      result.stderr,
      /hint: Wait for that run to finish, or stop it, then run `.* cache clear` again\./,
    );
    assert.equal(result.stdout, "");
    assert.equal((await entryNames(dir)).length, 1);
  } finally {
    await writeFile(join(dir, "release"), "");
    const output = await run.output();
    assert.equal(output.code, 0);
  }
});

Deno.test("gc refuses while the lock is held", async () => {
  const dir = await projectWithEntry();
  const lock = await acquireRunLock(dir, "20250102T030405678Z-aa11bb");
  try {
    const result = await cliCall(dir, ["gc", "--cache-days", "0"]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(
        `^error\\[ASYNC_PIPELINE_RUN_ACTIVE\\]: Cannot run gc while run 20250102T030405678Z-aa11bb \\(pid ${Deno.pid}, `,
      ),
    );
    assert.match(result.stderr, /then run `.* gc --cache-days 0` again\./);
    assert.equal((await entryNames(dir)).length, 1);
  } finally {
    await lock.release();
  }
});

Deno.test("cache clear ignores a stale lock", async () => {
  const dir = await projectWithEntry();
  const dead = new Deno.Command("true").spawn();
  await dead.status;
  const lock = {
    pid: dead.pid,
    startedAt: new Date().toISOString(),
    runId: "r",
    hostname: hostname(),
  };
  await writeFile(join(dir, ".async/run.lock"), JSON.stringify(lock));
  const result = await cliCall(dir, ["cache", "clear"]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^Removed 1 cache entry, freeing /);
  assert.deepEqual(await entryNames(dir), []);
  assert.equal(await hasContent(join(dir, ".async/run.lock")), false);
});

Deno.test("gc ignores a stale lock", async () => {
  const dir = await projectWithEntry();
  const dead = new Deno.Command("true").spawn();
  await dead.status;
  const lock = {
    pid: dead.pid,
    startedAt: new Date().toISOString(),
    runId: "r",
    hostname: hostname(),
  };
  await writeFile(join(dir, ".async/run.lock"), JSON.stringify(lock));
  const result = await cliCall(dir, ["gc", "--cache-days", "0"]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(await entryNames(dir), []);
});

Deno.test("clearCache and gc refuse while the lock is held", async () => {
  const dir = await projectWithEntry();
  const lock = await acquireRunLock(dir, "20250102T030405678Z-aa11bb");
  try {
    await assert.rejects(
      () => clearCache(dir),
      (error: Error & { code?: string; hint?: string }) => {
        assert.equal(error.code, "ASYNC_PIPELINE_RUN_ACTIVE");
        assert.match(error.hint ?? "", /then call clearCache again/);
        return true;
      },
    );
    await assert.rejects(() => gc(dir, { cacheDays: 0 }), (error: Error & { code?: string }) => {
      assert.equal(error.code, "ASYNC_PIPELINE_RUN_ACTIVE");
      return true;
    });
    assert.equal((await entryNames(dir)).length, 1);
  } finally {
    await lock.release();
  }
});

Deno.test("cache clear names a lock from another host", async () => {
  const dir = await projectWithEntry();
  const lock = {
    pid: 1,
    startedAt: "2025-01-02T03:04:05.678Z",
    runId: "r1",
    hostname: "elsewhere",
  };
  await writeFile(join(dir, ".async/run.lock"), JSON.stringify(lock));
  const result = await cliCall(dir, ["cache", "clear"]);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /\(pid 1 on host "elsewhere", started at 2025-01-02T03:04:05\.678Z\)/,
  );
  assert.match(
    result.stderr,
    /Once no run is in progress there, delete the lock \(rm .*run\.lock\) and run `/,
  );
  assert.equal((await entryNames(dir)).length, 1);
});

Deno.test("run refuses while gc holds the lock", async () => {
  const dir = await projectWithEntry();
  const lock = await acquireRunLock(dir, "", { command: "gc" });
  try {
    const result = await cliCall(dir, ["run", "build"]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(
        `^error\\[ASYNC_PIPELINE_RUN_ACTIVE\\]: \`gc\` holds .*run\\.lock: pid ${Deno.pid}, `,
      ),
    );
    assert.match(result.stderr, /hint: Wait for that command to finish, or stop it\./);
  } finally {
    await lock.release();
  }
});

Deno.test("cache clear refuses while gc holds the lock", async () => {
  const dir = await projectWithEntry();
  const lock = await acquireRunLock(dir, "", { command: "gc" });
  try {
    const result = await cliCall(dir, ["cache", "clear"]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(`Cannot clear the cache while \`gc\` \\(pid ${Deno.pid}, started at `),
    );
    assert.match(result.stderr, /the two would remove cache entries at the same time/);
    assert.equal((await entryNames(dir)).length, 1);
  } finally {
    await lock.release();
  }
});

Deno.test("cache clear and gc release the lock", async () => {
  const dir = await projectWithEntry();
  const cleared = await cliCall(dir, ["cache", "clear"]);
  assert.equal(cleared.code, 0, cleared.stderr);
  const collected = await cliCall(dir, ["gc"]);
  assert.equal(collected.code, 0, collected.stderr);
  assert.equal(await hasContent(join(dir, ".async/run.lock")), false);
  const built = await runCli(dir, ["run", "build"]);
  assert.equal(built.code, 0, built.stderr);
});
