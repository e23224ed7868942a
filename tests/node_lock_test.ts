import assert from "node:assert/strict";
import { mkdir, readFile, readlink, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { hostname } from "node:os";
import process from "node:process";
import { ErrorCode, type PipelineError } from "../core/errors.ts";
import { acquireRunLock, createLockFile, isProcessAlive, RUN_LOCK_PATH } from "../node/lock.ts";
import { tempDir } from "./support/temp_files.ts";

/** Returns the pid of a process that has already exited. */
async function deadPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  return child.pid;
}

Deno.test("acquireRunLock writes and releases the lock", async () => {
  const dir = await tempDir();
  const lock = await acquireRunLock(dir, "run-1");
  const stored = JSON.parse(await readFile(join(dir, RUN_LOCK_PATH), "utf8"));
  assert.equal(stored.pid, process.pid);
  assert.equal(stored.runId, "run-1");
  assert.equal(stored.startedAt, lock.info.startedAt);
  assert.equal(lock.reclaimed, undefined);
  await lock.release();
  await assert.rejects(readFile(join(dir, RUN_LOCK_PATH)), { code: "ENOENT" });
});

Deno.test("acquireRunLock rejects a live holder", async () => {
  const dir = await tempDir();
  const holder = new Deno.Command("sleep", { args: ["30"] }).spawn();
  try {
    const startedAt = "2024-05-06T07:08:09.000Z";
    await acquireRunLock(dir, "first").then((lock) => lock.release());
    await writeFile(
      join(dir, RUN_LOCK_PATH),
      JSON.stringify({ pid: holder.pid, startedAt, runId: "other", hostname: hostname() }),
    );
    await assert.rejects(acquireRunLock(dir, "second"), (error: Error & { code?: string }) => {
      assert.equal(error.code, ErrorCode.RUN_ACTIVE);
      assert.match(error.message, new RegExp(`pid ${holder.pid}`));
      assert.match(error.message, new RegExp(startedAt.replaceAll(".", "\\.")));
      return true;
    });
  } finally {
    holder.kill("SIGKILL");
    await holder.status;
  }
});

Deno.test("acquireRunLock names the holder's job", async () => {
  const dir = await tempDir();
  const first = await acquireRunLock(dir, "first", { jobId: "release" });
  try {
    const stored = JSON.parse(await readFile(join(dir, RUN_LOCK_PATH), "utf8"));
    assert.equal(stored.jobId, "release");
    await assert.rejects(
      acquireRunLock(dir, "second", { jobId: "verify" }),
      (error: PipelineError) => {
        assert.equal(error.code, ErrorCode.RUN_ACTIVE);
        assert.match(error.message, /\(run first, job release\)\.$/);
        return true;
      },
    );
  } finally {
    await first.release();
  }
});

Deno.test("acquireRunLock reads a lock without a job", async () => {
  const dir = await tempDir();
  const first = await acquireRunLock(dir, "first");
  try {
    await assert.rejects(
      acquireRunLock(dir, "second", { jobId: "verify" }),
      (error: PipelineError) => {
        assert.match(error.message, /\(run first\)\.$/);
        return true;
      },
    );
  } finally {
    await first.release();
  }
});

Deno.test("acquireRunLock reclaims a dead holder's lock", async () => {
  const dir = await tempDir();
  const pid = await deadPid();
  assert.equal(isProcessAlive(pid), false);
  await acquireRunLock(dir, "first").then((lock) => lock.release());
  await writeFile(
    join(dir, RUN_LOCK_PATH),
    JSON.stringify({
      pid,
      startedAt: "2024-01-01T00:00:00.000Z",
      runId: "old",
      hostname: hostname(),
    }),
  );
  const lock = await acquireRunLock(dir, "new");
  assert.equal(lock.reclaimed?.pid, pid);
  assert.equal(lock.reclaimed?.startedAt, "2024-01-01T00:00:00.000Z");
  assert.equal(JSON.parse(await readFile(join(dir, RUN_LOCK_PATH), "utf8")).runId, "new");
  await lock.release();
});

Deno.test("acquireRunLock keeps another host's lock", async () => {
  const dir = await tempDir();
  const pid = await deadPid();
  await acquireRunLock(dir, "first").then((lock) => lock.release());
  await writeFile(
    join(dir, RUN_LOCK_PATH),
    JSON.stringify({
      pid,
      startedAt: "2024-01-01T00:00:00.000Z",
      runId: "old",
      hostname: "elsewhere",
    }),
  );
  await assert.rejects(acquireRunLock(dir, "new"), { code: ErrorCode.RUN_ACTIVE });
});

