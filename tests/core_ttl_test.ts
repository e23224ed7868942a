/** Cache ttls: entry ages that, unlike timeouts, may be days or months long. */

import assert from "node:assert/strict";
import { defineCache, fileCache, memoryCache } from "../core/cache.ts";
import { parseDuration, parseTtl } from "../core/duration.ts";
import { ErrorCode, type PipelineError } from "../core/errors.ts";
import { definePipeline } from "../core/pipeline.ts";
import { sh } from "../core/sh.ts";
import { job, task } from "../core/task.ts";

const DAY_MS = 86_400_000;

/** Defines a pipeline whose one task sets `cache`. */
function pipelineWithCache(cache: unknown) {
  return definePipeline({
    name: "ttl",
    cache: "file:local",
    tasks: { build: task({ cache } as Parameters<typeof task>[0], sh`true`) },
    jobs: { verify: job({ target: "build" }) },
  });
}

/** Returns the error `run` throws. */
function thrown(run: () => unknown): PipelineError {
  try {
    run();
  } catch (error) {
    return error as PipelineError;
  }
  throw new Error("expected an error");
}

Deno.test("parseTtl accepts days", () => {
  assert.equal(parseTtl("30d"), 30 * DAY_MS);
});

Deno.test("parseTtl accepts ages past 24 days", () => {
  assert.equal(parseTtl("720h"), 30 * DAY_MS);
  assert.equal(parseTtl(400 * DAY_MS), 400 * DAY_MS);
});

Deno.test("parseTtl rejects what is not a positive age", () => {
  for (const input of ["", "5", "1y", "-1d", "0d", 0, -5, Infinity, null]) {
    assert.throws(() => parseTtl(input, "cache.ttlMs"), { code: ErrorCode.INVALID_DURATION });
  }
});

Deno.test("parseDuration keeps the timer limit and no days", () => {
  assert.throws(() => parseDuration("720h"), { code: ErrorCode.INVALID_DURATION });
  assert.throws(() => parseDuration("1d"), { code: ErrorCode.INVALID_DURATION });
});

Deno.test("store ttl accepts thirty days", () => {
  assert.equal(fileCache({ ttlMs: "30d" }).ttlMs, 30 * DAY_MS);
  assert.equal(memoryCache({ ttlMs: "720h" }).ttlMs, 30 * DAY_MS);
});

Deno.test("task ttl accepts thirty days", () => {
  const pipeline = pipelineWithCache({ store: "file:local", ttlMs: "30d" });
  const cache = pipeline.tasks.build.cache;
  assert.equal(cache.enabled && cache.ttlMs, 30 * DAY_MS);
});

Deno.test("invalid store ttl names the store key", () => {
  const error = thrown(() => defineCache({ stores: { local: fileCache({ ttlMs: "1y" }) } }));
  assert.equal(error.code, ErrorCode.INVALID_DURATION);
  assert.equal(error.path, "cache.stores.local.ttlMs");
  assert.match(error.message, /^cache\.stores\.local\.ttlMs: invalid duration "1y"\./);
});

Deno.test("invalid store ttl brackets a spaced key", () => {
  const error = thrown(() => defineCache({ stores: { "my store": fileCache({ ttlMs: "1y" }) } }));
  assert.equal(error.path, 'cache.stores["my store"].ttlMs');
});

Deno.test("store and task ttl errors read alike", () => {
  const store = thrown(() => defineCache({ stores: { local: fileCache({ ttlMs: "1y" }) } }));
  const taskError = thrown(() => pipelineWithCache({ store: "file:local", ttlMs: "1y" }));
  assert.equal(taskError.path, "tasks.build.cache.ttlMs");
  assert.equal(store.hint, taskError.hint);
  assert.equal(
    store.message.replace(store.path ?? "", "PATH"),
    taskError.message.replace(taskError.path ?? "", "PATH"),
  );
  assert.match(store.hint ?? "", /"30d"/);
});
