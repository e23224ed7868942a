import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, env, job, sh, source, task } from "../mod.ts";
import type {
  CacheLookupInput,
  CacheLookupResult,
  CacheSaveInput,
  TaskCacheHooks,
} from "../node/cache_seam.ts";
import { runJob } from "../node/mod.ts";
import { executeRun } from "../node/runner/run_job.ts";
import type { ExecutionRecord } from "../node/types.ts";
import { createSourceRepo, git, gitTestEnv, writeFiles } from "./support/git.ts";
import { tempDir } from "./support/temp_files.ts";

async function project(): Promise<string> {
  return await tempDir("async-pipeline-sources-");
}

/** Returns the text of a source pipeline file with `tasks` as its task entries. */
function sourcePipeline(name: string, tasks: string): string {
  return `import { definePipeline, sh, task } from "@mod";
export default definePipeline({
  name: ${JSON.stringify(name)},
  tasks: {
${tasks}
  },
});
`;
}

/** Creates a path source directory `../<name>` beside a new root project. */
async function pathSource(
  files: Record<string, string>,
  name = "admin",
): Promise<{ cwd: string; dir: string }> {
  const parent = await project();
  const cwd = join(parent, "root");
  const dir = join(parent, name);
  await Deno.mkdir(cwd);
  await writeFiles(dir, files);
  return { cwd, dir };
}

async function taskLog(cwd: string, record: ExecutionRecord, id: string): Promise<string> {
  const result = record.tasks.find((task) => task.id === id);
  assert.ok(result?.logs, `task ${id} has logs`);
  // A task that printed nothing has no stdout file.
  if (result.logs.stdout === undefined) return "";
  return await readFile(join(cwd, ".async/runs", record.id, result.logs.stdout), "utf8");
}

async function lines(path: string): Promise<string[]> {
  return (await readFile(path, "utf8")).split("\n").filter(Boolean);
}

Deno.test("prepare installs the candidate", async () => {
  const repo = await createSourceRepo({
    "pipeline.ts": sourcePipeline("store", "    test: task({ run: sh`cat candidate.txt` }),"),
    "deps.txt": "base\n",
  });
  const cwd = await project();
  const pipeline = definePipeline({
    name: "design-system",
    sources: {
      store: source.git({
        url: repo.url,
        prepare: [
          sh`echo design-system >> deps.txt`,
          sh((ctx) => sh`printf %s ${ctx.candidate.dir} > candidate.txt`),
        ],
      }),
    },
    tasks: { consumers: task({ dependsOn: ["store:test"], run: sh`true` }) },
    jobs: { verify: job({ target: "consumers" }) },
  });
  const checkout = join(cwd, ".async/sources/store");

  const first = await runJob(pipeline, { id: "verify", cwd, env: gitTestEnv() });
  assert.equal(first.status, "passed");
  assert.equal(await taskLog(cwd, first, "store:test"), cwd);
  assert.equal(first.sources?.store.prepared, true);
  assert.equal(first.sources?.store.dirty, true);
  // Both prepare steps print nothing, so no log file is listed.
  assert.deepEqual(first.sources?.store.logs, {});

  // The run's own changes are discarded before the checkout moves, so the next run passes.
  const second = await runJob(pipeline, { id: "verify", cwd, env: gitTestEnv() });
  assert.equal(second.status, "passed");
  assert.deepEqual(await lines(join(checkout, "deps.txt")), ["base", "design-system"]);
});

Deno.test("prepare runs once per run", async () => {
  const { cwd, dir } = await pathSource({
    "pipeline.ts": sourcePipeline(
      "admin",
      ["a", "b", "c"].map((id) => `    ${id}: task({ run: sh\`echo ${id}\` }),`).join("\n"),
    ),
  });
  const log = join(cwd, "prepare.log");
  const pipeline = definePipeline({
    name: "root",
    sources: {
      admin: source.path({
        path: "../admin",
        writable: true,
        prepare: [sh`pwd >> ${log}`],
      }),
    },
    tasks: {
      all: task({ dependsOn: ["admin:a", "admin:b", "admin:c"], run: sh`true` }),
    },
    jobs: { verify: job({ target: "all" }) },
  });
  const record = await runJob(pipeline, { id: "verify", cwd, env: gitTestEnv(), concurrency: 3 });
  assert.equal(record.status, "passed");
  assert.deepEqual(await lines(log), [dir]);
  assert.equal(record.sources?.admin.prepared, true);

  await runJob(pipeline, { id: "verify", cwd, env: gitTestEnv(), concurrency: 3 });
  assert.deepEqual(await lines(log), [dir, dir]);
});