Deno.test("acquireRunLock names another host", async () => {
  const dir = await tempDir();
  await acquireRunLock(dir, "first").then((lock) => lock.release());
  const lock = { pid: 1, startedAt: "2024-01-01T00:00:00.000Z", runId: "x", hostname: "otherbox" };
  await writeFile(join(dir, RUN_LOCK_PATH), JSON.stringify(lock));
  await assert.rejects(acquireRunLock(dir, "new"), (error: PipelineError) => {
    assert.equal(error.code, ErrorCode.RUN_ACTIVE);
    assert.match(error.message, /: pid 1 on host "otherbox", started at 2024-01-01T00:00:00\.000Z/);
    assert.doesNotMatch(error.hint ?? "", /reclaimed automatically/);
    assert.match(
      error.hint ?? "",
      /never taken over\. Once no run is in progress there, delete it \(rm \S+run\.lock\)/,
    );
    return true;
  });
});

Deno.test("acquireRunLock reclaims a torn lock file", async () => {
  const dir = await tempDir();
  await acquireRunLock(dir, "first").then((lock) => lock.release());
  await writeFile(join(dir, RUN_LOCK_PATH), "{ not json");
  const lock = await acquireRunLock(dir, "new");
  assert.equal(lock.reclaimed?.pid, 0);
  await lock.release();
});

Deno.test("release leaves a lock taken by another run", async () => {
  const dir = await tempDir();
  const lock = await acquireRunLock(dir, "mine");
  const foreign = JSON.stringify({ pid: 1, startedAt: "x", runId: "theirs", hostname: "h" });
  await writeFile(join(dir, RUN_LOCK_PATH), foreign);
  await lock.release();
  assert.equal(await readFile(join(dir, RUN_LOCK_PATH), "utf8"), foreign);
});

Deno.test("isProcessAlive sees this process", () => {
  assert.equal(isProcessAlive(process.pid), true);
});

Deno.test("createLockFile removes its empty file when the write fails", async () => {
  const dir = await tempDir();
  const path = join(dir, "run.lock");
  // Creates the file as the exclusive open does, then fails the write as a full disk does.
  const fullDisk = (async (file: string) => {
    await writeFile(file, "", { flag: "wx" });
    throw Object.assign(new Error("ENOSPC: no space left on device, write"), {
      code: "ENOSPC",
      syscall: "write",
    });
  }) as unknown as typeof writeFile;
  await assert.rejects(createLockFile(path, "{}\n", fullDisk), { code: "ENOSPC", path });
  await assert.rejects(readFile(path), { code: "ENOENT" });
});

Deno.test("createLockFile reports an existing file without touching it", async () => {
  const dir = await tempDir();
  const path = join(dir, "run.lock");
  await writeFile(path, "held\n");
  assert.equal(await createLockFile(path, "{}\n"), false);
  assert.equal(await readFile(path, "utf8"), "held\n");
});

Deno.test("acquireRunLock names a dangling lock link", async () => {
  const dir = await tempDir();
  await acquireRunLock(dir, "first").then((lock) => lock.release());
  const target = join(dir, "nowhere");
  await symlink(target, join(dir, RUN_LOCK_PATH));
  await assert.rejects(acquireRunLock(dir, "new"), (error: PipelineError) => {
    assert.equal(error.code, ErrorCode.IO_FAILED);
    assert.equal(error.path, join(dir, RUN_LOCK_PATH));
    assert.equal(
      error.message,
      `${join(dir, RUN_LOCK_PATH)} is a symbolic link to ${target}, which does not exist, ` +
        "so no run can take the run lock. A run only ever writes a regular file there.",
    );
    assert.match(error.hint ?? "", /^No run holds the lock\. Delete it \(rm \S+run\.lock\)/);
    return true;
  });
  assert.equal(await readlink(join(dir, RUN_LOCK_PATH)), target);
});

Deno.test("acquireRunLock takes over a file link", async () => {
  const dir = await tempDir();
  await acquireRunLock(dir, "first").then((lock) => lock.release());
  const target = join(dir, "elsewhere.txt");
  await writeFile(target, "kept");
  await symlink(target, join(dir, RUN_LOCK_PATH));
  const lock = await acquireRunLock(dir, "new");
  assert.equal(lock.reclaimed?.pid, 0);
  assert.equal(await readFile(target, "utf8"), "kept");
  await lock.release();
});

Deno.test("acquireRunLock names a directory lock", async () => {
  const dir = await tempDir();
  await mkdir(join(dir, RUN_LOCK_PATH), { recursive: true });
  await assert.rejects(acquireRunLock(dir, "new"), (error: PipelineError) => {
    assert.equal(error.code, ErrorCode.IO_FAILED);
    assert.equal(error.path, join(dir, RUN_LOCK_PATH));
    assert.match(error.message, /run\.lock is a directory, so no run can take the run lock\./);
    assert.match(error.hint ?? "", /Delete it \(rm -r \S+run\.lock\)/);
    return true;
  });
});
