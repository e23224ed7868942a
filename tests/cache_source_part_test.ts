/** The source part of a key manifest: what a source task's key covers of its source. */

import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { sh } from "../core/sh.ts";
import { task } from "../core/task.ts";
import type { Pipeline } from "../core/model.ts";
import { FileStateIndex } from "../node/cache/file_index.ts";
import { keyMemoSlot } from "../node/cache/key_memo.ts";
import { FILE_INDEX_PATH } from "../node/cache/paths.ts";
import { buildManifest, diffManifests, usesSecretKey } from "../node/cache/manifest.ts";
import { secretKeyTextDigest, type SourceKeyInput } from "../node/cache_seam.ts";
import { missDetails, missSummary } from "../cli/presenters/miss.ts";
import type { CacheMissReason } from "../node/types.ts";
import {
  cacheFor,
  changesOf,
  execute,
  type Execution,
  lookupInput,
  makePipeline,
  makeProject,
  settled,
} from "./cache_fixture.ts";

const COMMIT_A = "d5100d5".padEnd(40, "a");
const COMMIT_B = "e171ff5".padEnd(40, "b");

function storePipeline(): Pipeline {
  return makePipeline({
    "store:test": task({ cache: true, inputs: ["src/**"] }, sh`true`),
  });
}

function gitSource(extra: Partial<SourceKeyInput> = {}): SourceKeyInput {
  return { id: "store", type: "git", commit: COMMIT_A, prepare: [], ...extra };
}

/** Runs `store:test` once through a fresh cache with `source` and saves the index. */
async function runOnce(
  pipeline: Pipeline,
  dir: string,
  source: SourceKeyInput | undefined,
  stepTexts?: string[],
): Promise<Execution> {
  const hooks = cacheFor(pipeline, dir, { now: settled });
  const input = lookupInput(pipeline, "store:test", dir, {
    ...(source === undefined ? {} : { source }),
    ...(stepTexts === undefined ? {} : { stepTexts }),
  });
  const result = await execute(hooks, input);
  await hooks.close();
  return result;
}

/** Runs `store:test` with `before`, then with `after`, and returns the second lookup. */
async function change(before: SourceKeyInput, after: SourceKeyInput): Promise<Execution> {
  const dir = await makeProject({ "src/a.ts": "a" });
  const pipeline = storePipeline();
  assert.equal((await runOnce(pipeline, dir, before)).ran, true);
  assert.equal((await runOnce(pipeline, dir, before)).ran, false);
  return await runOnce(pipeline, dir, after);
}

function missOf(result: Execution): CacheMissReason {
  assert.equal(result.lookup.status, "miss");
  return (result.lookup as { reason: CacheMissReason }).reason;
}

Deno.test("a new source commit is a source change, not a command change", async () => {
  const result = await change(gitSource(), gitSource({ commit: COMMIT_B }));
  assert.equal(result.ran, true);
  const changes = changesOf(result.lookup);
  assert.equal(changes?.command, false);
  assert.equal(changes?.definition, false);
  assert.deepEqual(changes?.source, {
    id: "store",
    commit: { before: COMMIT_A, after: COMMIT_B },
    content: false,
    prepare: false,
    candidate: false,
  });
  assert.equal(missSummary(missOf(result)), "source changed: store commit d5100d5 -> e171ff5");
  assert.deepEqual(missDetails(missOf(result)).slice(1), [
    "  source changed: store commit d5100d5 -> e171ff5 (its checkout moved to another commit)",
  ]);
});

Deno.test("new path source content is a source change", async () => {
  const path = (content: string): SourceKeyInput => ({
    id: "store",
    type: "path",
    content,
    prepare: [],
  });
  const result = await change(path("1".repeat(64)), path("2".repeat(64)));
  const changes = changesOf(result.lookup);
  assert.equal(changes?.command, false);
  assert.equal(changes?.source?.content, true);
  assert.equal(changes?.source?.commit, undefined);
  assert.equal(missSummary(missOf(result)), "source changed: store content");
  assert.match(missDetails(missOf(result)).join("\n"), /store content \(a digest of its files/);
});

Deno.test("a new candidate is a candidate change", async () => {
  const prepared = (candidate: string) =>
    gitSource({ prepare: ["pnpm install", "deferred"], candidate });
  const result = await change(prepared("c".repeat(64)), prepared("d".repeat(64)));
  const changes = changesOf(result.lookup);
  assert.equal(changes?.command, false);
  assert.deepEqual(changes?.source, {
    id: "store",
    content: false,
    prepare: false,
    candidate: true,
  });
  assert.equal(missSummary(missOf(result)), "candidate changed");
  assert.match(missDetails(missOf(result)).join("\n"), /candidate changed: the root repository/);
});

Deno.test("changed prepare steps are a source change", async () => {
  const candidate = "c".repeat(64);
  const result = await change(
    gitSource({ prepare: ["pnpm install"], candidate }),
    gitSource({ prepare: ["npm ci"], candidate }),
  );
  const changes = changesOf(result.lookup);
  assert.equal(changes?.command, false);
  assert.equal(changes?.source?.prepare, true);
  assert.equal(changes?.source?.candidate, false);
  assert.equal(missSummary(missOf(result)), "source changed: store prepare steps");
});

Deno.test("an unchanged source part hits", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const pipeline = storePipeline();
  await runOnce(pipeline, dir, gitSource());
  const second = await runOnce(pipeline, dir, gitSource());
  assert.equal(second.lookup.status, "hit");
});

