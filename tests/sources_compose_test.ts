import assert from "node:assert/strict";
import { definePipeline, dependsOn, job, sh, source, task } from "../mod.ts";
import { sourceOfReference } from "../core/task_closure.ts";
import { composeSources } from "../node/sources/compose.ts";
import { pipelineMetadata } from "../core/metadata.ts";

const step = sh`true`;

const root = definePipeline({
  name: "root",
  sources: {
    store: source.git({ url: "file:///tmp/store.git" }),
    admin: source.path({ path: "../admin" }),
  },
  tasks: {
    build: task({ run: step }),
    consumers: task({ dependsOn: ["build", "store:test"], run: step }),
  },
  jobs: { verify: job({ target: "consumers" }), admin: job({ target: "admin:lint" }) },
});

const store = definePipeline({
  name: "store",
  tasks: {
    build: task({ run: step }),
    test: task({}, [dependsOn("build"), step]),
  },
});

Deno.test("compose namespaces source tasks", () => {
  const composed = composeSources(root, { store });
  assert.deepEqual(Object.keys(composed.tasks), [
    "build",
    "consumers",
    "store:build",
    "store:test",
  ]);
  const test = composed.tasks["store:test"];
  assert.equal(test.source, "store");
  assert.deepEqual(test.dependsOn, ["store:build"]);
  assert.deepEqual(test.directives, [{ type: "dependsOn", ids: ["store:build"] }]);
  assert.equal(test.steps, store.tasks.test.steps);
  assert.equal(composed.tasks.build, root.tasks.build);
  assert.equal(composed.jobs, root.jobs);
  assert.ok(Object.isFrozen(composed.tasks));
  assert.ok(Object.isFrozen(test));
});

Deno.test("compose leaves unloaded sources", () => {
  const composed = composeSources(root, {});
  assert.deepEqual(Object.keys(composed.tasks), ["build", "consumers"]);
});

Deno.test("compose rejects unknown source tasks", () => {
  const admin = definePipeline({ name: "admin", tasks: { lnt: task({ run: step }) } });
  assert.throws(
    () => composeSources(root, { admin }),
    (error: Error & { code?: string; path?: string; hint?: string }) => {
      assert.equal(error.code, "ASYNC_PIPELINE_UNKNOWN_TASK");
      assert.equal(error.path, "jobs.admin.target");
      assert.equal(
        error.message,
        'jobs.admin.target: source "admin" has no task "lint". Did you mean "lnt"?',
      );
      return true;
    },
  );
});

Deno.test("compose rejects sources of sources", () => {
  const nested = definePipeline({
    name: "store",
    sources: { api: source.git({ url: "file:///tmp/api.git" }) },
    tasks: { test: task({ dependsOn: ["api:test"], run: step }) },
  });
  assert.throws(() => composeSources(root, { store: nested }), {
    code: "ASYNC_PIPELINE_NOT_IMPLEMENTED",
    message:
      'Source "store": task "test" depends on "api:test" from its own source "api", and sources of a source are not supported.',
  });
});

Deno.test("source references by id", () => {
  const composed = composeSources(root, { store });
  const cases: [string, string | undefined, string | undefined][] = [
    ["build", undefined, undefined],
    ["store:test", "store", undefined],
    ["admin:lint", "admin", "admin"],
    ["other:lint", undefined, undefined],
  ];
  for (const [id, inRoot, inComposed] of cases) {
    assert.equal(sourceOfReference(root, id), inRoot, `${id} in the root`);
    assert.equal(sourceOfReference(composed, id), inComposed, `${id} once composed`);
  }
});

Deno.test("source ids exclude slashes", () => {
  assert.throws(
    () =>
      definePipeline({
        name: "root",
        sources: { "acme/store": source.git({ url: "file:///tmp/store.git" }) },
        tasks: {},
      }),
    { code: "ASYNC_PIPELINE_INVALID_FIELD", path: "sources.acme/store" },
  );
});

Deno.test("metadata masks credentials in a git source url", () => {
  const pipeline = definePipeline({
    name: "root",
    sources: {
      shop: source.git({ url: "https://alice:hunter2pass@git.example.test/shop.git", ref: "main" }),
    },
    tasks: {},
  });
  const metadata = pipelineMetadata(pipeline) as { sources: Record<string, { url: string }> };
  assert.equal(metadata.sources.shop.url, "https://***@git.example.test/shop.git");
  assert.doesNotMatch(JSON.stringify(metadata), /hunter2pass/);
});
