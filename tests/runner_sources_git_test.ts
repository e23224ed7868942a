import assert from "node:assert/strict";
import { readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { definePipeline, job, sh, source, task } from "../mod.ts";
import { runJob } from "../node/mod.ts";
import type { ExecutionRecord } from "../node/types.ts";
import { createSourceRepo, git, gitTestEnv } from "./support/git.ts";
import { readLatestRecord } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

const STORE_PIPELINE = `import { definePipeline, sh, task } from "@mod";
export default definePipeline({
  name: "store",
  tasks: {
    hello: task({ run: sh\`cat message.txt\` }),
  },
});
`;

function storeRepo() {
  return createSourceRepo({
    "pipeline.ts": STORE_PIPELINE,
    "message.txt": "v1\n",
    ".gitignore": "node_modules/\n",
  });
}

function rootPipeline(store: Parameters<typeof source.git>[0]) {
  return definePipeline({
    name: "root",
    sources: { store: source.git(store) },
    tasks: { check: task({ dependsOn: ["store:hello"], run: sh`echo checked` }) },
    jobs: { verify: job({ target: "check" }) },
  });
}

async function project(): Promise<string> {
  return await tempDir("async-pipeline-sources-");
}

async function taskLog(cwd: string, record: ExecutionRecord, id: string): Promise<string> {
  const result = record.tasks.find((task) => task.id === id);
  assert.ok(result?.logs, `task ${id} has logs`);
  // A task that printed nothing has no stdout file.
  if (result.logs.stdout === undefined) return "";
  return await readFile(join(cwd, ".async/runs", record.id, result.logs.stdout), "utf8");
}

async function exists(path: string): Promise<boolean> {
  return await stat(path).then(() => true, () => false);
}

Deno.test("git source clones then reuses", async () => {
  const repo = await storeRepo();
  const commit = await git(repo.work, "rev-parse", "HEAD");
  const cwd = await project();
  const pipeline = rootPipeline({ url: repo.url });
  const checkout = join(cwd, ".async/sources/store");

  const first = await runJob(pipeline, { id: "verify", cwd, env: gitTestEnv() });
  assert.equal(first.status, "passed");
  assert.deepEqual(first.tasks.map((task) => [task.id, task.source]), [
    ["store:hello", "store"],
    ["check", undefined],
  ]);
  assert.deepEqual(first.sources, {
    store: { type: "git", dir: checkout, ref: "main", commit, prepared: false, dirty: false },
  });
  assert.equal(await taskLog(cwd, first, "store:hello"), "v1\n");

  // An ignored file survives only if the second run reuses the checkout.
  await Deno.mkdir(join(checkout, "node_modules"));
  await writeFile(join(checkout, "node_modules/warm.txt"), "kept\n");
  const second = await runJob(pipeline, { id: "verify", cwd, env: gitTestEnv() });
  assert.equal(second.status, "passed");
  assert.equal(second.sources?.store.commit, commit);
  assert.equal(await readFile(join(checkout, "node_modules/warm.txt"), "utf8"), "kept\n");
});

Deno.test("git source follows a moved ref", async () => {
  const repo = await storeRepo();
  const cwd = await project();
  const pipeline = rootPipeline({ url: repo.url, ref: "main" });
  const first = await runJob(pipeline, { id: "verify", cwd, env: gitTestEnv() });
  assert.equal(first.status, "passed");

  const moved = await repo.push({ "message.txt": "v2\n" });
  const second = await runJob(pipeline, { id: "verify", cwd, env: gitTestEnv() });
  assert.equal(second.status, "passed");
  assert.notEqual(second.sources?.store.commit, first.sources?.store.commit);
  assert.equal(second.sources?.store.commit, moved);
  assert.equal(await git(join(cwd, ".async/sources/store"), "rev-parse", "HEAD"), moved);
  assert.equal(await taskLog(cwd, second, "store:hello"), "v2\n");
});

Deno.test("git source checks out a tag or commit", async () => {
  const repo = await storeRepo();
  const first = await git(repo.work, "rev-parse", "HEAD");
  await git(repo.work, "tag", "v1.0.0");
  await git(repo.work, "push", "--quiet", "origin", "v1.0.0");
  await repo.push({ "message.txt": "v2\n" });

  const cwd = await project();
  const byTag = await runJob(rootPipeline({ url: repo.url, ref: "v1.0.0" }), {
    id: "verify",
    cwd,
    env: gitTestEnv(),
  });
  assert.equal(byTag.sources?.store.commit, first);
  assert.equal(await taskLog(cwd, byTag, "store:hello"), "v1\n");

  const byCommit = await runJob(rootPipeline({ url: repo.url, ref: first }), {
    id: "verify",
    cwd: await project(),
    env: gitTestEnv(),
  });
  assert.equal(byCommit.sources?.store.commit, first);
});

/** Moves the bare repository of `repo` away, so cloning and fetching from its URL fail. */
async function moveRemote(repo: { readonly url: string }): Promise<void> {
  const bare = fileURLToPath(repo.url);
  await rename(bare, `${bare}.moved`);
}

Deno.test("pinned commit runs without its remote", async () => {
  const repo = await storeRepo();
  const commit = await git(repo.work, "rev-parse", "HEAD");
  const cwd = await project();
  const pipeline = rootPipeline({ url: repo.url, ref: commit });
  assert.equal((await runJob(pipeline, { id: "verify", cwd, env: gitTestEnv() })).status, "passed");

  await moveRemote(repo);
  const second = await runJob(pipeline, { id: "verify", cwd, env: gitTestEnv() });
  assert.equal(second.status, "passed");
  assert.equal(second.sources?.store.commit, commit);
  assert.equal(await taskLog(cwd, second, "store:hello"), "v1\n");
});

Deno.test("pinned commit in capitals runs without its remote", async () => {
  const repo = await storeRepo();
  const commit = await git(repo.work, "rev-parse", "HEAD");
  const cwd = await project();
  const pipeline = rootPipeline({ url: repo.url, ref: commit.toUpperCase() });
  assert.equal((await runJob(pipeline, { id: "verify", cwd, env: gitTestEnv() })).status, "passed");

  await moveRemote(repo);
  const second = await runJob(pipeline, { id: "verify", cwd, env: gitTestEnv() });
  assert.equal(second.status, "passed");
  assert.equal(second.sources?.store.commit, commit);
});

Deno.test("pinned commit missing from the checkout is fetched", async () => {
  const repo = await storeRepo();
  const cwd = await project();
  const first = await runJob(rootPipeline({ url: repo.url }), {
    id: "verify",
    cwd,
    env: gitTestEnv(),
  });
  assert.equal(first.status, "passed");

  const moved = await repo.push({ "message.txt": "v2\n" });
  const pinned = await runJob(rootPipeline({ url: repo.url, ref: moved }), {
    id: "verify",
    cwd,
    env: gitTestEnv(),
  });
  assert.equal(pinned.status, "passed");
  assert.equal(pinned.sources?.store.commit, moved);
  assert.equal(await taskLog(cwd, pinned, "store:hello"), "v2\n");
});

Deno.test("branch ref still fetches from its remote", async () => {
  const repo = await storeRepo();
  const cwd = await project();
  const pipeline = rootPipeline({ url: repo.url, ref: "main" });
  assert.equal((await runJob(pipeline, { id: "verify", cwd, env: gitTestEnv() })).status, "passed");

  await moveRemote(repo);
  await assert.rejects(
    runJob(pipeline, { id: "verify", cwd, env: gitTestEnv() }),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, "ASYNC_PIPELINE_SOURCE_FAILED");
      assert.match(error.message, /^Source "store": fetching file:.* failed: /);
      return true;
    },
  );
});