Deno.test("source chain across two sources", async () => {
  const { cwd, dir: bDir } = await pathSource({
    "pipeline.ts": sourcePipeline(
      "b",
      '    z: task({ run: sh`echo "b:z $(pwd)" >> "$ORDER_LOG"` }),',
    ),
  }, "b");
  const repo = await createSourceRepo({
    "pipeline.ts": sourcePipeline(
      "a",
      [
        '    x: task({ dependsOn: ["y"], run: sh`echo "a:x $(pwd)" >> "$ORDER_LOG"` }),',
        '    y: task({ run: sh`echo "a:y $(pwd)" >> "$ORDER_LOG"` }),',
        '    unused: task({ run: sh`echo "a:unused" >> "$ORDER_LOG"` }),',
      ].join("\n"),
    ),
  });
  const pipeline = definePipeline({
    name: "root",
    sources: { a: source.git({ url: repo.url }), b: source.path({ path: "../b" }) },
    tasks: {
      root: task({ dependsOn: ["a:x", "b:z"], run: sh`echo "root $(pwd)" >> "$ORDER_LOG"` }),
    },
    jobs: { verify: job({ target: "root" }) },
  });
  const orderLog = join(cwd, "order.log");

  const record = await runJob(pipeline, {
    id: "verify",
    cwd,
    env: gitTestEnv({ ORDER_LOG: orderLog }),
    concurrency: 4,
  });
  assert.equal(record.status, "passed");
  assert.deepEqual(
    record.tasks.map((task) => [task.id, task.source]).sort(),
    [["a:x", "a"], ["a:y", "a"], ["b:z", "b"], ["root", undefined]],
  );
  const order = await lines(orderLog);
  const aDir = join(cwd, ".async/sources/a");
  assert.deepEqual([...order].sort(), [
    `a:x ${aDir}`,
    `a:y ${aDir}`,
    `b:z ${bDir}`,
    `root ${cwd}`,
  ]);
  const position = (id: string) => order.findIndex((line) => line.startsWith(`${id} `));
  assert.ok(position("a:y") < position("a:x"), order.join("\n"));
  assert.ok(position("a:x") < position("root"), order.join("\n"));
  assert.ok(position("b:z") < position("root"), order.join("\n"));
  assert.deepEqual(Object.keys(record.sources ?? {}).sort(), ["a", "b"]);
  assert.equal(record.sources?.b.dir, bDir);
});

Deno.test("source tasks get the source context", async () => {
  const { cwd, dir } = await pathSource({
    "pipeline.ts": `import { definePipeline, task } from "@mod";
export default definePipeline({
  name: "admin",
  tasks: {
    inspect: task({
      run: (ctx) => ctx.meta({
        taskId: ctx.taskId,
        cwd: ctx.cwd,
        root: ctx.root.dir,
        candidate: ctx.candidate.dir,
        source: ctx.source,
      }),
    }),
  },
});
`,
  });
  await git(dir, "init", "--quiet", "--initial-branch=main");
  await git(dir, "add", "--all");
  await git(dir, "commit", "--quiet", "-m", "Add the admin pipeline");
  const commit = await git(dir, "rev-parse", "HEAD");
  const pipeline = definePipeline({
    name: "root",
    sources: { admin: source.path({ path: "../admin" }) },
    tasks: {},
    jobs: { inspect: job({ target: "admin:inspect" }) },
  });
  const record = await runJob(pipeline, { id: "inspect", cwd, env: gitTestEnv() });
  assert.equal(record.status, "passed");
  assert.deepEqual(record.tasks[0].meta, {
    taskId: "admin:inspect",
    cwd: dir,
    root: cwd,
    candidate: cwd,
    source: { id: "admin", dir, type: "path", ref: "main", commit },
  });
  assert.deepEqual(record.sources?.admin, {
    type: "path",
    dir,
    ref: "main",
    commit,
    prepared: false,
    dirty: false,
  });
});

Deno.test("run-task runs one source task", async () => {
  const { cwd } = await pathSource({
    "pipeline.ts": sourcePipeline(
      "admin",
      '    lint: task({ run: sh`echo lint` }),\n    test: task({ dependsOn: ["lint"], run: sh`echo test` }),',
    ),
  });
  const pipeline = definePipeline({
    name: "root",
    sources: { admin: source.path({ path: "../admin" }) },
    tasks: { build: task({ run: sh`echo build` }) },
    jobs: {},
  });
  const record = await executeRun(pipeline, { id: "admin:test", cwd, env: gitTestEnv() }, {
    target: "task",
  });
  assert.equal(record.status, "passed");
  assert.equal(record.jobId, "task:admin:test");
  assert.deepEqual(record.tasks.map((task) => task.id), ["admin:lint", "admin:test"]);

  await assert.rejects(
    executeRun(pipeline, { id: "admin:tset", cwd, env: gitTestEnv() }, { target: "task" }),
    (error: Error & { code?: string; hint?: string }) => {
      assert.equal(error.code, "ASYNC_PIPELINE_UNKNOWN_TASK");
      assert.match(error.hint ?? "", /Did you mean "admin:test"\?/);
      return true;
    },
  );
});

