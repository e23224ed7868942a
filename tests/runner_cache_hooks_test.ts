import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, env, job, sh, task } from "../mod.ts";
import type {
  CacheLookupInput,
  CacheLookupResult,
  CacheSaveInput,
  TaskCacheHooks,
} from "../node/cache_seam.ts";
import type { RunEvent } from "../node/runner/events.ts";
import { uncachedFingerprint } from "../node/cache/task_cache.ts";
import { executeRun } from "../node/runner/run_job.ts";
import { baseEnv } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

/** A scripted cache: `hits` are restored, everything else misses and is saved. */
class ScriptedCache implements TaskCacheHooks {
  readonly lookups: CacheLookupInput[] = [];
  readonly saves: CacheSaveInput[] = [];
  closed = 0;
  constructor(readonly hits: Record<string, { stdout: string; meta?: Record<string, unknown> }>) {}

  lookup(input: CacheLookupInput): Promise<CacheLookupResult> {
    this.lookups.push(input);
    const id = input.task.id;
    const hit = this.hits[id];
    if (hit) {
      return Promise.resolve({
        status: "hit",
        key: `key-${id}`,
        fingerprint: `fp-${id}`,
        stdout: hit.stdout,
        stderr: "",
        meta: hit.meta ?? {},
      });
    }
    return Promise.resolve({
      status: "miss",
      key: `key-${id}`,
      fingerprint: `fp-${id}`,
      reason: { kind: "no-entry" },
    });
  }

  save(input: CacheSaveInput): Promise<{ stored: boolean; warning?: string }> {
    this.saves.push(input);
    return Promise.resolve({ stored: true });
  }

  close(): Promise<void> {
    this.closed++;
    return Promise.resolve();
  }
}

const pipeline = definePipeline({
  name: "cached",
  env: { TOKEN: env.secret("TOKEN") },
  tasks: {
    build: task({ run: sh`echo built > build.txt` }),
    test: task({ dependsOn: ["build"], run: sh`echo tested ${env.secret("TOKEN")}` }),
  },
  jobs: { test: job({ target: "test" }) },
});

Deno.test("cache hit replays logs without running", async () => {
  const cwd = await tempDir();
  const cache = new ScriptedCache({ build: { stdout: "restored\n", meta: { from: "cache" } } });
  const events: RunEvent[] = [];
  const record = await executeRun(pipeline, {
    id: "test",
    cwd,
    env: { ...baseEnv(), TOKEN: "abc123secret" },
    force: true,
    echo: true,
  }, { cache, onEvent: (event) => events.push(event) });
  const [build, test] = record.tasks;
  assert.equal(record.status, "passed");
  assert.equal(build.cacheHit, true);
  assert.equal(build.status, "passed");
  assert.equal(build.attempts, 0);
  assert.equal(build.cacheKey, "key-build");
  assert.deepEqual(build.meta, { from: "cache" });
  await assert.rejects(readFile(join(cwd, "build.txt")), { code: "ENOENT" });
  assert.equal(
    await readFile(join(cwd, ".async/runs", record.id, build.logs!.stdout!), "utf8"),
    "restored\n",
  );
  assert.ok(events.some((event) => event.type === "task-cached" && event.taskId === "build"));
  assert.ok(
    events.some((event) =>
      event.type === "task-output" && event.taskId === "build" && event.text === "restored\n"
    ),
  );

  assert.equal(test.cacheHit, false);
  assert.deepEqual(test.cacheMiss, { kind: "no-entry" });
  assert.equal(test.cacheKey, "key-test");
  assert.equal(cache.closed, 1);
});

Deno.test("cache lookups carry dependency fingerprints", async () => {
  const cwd = await tempDir();
  const cache = new ScriptedCache({});
  await executeRun(pipeline, {
    id: "test",
    cwd,
    env: { ...baseEnv(), TOKEN: "abc123secret" },
    force: true,
  }, { cache });
  const [build, test] = cache.lookups;
  assert.deepEqual(build.dependencyFingerprints, {});
  assert.deepEqual(test.dependencyFingerprints, { build: "fp-build" });
  assert.deepEqual(test.envKeys, ["TOKEN"]);
  assert.equal(test.force, true);
  assert.deepEqual(test.secretValues, ["abc123secret"]);
  assert.equal(test.stepTexts.length, 1);
  assert.match(test.stepTexts[0], /^echo tested <secret:[0-9a-f]{16}>$/);
  assert.ok(!test.stepTexts[0].includes("abc123secret"));
});

Deno.test("passing tasks are saved with output", async () => {
  const cwd = await tempDir();
  const cache = new ScriptedCache({});
  await executeRun(pipeline, {
    id: "test",
    cwd,
    env: { ...baseEnv(), TOKEN: "abc123secret" },
  }, { cache });
  assert.deepEqual(cache.saves.map((save) => [save.key, save.stdout]), [
    ["key-build", ""],
    ["key-test", "tested ***\n"],
  ]);
});

Deno.test("without hooks every task is uncached", async () => {
  const cwd = await tempDir();
  const record = await executeRun(pipeline, {
    id: "test",
    cwd,
    env: { ...baseEnv(), TOKEN: "abc123secret" },
  }, {});
  for (const result of record.tasks) {
    assert.equal(result.cacheHit, false);
    assert.equal(result.cacheKey, undefined);
  }
});

/** A cache whose lookup of `build` fails and whose other lookups miss. */
class FailingBuildCache extends ScriptedCache {
  override lookup(input: CacheLookupInput): Promise<CacheLookupResult> {
    if (input.task.id !== "build") return super.lookup(input);
    this.lookups.push(input);
    return Promise.reject(new Error("store unreachable"));
  }
}

Deno.test("failed lookup gives the run-unique fingerprint", async () => {
  const cwd = await tempDir();
  const cache = new FailingBuildCache({});
  const record = await executeRun(pipeline, {
    id: "test",
    cwd,
    env: { ...baseEnv(), TOKEN: "abc123secret" },
  }, { cache });
  const test = cache.lookups.find((input) => input.task.id === "test");
  assert.deepEqual(test?.dependencyFingerprints, {
    build: uncachedFingerprint(record.id, "build"),
  });
});