Deno.test("git source quotes a changed file name with a newline", async () => {
  const repo = await storeRepo();
  const cwd = await project();
  const pipeline = rootPipeline({ url: repo.url });
  assert.equal((await runJob(pipeline, { id: "verify", cwd, env: gitTestEnv() })).status, "passed");

  await writeFile(join(cwd, ".async/sources/store/evil\nname.txt"), "local\n");
  await repo.push({ "message.txt": "v2\n" });
  await assert.rejects(
    runJob(pipeline, { id: "verify", cwd, env: gitTestEnv() }),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, "ASYNC_PIPELINE_SOURCE_FAILED");
      assert.match(error.message, /has local changes \("evil\\nname\.txt"\)/);
      assert.doesNotMatch(error.message, /evil\nname/);
      return true;
    },
  );
});

Deno.test("git source rejects a dirty checkout", async () => {
  const repo = await storeRepo();
  const cwd = await project();
  const pipeline = rootPipeline({ url: repo.url });
  assert.equal((await runJob(pipeline, { id: "verify", cwd, env: gitTestEnv() })).status, "passed");

  const edited = join(cwd, ".async/sources/store/message.txt");
  await writeFile(edited, "local edit\n");
  await repo.push({ "message.txt": "v2\n" });
  await assert.rejects(
    runJob(pipeline, { id: "verify", cwd, env: gitTestEnv() }),
    (error: Error & { code?: string; hint?: string }) => {
      assert.equal(error.code, "ASYNC_PIPELINE_SOURCE_FAILED");
      assert.match(error.message, /^Source "store": the checkout .* has local changes/);
      assert.match(error.message, /message\.txt/);
      assert.match(error.hint ?? "", /stash/);
      return true;
    },
  );
  assert.equal(await readFile(edited, "utf8"), "local edit\n");
  const { record } = await readLatestRecord(cwd);
  assert.equal(record.status, "failed");
  assert.equal(record.error?.code, "ASYNC_PIPELINE_SOURCE_FAILED");
});

