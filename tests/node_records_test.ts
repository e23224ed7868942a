import assert from "node:assert/strict";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ErrorCode } from "../core/errors.ts";
import { createRunId, isRunId, pruneRuns, readKeepRuns, RunRecordStore } from "../node/records.ts";
import { Redactor } from "../node/redact.ts";
import type { ExecutionRecord } from "../node/types.ts";
import { tempDir } from "./support/temp_files.ts";

Deno.test("createRunId sorts by start time", () => {
  const early = createRunId(new Date("2024-01-02T03:04:05.006Z"));
  const late = createRunId(new Date("2024-01-02T03:04:05.007Z"));
  const later = createRunId(new Date("2031-11-30T23:59:59.999Z"));
  assert.match(early, /^20240102T030405006Z-[0-9a-f]{6}$/);
  assert.ok(isRunId(early));
  assert.deepEqual([later, early, late].sort(), [early, late, later]);
});

Deno.test("readKeepRuns parses the setting", () => {
  assert.equal(readKeepRuns({}), 50);
  assert.equal(readKeepRuns({ ASYNC_PIPELINE_KEEP_RUNS: "0" }), 0);
  assert.equal(readKeepRuns({ ASYNC_PIPELINE_KEEP_RUNS: "3" }), 3);
  assert.throws(
    () => readKeepRuns({ ASYNC_PIPELINE_KEEP_RUNS: "-1" }),
    (error: Error & { code?: string }) => error.code === ErrorCode.INVALID_FIELD,
  );
});

Deno.test("readKeepRuns takes decimal digits only", () => {
  for (const raw of ["1e1", " 3", "3 ", "0x3", "+3", "3.0"]) {
    assert.throws(
      () => readKeepRuns({ ASYNC_PIPELINE_KEEP_RUNS: raw }),
      (error: Error & { code?: string }) =>
        error.code === ErrorCode.INVALID_FIELD &&
        error.message.includes(`non-negative integer, got ${JSON.stringify(raw)}`),
      raw,
    );
  }
  assert.equal(readKeepRuns({ ASYNC_PIPELINE_KEEP_RUNS: "007" }), 7);
});

Deno.test("pruneRuns keeps the newest runs", async () => {
  const dir = await tempDir();
  const ids = [1, 2, 3, 4, 5].map((day) => createRunId(new Date(`2024-01-0${day}T00:00:00Z`)));
  for (const id of ids) await mkdir(join(dir, ".async/runs", id), { recursive: true });
  await mkdir(join(dir, ".async/runs/not-a-run"));
  const deleted = await pruneRuns(dir, 2, ids[0]);
  assert.deepEqual(deleted, [ids[1], ids[2]]);
  assert.deepEqual(
    (await readdir(join(dir, ".async/runs"))).sort(),
    [
      ids[0],
      ids[3],
      ids[4],
      "not-a-run",
    ].sort(),
  );
});

Deno.test("pruneRuns with zero keeps every run", async () => {
  const dir = await tempDir();
  const id = createRunId();
  await mkdir(join(dir, ".async/runs", id), { recursive: true });
  assert.deepEqual(await pruneRuns(dir, 0), []);
  assert.deepEqual(await readdir(join(dir, ".async/runs")), [id]);
});

Deno.test("RunRecordStore writes masked records and logs", async () => {
  const dir = await tempDir();
  const id = createRunId();
  const store = new RunRecordStore(dir, id, new Redactor(["p@ss"]));
  await store.create();
  const record: ExecutionRecord = {
    schemaVersion: 1,
    id,
    pipelineName: "p",
    jobId: "j",
    cwd: dir,
    pid: 1,
    startedAt: "2024-01-01T00:00:00.000Z",
    status: "running",
    mode: "manual",
    tasks: [],
    error: { code: "X", message: "leaked p@ss" },
  };
  await Promise.all([store.write(record), store.write({ ...record, status: "passed" })]);
  const written = JSON.parse(await readFile(store.recordPath, "utf8"));
  assert.equal(written.status, "passed");
  assert.equal(written.error.message, "leaked ***");

  const logs = await store.writeLogs("src:build", "out p@ss\n", "");
  assert.deepEqual(logs, { stdout: "logs/src%3Abuild.stdout.log" });
  assert.equal(await readFile(join(store.dir, "logs/src%3Abuild.stdout.log"), "utf8"), "out ***\n");
  const leftovers = (await readdir(store.dir)).filter((name) => name.endsWith(".tmp"));
  assert.deepEqual(leftovers, []);
});

Deno.test("RunRecordStore writes no file for an empty stream", async () => {
  const dir = await tempDir();
  const store = new RunRecordStore(dir, createRunId(), new Redactor([]));
  await store.create();
  const logs = await store.writeLogs("quiet", "", "warned\n");
  assert.deepEqual(logs, { stderr: "logs/quiet.stderr.log" });
  assert.deepEqual(await readdir(join(store.dir, "logs")), ["quiet.stderr.log"]);
});
