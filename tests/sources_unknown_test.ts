/** `<source>:<task>` references whose source is not declared. */

import assert from "node:assert/strict";
import { join } from "node:path";
import { definePipeline, job, sh, source, task } from "../mod.ts";
import { planTask } from "../node/runner/plan.ts";
import { gitTestEnv, writeFiles } from "./support/git.ts";
import { tempDir } from "./support/temp_files.ts";
import { cliCall } from "./support/cli.ts";

type Coded = Error & { code?: string; hint?: string };

function withAdmin() {
  return definePipeline({
    name: "root",
    sources: { admin: source.path({ path: "../admin" }) },
    tasks: { all: task({ run: sh`true` }), build: task({ run: sh`true` }) },
    jobs: { verify: job({ target: "all" }) },
  });
}

Deno.test("run-task of an undeclared source names the sources", () => {
  assert.throws(() => planTask(withAdmin(), "shop:test"), (error: Coded) => {
    assert.equal(error.code, "ASYNC_PIPELINE_UNKNOWN_SOURCE");
    assert.equal(error.message, '"shop:test" names source "shop", which is not declared.');
    assert.equal(
      error.hint,
      'Declared sources: admin. Declare "shop" under sources, or use a root task (all, build).',
    );
    return true;
  });
});

Deno.test("run-task of a mistyped source suggests it", () => {
  assert.throws(() => planTask(withAdmin(), "amdin:lint"), (error: Coded) => {
    assert.equal(error.code, "ASYNC_PIPELINE_UNKNOWN_SOURCE");
    assert.match(error.hint ?? "", /^Did you mean "admin"\? Declared sources: admin\. /);
    return true;
  });
});

Deno.test("run-task of a source without any sources", () => {
  const pipeline = definePipeline({
    name: "root",
    tasks: { all: task({ run: sh`true` }) },
    jobs: { verify: job({ target: "all" }) },
  });
  assert.throws(() => planTask(pipeline, "shop:test"), (error: Coded) => {
    assert.equal(error.code, "ASYNC_PIPELINE_UNKNOWN_TASK");
    assert.equal(error.message, 'Unknown task "shop:test".');
    assert.equal(
      error.hint,
      'Tasks: all. To name a task of another pipeline, declare "shop" under sources.',
    );
    return true;
  });
});

Deno.test("run-task of a root task's namespace is an unknown task", () => {
  assert.throws(() => planTask(withAdmin(), "build:x"), (error: Coded) => {
    assert.equal(error.code, "ASYNC_PIPELINE_UNKNOWN_TASK");
    assert.equal(error.message, 'Unknown task "build:x".');
    return true;
  });
  assert.throws(() => planTask(withAdmin(), "bild"), { code: "ASYNC_PIPELINE_UNKNOWN_TASK" });
});

Deno.test("job target of an undeclared source", () => {
  assert.throws(
    () =>
      definePipeline({
        name: "root",
        sources: { admin: source.path({ path: "../admin" }) },
        tasks: { all: task({ run: sh`true` }) },
        jobs: { verify: job({ target: ["all", "shop:test"] }) },
      }),
    (error: Coded & { issues?: { code: string; path?: string; message: string }[] }) => {
      assert.equal(error.code, "ASYNC_PIPELINE_UNKNOWN_SOURCE");
      assert.deepEqual(error.issues?.map((issue) => [issue.code, issue.path, issue.message]), [
        [
          "ASYNC_PIPELINE_UNKNOWN_SOURCE",
          "jobs.verify.target",
          'target "shop:test" names source "shop", which is not declared.',
        ],
      ]);
      assert.equal(
        (error.issues?.[0] as { hint?: string } | undefined)?.hint,
        'Declared sources: admin. Declare "shop" under sources, or use a root task (all).',
      );
      return true;
    },
  );
});

Deno.test("dependsOn of an undeclared source names the sources", () => {
  assert.throws(
    () =>
      definePipeline({
        name: "root",
        sources: { admin: source.path({ path: "../admin" }) },
        tasks: { all: task({ dependsOn: ["shop:test"], run: sh`true` }) },
      }),
    (error: Coded & { issues?: { path?: string; hint?: string }[] }) => {
      assert.equal(error.code, "ASYNC_PIPELINE_UNKNOWN_SOURCE");
      assert.equal(error.issues?.[0]?.path, "tasks.all.dependsOn");
      assert.equal(
        error.issues?.[0]?.hint,
        'Declared sources: admin. Declare "shop" under sources, or use a root task (all).',
      );
      return true;
    },
  );
});

Deno.test("cli run-task of an undeclared source", async () => {
  const parent = await tempDir("async-pipeline-unknown-source-");
  const cwd = join(parent, "root");
  await writeFiles(join(parent, "admin"), {
    "pipeline.ts": `import { definePipeline, sh, task } from "@mod";
export default definePipeline({ name: "admin", tasks: { test: task({ run: sh\`true\` }) } });
`,
  });
  await writeFiles(cwd, {
    "pipeline.ts": `import { definePipeline, job, sh, source, task } from "@mod";
export default definePipeline({
  name: "root",
  sources: { admin: source.path({ path: "../admin" }) },
  tasks: { all: task({ dependsOn: ["admin:test"], run: sh\`true\` }) },
  jobs: { verify: job({ target: "all" }) },
});
`,
  });
  for (const args of [["run-task", "shop:test"], ["run-task", "shop:test", "--dry-run"]]) {
    const { code, stderr } = await cliCall(cwd, args, { env: gitTestEnv() });
    assert.equal(code, 1, args.join(" "));
    assert.match(
      stderr,
      /^error\[ASYNC_PIPELINE_UNKNOWN_SOURCE\]: "shop:test" names source "shop", which is not declared\.\n/,
    );
    assert.match(stderr, /hint: Declared sources: admin\. Declare "shop" under sources/);
  }
});
