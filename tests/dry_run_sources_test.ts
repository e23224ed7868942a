/** Dry runs of jobs with tasks of composed sources, predicted from the sources on disk. */

import assert from "node:assert/strict";
import { join } from "node:path";
import { definePipeline, env, job, sh, source, task } from "../mod.ts";
import { planJob, runJob } from "../node/mod.ts";
import type { JobPlan, PlannedTask } from "../node/mod.ts";
import type { PipelineConfig } from "../core/types.ts";
import { createSourceRepo, git, gitTestEnv, writeFiles } from "./support/git.ts";
import { snapshot } from "./support/snapshot.ts";
import { tempDir } from "./support/temp_files.ts";

/** A source pipeline with one cached task that reads `message.txt`. */
const SOURCE_PIPELINE = `import { definePipeline, sh, task } from "@mod";
export default definePipeline({
  name: "lib",
  cache: "file:local",
  tasks: { hello: task({ inputs: ["message.txt"] }, sh\`cat message.txt\`) },
});
`;

type Sources = PipelineConfig["sources"];

/** Defines a root pipeline whose `verify` job runs `check` after `lib:hello`. */
function rootPipeline(sources: Sources) {
  return definePipeline({
    name: "root",
    cache: "file:local",
    sources,
    tasks: {
      check: task({ dependsOn: ["lib:hello"], inputs: ["src/**"] }, sh`echo checked`),
    },
    jobs: { verify: job({ target: "check" }) },
  });
}

/** Creates a root project in `<parent>/root` and a path source in `<parent>/lib`. */
async function pathProject() {
  const parent = await tempDir("async-pipeline-dry-sources-");
  const cwd = join(parent, "root");
  const lib = join(parent, "lib");
  await writeFiles(lib, { "pipeline.ts": SOURCE_PIPELINE, "message.txt": "v1\n" });
  await writeFiles(cwd, { "src/a.txt": "a\n" });
  return { cwd, lib, options: { id: "verify", cwd, env: gitTestEnv() } };
}

/** Creates a root project with a git source, and runs it once so the checkout exists. */
async function gitProject(ref?: (commit: string) => string) {
  const repo = await createSourceRepo({
    "pipeline.ts": SOURCE_PIPELINE,
    "message.txt": "v1\n",
    ".gitignore": "node_modules/\n",
  });
  const commit = await git(repo.work, "rev-parse", "HEAD");
  const cwd = await tempDir("async-pipeline-dry-sources-");
  await writeFiles(cwd, { "src/a.txt": "a\n" });
  const pipeline = rootPipeline({
    lib: source.git({ url: repo.url, ...(ref ? { ref: ref(commit) } : {}) }),
  });
  const options = { id: "verify", cwd, env: gitTestEnv() };
  const first = await runJob(pipeline, options);
  assert.equal(first.status, "passed");
  return { repo, commit, cwd, pipeline, options, checkout: join(cwd, ".async/sources/lib") };
}

function planned(plan: JobPlan, id: string): PlannedTask {
  const found = plan.tasks.find((task) => task.id === id);
  assert.ok(found, `the plan has task ${id}`);
  return found;
}