Deno.test("a key memo does not hide a new source commit", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const pipeline = storePipeline();
  const first = await runOnce(pipeline, dir, gitSource());
  await runOnce(pipeline, dir, gitSource());
  const index = await FileStateIndex.load(join(dir, FILE_INDEX_PATH));
  const memo = index.memo(keyMemoSlot(dir, "store:test")) as { key?: string } | undefined;
  assert.equal(memo?.key, (first.lookup as { key: string }).key);
  const moved = await runOnce(pipeline, dir, gitSource({ commit: COMMIT_B }));
  assert.equal(moved.ran, true);
  assert.equal(changesOf(moved.lookup)?.source?.commit?.after, COMMIT_B);
});

Deno.test("a changed command of a source task is still a command change", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const pipeline = storePipeline();
  await runOnce(pipeline, dir, gitSource());
  const result = await runOnce(pipeline, dir, gitSource(), ["echo other"]);
  const changes = changesOf(result.lookup);
  assert.equal(changes?.command, true);
  assert.equal(changes?.source, undefined);
  assert.equal(missSummary(missOf(result)), "command changed");
});

Deno.test("an entry from before source parts is a key recipe change", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const pipeline = storePipeline();
  // Earlier versions put the source into the step texts.
  await runOnce(pipeline, dir, undefined, [`source store git\ncommit ${COMMIT_A}`, "true"]);
  const result = await runOnce(pipeline, dir, gitSource());
  const changes = changesOf(result.lookup);
  assert.equal(changes?.command, false);
  assert.equal(changes?.definition, true);
  assert.equal(changes?.source, undefined);
});

Deno.test("stored manifests keep the source part", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const pipeline = storePipeline();
  const result = await runOnce(pipeline, dir, gitSource({ prepare: ["x"], candidate: "f" }));
  const key = (result.lookup as { key: string }).key;
  const namespaces = await readdir(join(dir, ".async/cache/tasks"));
  const text = await readFile(
    join(dir, ".async/cache/tasks", namespaces[0], key, "manifest.json"),
    "utf8",
  );
  const manifest = JSON.parse(text);
  assert.equal(manifest.source.commit, COMMIT_A);
  assert.equal(manifest.source.candidate, "f");
  assert.match(manifest.source.prepare, /^[0-9a-f]{64}$/);
});

Deno.test("a plain task's manifest has no source part", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const pipeline = makePipeline({ build: task({ cache: true, inputs: ["src/**"] }, sh`true`) });
  const manifest = buildManifest(lookupInput(pipeline, "build", dir), {}, dir, new Uint8Array(32));
  assert.deepEqual(Object.keys(manifest), [
    "keyVersion",
    "taskId",
    "command",
    "definition",
    "inputs",
    "env",
    "dependencies",
  ]);
});

Deno.test("a secret in a prepare step keys the prepare digest", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const pipeline = storePipeline();
  const secret = "s3cret-value";
  const prepare = [`npm config set token <secret:${secretKeyTextDigest(secret)}>`];
  const input = lookupInput(pipeline, "store:test", dir, {
    secretValues: [secret],
    source: gitSource({ prepare, candidate: "c" }),
  });
  assert.equal(usesSecretKey(input), true);
  const manifest = buildManifest(input, {}, dir, new Uint8Array(32));
  assert.match(manifest.source?.prepare ?? "", /^hmac-[0-9a-f]{64}$/);
  const plain = lookupInput(pipeline, "store:test", dir, { source: gitSource() });
  assert.equal(usesSecretKey(plain), false);
});

Deno.test("a source part only on one side is not a source change", () => {
  const dir = "/project";
  const pipeline = storePipeline();
  const key = new Uint8Array(32);
  const before = buildManifest(lookupInput(pipeline, "store:test", dir), {}, dir, key);
  const after = buildManifest(
    lookupInput(pipeline, "store:test", dir, { source: gitSource() }),
    {},
    dir,
    key,
  );
  const changes = diffManifests(after, before);
  assert.equal(changes.definition, true);
  assert.equal(changes.command, false);
  assert.equal(changes.source, undefined);
});