Deno.test("git source with a bad URL fails", async () => {
  const cwd = await project();
  const missing = join(await project(), "missing.git");
  await assert.rejects(
    runJob(rootPipeline({ url: `file://${missing}` }), { id: "verify", cwd, env: gitTestEnv() }),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, "ASYNC_PIPELINE_SOURCE_FAILED");
      assert.match(error.message, /^Source "store": cloning file:\/\/.*missing\.git failed: /);
      return true;
    },
  );
  assert.deepEqual(await readdir(join(cwd, ".async/sources")), []);
});

Deno.test("git source masks URL credentials", async () => {
  const cwd = await project();
  const url = "http://builder:hunter2@127.0.0.1:9/store.git";
  await assert.rejects(
    runJob(rootPipeline({ url }), { id: "verify", cwd, env: gitTestEnv() }),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, "ASYNC_PIPELINE_SOURCE_FAILED");
      assert.match(error.message, /http:\/\/\*\*\*@127\.0\.0\.1:9\/store\.git/);
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    },
  );
  const { dir } = await readLatestRecord(cwd);
  assert.doesNotMatch(await readFile(join(dir, "execution.json"), "utf8"), /hunter2/);
});

Deno.test("git source with a missing ref fails", async () => {
  const repo = await storeRepo();
  const cwd = await project();
  await assert.rejects(
    runJob(rootPipeline({ url: repo.url, ref: "release" }), {
      id: "verify",
      cwd,
      env: gitTestEnv(),
    }),
    (error: Error & { code?: string; hint?: string }) => {
      assert.equal(error.code, "ASYNC_PIPELINE_SOURCE_FAILED");
      assert.match(error.message, /^Source "store": ref "release" was not found in file:/);
      assert.match(error.hint ?? "", /branches: main/);
      return true;
    },
  );
});

Deno.test("git source without its pipeline file fails", async () => {
  const repo = await storeRepo();
  const cwd = await project();
  await assert.rejects(
    runJob(rootPipeline({ url: repo.url, pipeline: "ci/pipeline.ts" }), {
      id: "verify",
      cwd,
      env: gitTestEnv(),
    }),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, "ASYNC_PIPELINE_SOURCE_FAILED");
      assert.match(
        error.message,
        /^Source "store": pipeline file ci\/pipeline\.ts was not found in .*\.async\/sources\/store\./,
      );
      return true;
    },
  );
});

Deno.test("git source is untouched by other jobs", async () => {
  const cwd = await project();
  const pipeline = definePipeline({
    name: "root",
    sources: { store: source.git({ url: `file://${join(cwd, "missing.git")}` }) },
    tasks: {
      lint: task({ run: sh`echo lint` }),
      check: task({ dependsOn: ["store:hello"], run: sh`echo checked` }),
    },
    jobs: { lint: job({ target: "lint" }), verify: job({ target: "check" }) },
  });
  const record = await runJob(pipeline, { id: "lint", cwd, env: gitTestEnv() });
  assert.equal(record.status, "passed");
  assert.equal(record.sources, undefined);
  assert.equal(await exists(join(cwd, ".async/sources")), false);
});

Deno.test("git source task caches after prepare edits", async () => {
  const repo = await createSourceRepo({
    "pipeline.ts": `import { definePipeline, sh, task } from "@mod";
export default definePipeline({
  name: "store",
  tasks: {
    build: task({ cache: true, inputs: ["src/**"], run: sh\`cat src/a.txt >> ../built.log\` }),
  },
});
`,
    "src/a.txt": "base\n",
    ".gitignore": "node_modules/\n",
  });
  const cwd = await project();
  const pipeline = definePipeline({
    name: "root",
    sources: { store: source.git({ url: repo.url, prepare: [sh`echo prepared >> src/a.txt`] }) },
    tasks: { check: task({ dependsOn: ["store:build"], run: sh`echo checked` }) },
    jobs: { verify: job({ target: "check" }) },
  });

  const first = await runJob(pipeline, { id: "verify", cwd, env: gitTestEnv() });
  assert.equal(first.status, "passed");
  const firstBuild = first.tasks.find((task) => task.id === "store:build");
  assert.equal(firstBuild?.cacheHit, false);
  assert.equal(firstBuild?.warnings, undefined);

  const second = await runJob(pipeline, { id: "verify", cwd, env: gitTestEnv() });
  assert.equal(second.status, "passed");
  assert.equal(second.tasks.find((task) => task.id === "store:build")?.cacheHit, true);
});