async function rejectsWith(promise: Promise<unknown>, code: string, message: RegExp) {
  await assert.rejects(promise, (error: Error & { code?: string; hint?: string }) => {
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}

Deno.test("dry run key of a path source task matches the run", async () => {
  const { options } = await pathProject();
  const pipeline = rootPipeline({ lib: source.path({ path: "../lib" }) });
  const plan = await planJob(pipeline, options);
  assert.deepEqual(plan.tasks.map((task) => [task.id, task.source]), [
    ["lib:hello", "lib"],
    ["check", undefined],
  ]);
  const hello = planned(plan, "lib:hello");
  assert.equal(hello.certain, true);
  assert.deepEqual(hello.cacheMiss, { kind: "no-entry" });
  assert.match(hello.cacheKey ?? "", /^[0-9a-f]{64}$/);

  const record = await runJob(pipeline, options);
  assert.equal(record.tasks[0].id, "lib:hello");
  assert.equal(record.tasks[0].cacheKey, hello.cacheKey);
  assert.equal(record.tasks[1].cacheKey, planned(plan, "check").cacheKey);
});

Deno.test("dry run after a run predicts source task hits", async () => {
  const { options } = await pathProject();
  const pipeline = rootPipeline({ lib: source.path({ path: "../lib" }) });
  const record = await runJob(pipeline, options);
  const plan = await planJob(pipeline, options);
  assert.deepEqual(plan.tasks.map((task) => [task.id, task.cacheHit, task.certain]), [
    ["lib:hello", true, true],
    ["check", true, true],
  ]);
  assert.equal(planned(plan, "lib:hello").cacheKey, record.tasks[0].cacheKey);
});

Deno.test("dry run predicts a miss when a path source changed", async () => {
  const { lib, options } = await pathProject();
  const pipeline = rootPipeline({ lib: source.path({ path: "../lib" }) });
  await runJob(pipeline, options);
  await writeFiles(lib, { "message.txt": "v2\n" });
  const plan = await planJob(pipeline, options);
  const hello = planned(plan, "lib:hello");
  assert.equal(hello.cacheHit, false);
  assert.equal(hello.certain, true);
  assert.equal(hello.cacheMiss?.kind, "changed");
  assert.deepEqual(
    hello.cacheMiss?.kind === "changed" ? hello.cacheMiss.source : undefined,
    { id: "lib", content: true, prepare: false, candidate: false },
  );
  assert.deepEqual(planned(plan, "check").cacheMiss?.kind, "changed");

  const record = await runJob(pipeline, options);
  assert.equal(record.tasks[0].cacheKey, hello.cacheKey);
  assert.equal(record.tasks[0].cacheHit, false);
});

Deno.test("dry run of a git source pinned to its commit is certain", async () => {
  const { commit, pipeline, options } = await gitProject((sha) => sha);
  const plan = await planJob(pipeline, options);
  const hello = planned(plan, "lib:hello");
  assert.equal(hello.cacheHit, true);
  assert.equal(hello.certain, true);
  assert.equal(hello.note, undefined);

  const record = await runJob(pipeline, options);
  assert.equal(record.sources?.lib.commit, commit);
  assert.equal(record.tasks[0].cacheHit, true);
  assert.equal(record.tasks[0].cacheKey, hello.cacheKey);
});

Deno.test("dry run key of a git source task matches the next run", async () => {
  const { repo, options } = await gitProject((sha) => sha);
  // A run on the branch moves the checkout to a new commit, which the next pipeline pins.
  const next = await repo.push({ "message.txt": "v2\n" });
  await runJob(rootPipeline({ lib: source.git({ url: repo.url }) }), options);
  const pinned = rootPipeline({ lib: source.git({ url: repo.url, ref: next }) });
  await writeFiles(options.cwd, { "src/a.txt": "a2\n" });

  const plan = await planJob(pinned, options);
  const record = await runJob(pinned, options);
  assert.equal(record.sources?.lib.commit, next);
  assert.deepEqual(plan.tasks.map((task) => [task.id, task.cacheHit, task.certain]), [
    ["lib:hello", true, true],
    ["check", false, true],
  ]);
  assert.equal(record.tasks[0].cacheKey, plan.tasks[0].cacheKey);
  assert.equal(record.tasks[1].cacheKey, plan.tasks[1].cacheKey);
  assert.equal(record.tasks[1].cacheHit, false);
});

Deno.test("dry run of a git source on a branch is uncertain", async () => {
  const { pipeline, options } = await gitProject();
  const plan = await planJob(pipeline, options);
  const hello = planned(plan, "lib:hello");
  assert.equal(hello.cacheHit, true);
  assert.equal(hello.certain, false);
  assert.equal(hello.cacheKey, undefined);
  assert.match(
    hello.note ?? "",
    /the run first fetches ref "main" of source "lib" and may move its checkout; so the run may have to run it instead/,
  );
  const check = planned(plan, "check");
  assert.equal(check.certain, false);
  assert.match(check.note ?? "", /the key of dependency "lib:hello" is not final either/);
});

Deno.test("dry run of a pinned commit elsewhere is uncertain", async () => {
  const { repo, commit, options } = await gitProject();
  await repo.push({ "message.txt": "v2\n" });
  await runJob(rootPipeline({ lib: source.git({ url: repo.url }) }), options);
  const pinned = rootPipeline({ lib: source.git({ url: repo.url, ref: commit }) });

  const hello = planned(await planJob(pinned, options), "lib:hello");
  assert.equal(hello.certain, false);
  assert.equal(hello.cacheKey, undefined);
  assert.match(
    hello.note ?? "",
    new RegExp(
      `moves the checkout of source "lib" to commit ${commit}, fetching it if the checkout lacks it, while this prediction read commit [0-9a-f]{7}`,
    ),
  );
  assert.equal(hello.cacheHit, true);
  const record = await runJob(pinned, options);
  assert.equal(record.sources?.lib.commit, commit);
  assert.equal(record.tasks[0].cacheHit, true);
});

Deno.test("dry run notes changes a run left in a checkout", async () => {
  const { repo, commit, options } = await gitProject((sha) => sha);
  const prepared = source.git({
    url: repo.url,
    ref: commit,
    prepare: [sh`echo ready > ready.txt`],
  });
  await runJob(rootPipeline({ lib: prepared }), options);
  const pipeline = rootPipeline({ lib: source.git({ url: repo.url, ref: commit }) });

  const hello = planned(await planJob(pipeline, options), "lib:hello");
  assert.equal(hello.certain, false);
  assert.match(
    hello.note ?? "",
    /first discards what an earlier run left in the checkout of source "lib"/,
  );
  assert.doesNotMatch(hello.note ?? "", /prepare steps/);
});

Deno.test("dry run reports a missing secret of a prepare step", async () => {
  const { options } = await pathProject();
  const pipeline = rootPipeline({
    lib: source.path({
      path: "../lib",
      writable: true,
      prepare: [sh`echo ${env.secret("LIB_TOKEN")} > token.txt`],
    }),
  });
  await rejectsWith(planJob(pipeline, options), "ASYNC_PIPELINE_MISSING_SECRET", /LIB_TOKEN/);
});

Deno.test("dry run of a source with prepare steps is uncertain", async () => {
  const { options } = await pathProject();
  const pipeline = rootPipeline({
    lib: source.path({ path: "../lib", writable: true, prepare: [sh`echo prepared > ready.txt`] }),
  });
  const plan = await planJob(pipeline, options);
  const hello = planned(plan, "lib:hello");
  assert.equal(hello.certain, false);
  assert.equal(hello.cacheKey, undefined);
  assert.match(
    hello.note ?? "",
    /the prepare steps of source "lib" run first and may change its files/,
  );
});

Deno.test("dry run fails when a git source has no checkout yet", async () => {
  const cwd = await tempDir("async-pipeline-dry-sources-");
  const pipeline = rootPipeline({
    lib: source.git({ url: "http://user:s3cret@127.0.0.1:9/lib.git" }),
  });
  await assert.rejects(
    planJob(pipeline, { id: "verify", cwd, env: gitTestEnv() }),
    (error: Error & { code?: string; hint?: string }) => {
      assert.equal(error.code, "ASYNC_PIPELINE_SOURCE_FAILED");
      assert.match(
        error.message,
        /^Source "lib": its checkout .*\.async\/sources\/lib does not exist yet/,
      );
      assert.match(error.message, /a dry run clones nothing/);
      assert.match(error.hint ?? "", /Run a job that uses the source once/);
      assert.doesNotMatch(`${error.message} ${error.hint}`, /s3cret/);
      return true;
    },
  );
  assert.deepEqual(await snapshot(join(cwd, ".async")), ["(missing)"]);
});

Deno.test("dry run fails when a path source directory is missing", async () => {
  const cwd = await tempDir("async-pipeline-dry-sources-");
  const pipeline = rootPipeline({ lib: source.path({ path: "../missing" }) });
  await rejectsWith(
    planJob(pipeline, { id: "verify", cwd, env: gitTestEnv() }),
    "ASYNC_PIPELINE_SOURCE_FAILED",
    /^Source "lib": directory .*missing was not found/,
  );
});

Deno.test("dry run fails on a checkout with changes no run left", async () => {
  const { checkout, pipeline, options } = await gitProject();
  await writeFiles(checkout, { "message.txt": "edited\n" });
  await rejectsWith(
    planJob(pipeline, options),
    "ASYNC_PIPELINE_SOURCE_FAILED",
    /^Source "lib": the checkout .* has local changes \(message\.txt\)/,
  );
});

Deno.test("dry run changes no checkout and nothing under .async", async () => {
  const { repo, cwd, checkout, options } = await gitProject();
  const pipeline = rootPipeline({
    lib: source.git({ url: repo.url, prepare: [sh`echo prepared > ready.txt`] }),
  });
  // The remote moves on, so a fetch or a checkout would show.
  await repo.push({ "message.txt": "v2\n" });
  // `git status` may rewrite the index, so the listing follows it before and precedes it after.
  const status = () => git(checkout, "status", "--porcelain", "--untracked-files=all");
  const before = { status: await status(), head: await git(checkout, "rev-parse", "HEAD") };
  const files = await snapshot(join(cwd, ".async"));
  const plan = await planJob(pipeline, options);
  await planJob(pipeline, { ...options, force: true });
  assert.equal(plan.tasks.length, 2);
  assert.deepEqual(await snapshot(join(cwd, ".async")), files);
  assert.deepEqual(
    { status: await status(), head: await git(checkout, "rev-parse", "HEAD") },
    before,
  );
});

Deno.test("dry run of one source task plans it with its dependencies", async () => {
  const { options } = await pathProject();
  const pipeline = rootPipeline({ lib: source.path({ path: "../lib" }) });
  const plan = await planJob(pipeline, { ...options, id: "lib:hello", target: "task" });
  assert.equal(plan.jobId, "task:lib:hello");
  assert.deepEqual(plan.tasks.map((task) => task.id), ["lib:hello"]);
  await rejectsWith(
    planJob(pipeline, { ...options, id: "lib:nope", target: "task" }),
    "ASYNC_PIPELINE_UNKNOWN_TASK",
    /Unknown task "lib:nope"/,
  );
});

Deno.test("dry run keeps sources of a source unsupported", async () => {
  const { lib, options } = await pathProject();
  await writeFiles(lib, {
    "pipeline.ts": `import { definePipeline, sh, source, task } from "@mod";
export default definePipeline({
  name: "lib",
  sources: { other: source.path({ path: "../other" }) },
  tasks: { hello: task({ dependsOn: ["other:build"] }, sh\`echo hello\`) },
});
`,
  });
  const pipeline = rootPipeline({ lib: source.path({ path: "../lib" }) });
  await rejectsWith(
    planJob(pipeline, options),
    "ASYNC_PIPELINE_NOT_IMPLEMENTED",
    /^Source "lib": task "hello" depends on "other:build" from its own source "other"/,
  );
});
