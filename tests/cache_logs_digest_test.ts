/** The digest of an entry's logs and metadata: an edited `result.json` is a miss, never replayed. */

import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sh, task } from "../mod.ts";
import { sha256 } from "../node/cache/digest.ts";
import { cacheFor, execute, lookupInput, makePipeline, makeProject } from "./cache_fixture.ts";
import { makeProject as makeCliProject, runCli } from "./support/projects.ts";

const pipeline = makePipeline({
  build: task({ inputs: [], cache: "file:local" }, sh`build`),
});

const LOGS = { stdout: "a\n", stderr: "warn\n", meta: { count: 2, list: ["x", { y: null }] } };

/** Stores one entry with {@link LOGS} and returns the path of its `result.json`. */
async function storedResult(dir: string): Promise<string> {
  const first = await execute(
    cacheFor(pipeline, dir),
    lookupInput(pipeline, "build", dir),
    () => Promise.resolve(),
    LOGS,
  );
  assert.equal(first.lookup.status, "miss");
  const key = first.lookup.status === "miss" ? first.lookup.key : "";
  return join(dir, ".async/cache/tasks/local", key, "result.json");
}

/** Applies `edit` to the parsed `result.json` at `path` and writes it back. */
async function editResult(path: string, edit: (result: Record<string, unknown>) => void) {
  const result = JSON.parse(await readFile(path, "utf8"));
  edit(result);
  await writeFile(path, JSON.stringify(result));
}

function rerun(dir: string) {
  return execute(cacheFor(pipeline, dir), lookupInput(pipeline, "build", dir));
}

const EDITED = {
  kind: "restore-failed",
  reason: "result.json has logs or metadata that do not match its logsDigest (edited or damaged)",
};

Deno.test("result.json names the digest of its logs", async () => {
  const dir = await makeProject();
  const result = JSON.parse(await readFile(await storedResult(dir), "utf8"));
  assert.equal(result.logsDigest, sha256(JSON.stringify([LOGS.stdout, LOGS.stderr, LOGS.meta])));
});

Deno.test("unedited entry replays its logs", async () => {
  const dir = await makeProject();
  await storedResult(dir);
  const { lookup } = await rerun(dir);
  assert.equal(lookup.status, "hit");
  assert.equal(lookup.status === "hit" && lookup.stdout, "a\n");
  assert.deepEqual(lookup.status === "hit" && lookup.meta, LOGS.meta);
});

Deno.test("edited stdout is a miss", async () => {
  const dir = await makeProject();
  await editResult(await storedResult(dir), (result) => {
    result.stdout = "FAKE\n";
  });
  const { lookup, ran } = await rerun(dir);
  assert.equal(ran, true);
  assert.deepEqual(lookup.status === "miss" && lookup.reason, EDITED);
  assert.match(
    String(lookup.status === "miss" && lookup.warning),
    /^cache entry [0-9a-f]{12} of task "build" is damaged \(result\.json has logs or metadata/,
  );
});

Deno.test("edited stderr is a miss", async () => {
  const dir = await makeProject();
  await editResult(await storedResult(dir), (result) => {
    result.stderr = "";
  });
  const { lookup } = await rerun(dir);
  assert.deepEqual(lookup.status === "miss" && lookup.reason, EDITED);
});

Deno.test("edited meta is a miss", async () => {
  const dir = await makeProject();
  await editResult(await storedResult(dir), (result) => {
    (result.meta as Record<string, unknown>).count = 3;
  });
  const { lookup } = await rerun(dir);
  assert.deepEqual(lookup.status === "miss" && lookup.reason, EDITED);
});

Deno.test("edited entry is replaced by the rerun", async () => {
  const dir = await makeProject();
  await editResult(await storedResult(dir), (result) => {
    result.stdout = "FAKE\n";
  });
  await rerun(dir);
  const { lookup } = await rerun(dir);
  assert.equal(lookup.status, "hit");
  assert.equal(lookup.status === "hit" && lookup.stdout, "");
});

Deno.test("entry without a logs digest still hits", async () => {
  const dir = await makeProject();
  await editResult(await storedResult(dir), (result) => {
    delete result.logsDigest;
  });
  const { lookup } = await rerun(dir);
  assert.equal(lookup.status, "hit");
  assert.equal(lookup.status === "hit" && lookup.stdout, "a\n");
});

Deno.test("cli run does not replay edited logs", async () => {
  const dir = await makeCliProject(`
import { definePipeline, job, sh, task } from "@mod";
export default definePipeline({
  name: "app",
  cache: "file:local",
  tasks: { build: task({ inputs: [] }, sh\`echo original\`) },
  jobs: { build: job({ target: "build" }) },
});
`);
  const first = await runCli(dir, ["run", "build"]);
  assert.equal(first.code, 0, first.stderr);
  const cached = await runCli(dir, ["run", "build"]);
  assert.match(cached.stdout, /build cached/);
  const root = join(dir, ".async/cache/tasks/local");
  const key = (await Array.fromAsync(Deno.readDir(root)))
    .map((entry) => entry.name).find((name) => /^[0-9a-f]{64}$/.test(name));
  const path = join(root, String(key), "result.json");
  await writeFile(path, (await readFile(path, "utf8")).replace("original\\n", "FAKE\\n"));
  const edited = await runCli(dir, ["run", "build"]);
  assert.equal(edited.code, 0, edited.stderr);
  const output = edited.stdout + edited.stderr;
  assert.doesNotMatch(output, /FAKE/);
  assert.match(output, /\[build\] original/);
  assert.match(output, /is damaged \(result\.json has logs or metadata that do not match/);
});