Deno.test("unknown source task is rejected", async () => {
  const { cwd } = await pathSource({
    "pipeline.ts": sourcePipeline("admin", "    lint: task({ run: sh`true` }),"),
  });
  const pipeline = definePipeline({
    name: "root",
    sources: { admin: source.path({ path: "../admin" }) },
    tasks: { all: task({ dependsOn: ["admin:lnt"], run: sh`true` }) },
    jobs: { verify: job({ target: "all" }) },
  });
  await assert.rejects(
    runJob(pipeline, { id: "verify", cwd, env: gitTestEnv() }),
    (error: Error & { code?: string; hint?: string }) => {
      assert.equal(error.code, "ASYNC_PIPELINE_UNKNOWN_TASK");
      assert.equal(
        error.message,
        'tasks.all.dependsOn: source "admin" has no task "lnt". Did you mean "lint"?',
      );
      return true;
    },
  );
});

Deno.test("path source must exist", async () => {
  const cwd = await project();
  const pipeline = definePipeline({
    name: "root",
    sources: { admin: source.path({ path: "../nowhere" }) },
    tasks: { all: task({ dependsOn: ["admin:lint"], run: sh`true` }) },
    jobs: { verify: job({ target: "all" }) },
  });
  await assert.rejects(runJob(pipeline, { id: "verify", cwd, env: gitTestEnv() }), {
    code: "ASYNC_PIPELINE_SOURCE_FAILED",
    message: `Source "admin": directory ${join(cwd, "../nowhere")} was not found.`,
  });
});

Deno.test("failed prepare fails source tasks", async () => {
  const { cwd } = await pathSource({
    "pipeline.ts": sourcePipeline("admin", "    lint: task({ run: sh`echo linted` }),"),
  });
  const pipeline = definePipeline({
    name: "root",
    sources: {
      admin: source.path({
        path: "../admin",
        writable: true,
        prepare: [sh`echo installing; exit 3`],
      }),
    },
    tasks: {
      build: task({ run: sh`echo built` }),
      all: task({ dependsOn: ["build", "admin:lint"], run: sh`true` }),
    },
    jobs: { verify: job({ target: "all" }) },
  });
  const record = await runJob(pipeline, { id: "verify", cwd, env: gitTestEnv() });
  assert.equal(record.status, "failed");
  const lint = record.tasks.find((task) => task.id === "admin:lint");
  assert.equal(lint?.status, "failed");
  assert.equal(lint?.error?.code, "ASYNC_PIPELINE_SOURCE_FAILED");
  assert.match(
    lint?.error?.message ?? "",
    /^Source "admin": prepare step 1 `.*` exited with code 3/,
  );
  assert.equal(lint?.attempts, 0);
  assert.equal(record.sources?.admin.prepared, false);
  const stdout = record.sources?.admin.logs?.stdout! ?? "";
  assert.equal(await readFile(join(cwd, ".async/runs", record.id, stdout), "utf8"), "installing\n");
});

Deno.test("prepare secrets are checked first", async () => {
  const { cwd } = await pathSource({
    "pipeline.ts": sourcePipeline("admin", "    lint: task({ run: sh`true` }),"),
  });
  const marker = join(cwd, "ran.txt");
  const pipeline = definePipeline({
    name: "root",
    sources: {
      admin: source.path({
        path: "../admin",
        writable: true,
        prepare: [sh`npm config set token ${env.secret("NPM_TOKEN")}`],
      }),
    },
    tasks: {
      build: task({ run: sh`touch ${marker}` }),
      all: task({ dependsOn: ["build", "admin:lint"], run: sh`true` }),
    },
    jobs: { verify: job({ target: "all" }) },
  });
  await assert.rejects(runJob(pipeline, { id: "verify", cwd, env: gitTestEnv() }), {
    code: "ASYNC_PIPELINE_MISSING_SECRET",
  });
  await assert.rejects(readFile(marker), { code: "ENOENT" });
});

/** A cache that misses every lookup and records what it was asked. */
class RecordingCache implements TaskCacheHooks {
  readonly lookups: CacheLookupInput[] = [];

  lookup(input: CacheLookupInput): Promise<CacheLookupResult> {
    this.lookups.push(input);
    return Promise.resolve({
      status: "miss",
      key: `key-${input.task.id}`,
      fingerprint: `fp-${input.task.id}`,
      reason: { kind: "no-entry" },
    });
  }

  save(_input: CacheSaveInput): Promise<{ stored: boolean }> {
    return Promise.resolve({ stored: true });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

async function sourceKeyInput(
  pipeline: ReturnType<typeof definePipeline>,
  cwd: string,
  taskId: string,
): Promise<CacheLookupInput> {
  const cache = new RecordingCache();
  const record = await executeRun(pipeline, { id: "verify", cwd, env: gitTestEnv() }, { cache });
  assert.equal(record.status, "passed");
  const lookup = cache.lookups.find((input) => input.task.id === taskId);
  assert.ok(lookup, `lookup of ${taskId}`);
  return lookup;
}

Deno.test("source cache keys include the commit", async () => {
  const repo = await createSourceRepo({
    "pipeline.ts": sourcePipeline("store", "    test: task({ run: sh`true` }),"),
  });
  const cwd = await project();
  const pipeline = definePipeline({
    name: "root",
    sources: { store: source.git({ url: repo.url }) },
    tasks: { all: task({ dependsOn: ["store:test"], run: sh`true` }) },
    jobs: { verify: job({ target: "all" }) },
  });
  const first = await sourceKeyInput(pipeline, cwd, "store:test");
  const commit = await git(repo.work, "rev-parse", "HEAD");
  assert.deepEqual(first.source, { id: "store", type: "git", commit, prepare: [] });
  assert.deepEqual(first.stepTexts, ["true"]);
  assert.equal(first.cwd, join(cwd, ".async/sources/store"));

  const moved = await repo.push({ "readme.txt": "changed\n" });
  const second = await sourceKeyInput(pipeline, cwd, "store:test");
  assert.deepEqual(second.source, { id: "store", type: "git", commit: moved, prepare: [] });
  const root = await sourceKeyInput(pipeline, cwd, "all");
  assert.equal(root.source, undefined);
  assert.deepEqual(root.stepTexts, ["true"]);
});

Deno.test("path source cache keys follow content", async () => {
  const { cwd, dir } = await pathSource({
    "pipeline.ts": sourcePipeline("admin", "    lint: task({ run: sh`true` }),"),
    "src/main.ts": "export const a = 1;\n",
  });
  const pipeline = definePipeline({
    name: "root",
    sources: {
      admin: source.path({
        path: "../admin",
        writable: true,
        prepare: [sh`echo ready`, sh((ctx) => sh`echo ${ctx.candidate.dir}`)],
      }),
    },
    tasks: { all: task({ dependsOn: ["admin:lint"], run: sh`true` }) },
    jobs: { verify: job({ target: "all" }) },
  });
  const first = await sourceKeyInput(pipeline, cwd, "admin:lint");
  assert.equal(first.source?.id, "admin");
  assert.equal(first.source?.type, "path");
  assert.match(first.source?.content ?? "", /^[0-9a-f]{64}$/);
  assert.deepEqual(first.source?.prepare, ["echo ready", "deferred"]);
  assert.match(first.source?.candidate ?? "", /^[0-9a-f]{64}$/);
  assert.deepEqual(first.stepTexts, ["true"]);
  assert.deepEqual((await sourceKeyInput(pipeline, cwd, "admin:lint")).source, first.source);

  await writeFile(join(dir, "src/main.ts"), "export const a = 2;\n");
  const changed = await sourceKeyInput(pipeline, cwd, "admin:lint");
  assert.notEqual(changed.source?.content, first.source?.content);
  assert.equal(changed.source?.candidate, first.source?.candidate);
});

Deno.test("path source digest covers what prepare wrote", async () => {
  const { cwd } = await pathSource({
    "pipeline.ts": sourcePipeline("admin", "    lint: task({ run: sh`true` }),"),
    "src/main.ts": "export const a = 1;\n",
  });
  const pipeline = definePipeline({
    name: "root",
    sources: {
      admin: source.path({
        path: "../admin",
        writable: true,
        prepare: [sh`echo generated > src/generated.ts`],
      }),
    },
    tasks: { all: task({ dependsOn: ["admin:lint"], run: sh`true` }) },
    jobs: { verify: job({ target: "all" }) },
  });
  // The first run's prepare step adds a file. A digest taken before it ran would differ once.
  const first = await sourceKeyInput(pipeline, cwd, "admin:lint");
  const second = await sourceKeyInput(pipeline, cwd, "admin:lint");
  assert.equal(second.source?.content, first.source?.content);
});
