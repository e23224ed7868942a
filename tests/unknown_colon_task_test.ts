/** Unknown task ids that contain a colon but name no declared source. */

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { definePipeline, job, sh, source, task } from "../mod.ts";
import type { PipelineIssue } from "../core/errors.ts";
import { planTask } from "../node/runner/plan.ts";
import { cliCall } from "./support/cli.ts";
import { gitTestEnv, writeFiles } from "./support/git.ts";
import { tempDir } from "./support/temp_files.ts";

type Coded = Error & { code?: string; hint?: string; issues?: PipelineIssue[] };

const noop = sh`true`;

/** Returns the only issue of the error that `define` throws. */
function onlyIssue(define: () => unknown): PipelineIssue {
  let caught: Coded | undefined;
  try {
    define();
  } catch (error) {
    caught = error as Coded;
  }
  assert.ok(caught, "expected definePipeline to throw");
  assert.equal(caught.issues?.length, 1, caught.message);
  return caught.issues![0];
}

Deno.test("dependsOn typo of a colon id", () => {
  const issue = onlyIssue(() =>
    definePipeline({
      name: "app",
      tasks: {
        "api:build": task({ run: noop }),
        "web:build": task({ dependsOn: ["api:biuld"], run: noop }),
      },
    })
  );
  assert.equal(issue.code, "ASYNC_PIPELINE_UNKNOWN_TASK");
  assert.equal(issue.path, "tasks.web:build.dependsOn");
  assert.equal(issue.message, 'unknown task "api:biuld".');
  assert.equal(issue.hint, 'Did you mean "api:build"?');
});

Deno.test("job target typo of a colon id", () => {
  const issue = onlyIssue(() =>
    definePipeline({
      name: "app",
      tasks: { "api:build": task({ run: noop }) },
      jobs: { build: job({ target: "api:biuld" }) },
    })
  );
  assert.equal(issue.code, "ASYNC_PIPELINE_UNKNOWN_TASK");
  assert.equal(issue.path, "jobs.build.target");
  assert.equal(issue.message, 'target "api:biuld" is not a task.');
  assert.equal(issue.hint, 'Did you mean "api:build"?');
});

Deno.test("colon typo with sources declared", () => {
  const issue = onlyIssue(() =>
    definePipeline({
      name: "app",
      sources: { admin: source.path({ path: "../admin" }) },
      tasks: {
        "api:build": task({ run: noop }),
        "web:build": task({ dependsOn: ["api:biuld"], run: noop }),
      },
    })
  );
  assert.equal(issue.code, "ASYNC_PIPELINE_UNKNOWN_TASK");
  assert.equal(issue.hint, 'Did you mean "api:build"?');
});

Deno.test("colon id without match or sources", () => {
  const issue = onlyIssue(() =>
    definePipeline({
      name: "app",
      tasks: { all: task({ dependsOn: ["shop:test"], run: noop }) },
    })
  );
  assert.equal(issue.code, "ASYNC_PIPELINE_UNKNOWN_TASK");
  assert.equal(issue.message, 'unknown task "shop:test".');
  assert.equal(
    issue.hint,
    'Known tasks: all. To name a task of another pipeline, declare "shop" under sources.',
  );
});

Deno.test("colon id after a task id prefix", () => {
  const issue = onlyIssue(() =>
    definePipeline({
      name: "app",
      tasks: { build: task({ run: noop }), all: task({ dependsOn: ["build:zzzzzz"], run: noop }) },
    })
  );
  assert.equal(issue.code, "ASYNC_PIPELINE_UNKNOWN_TASK");
  assert.equal(issue.hint, "Known tasks: build, all.");
});

Deno.test("run-task typo of a colon id", () => {
  const pipeline = definePipeline({
    name: "app",
    sources: { admin: source.path({ path: "../admin" }) },
    tasks: { "api:build": task({ run: noop }) },
  });
  assert.throws(() => planTask(pipeline, "api:biuld"), (error: Coded) => {
    assert.equal(error.code, "ASYNC_PIPELINE_UNKNOWN_TASK");
    assert.equal(error.message, 'Unknown task "api:biuld".');
    assert.equal(error.hint, 'Did you mean "api:build"?');
    return true;
  });
});

Deno.test("cli run with a colon id typo", async () => {
  const cwd = await tempDir("async-pipeline-colon-typo-");
  await writeFiles(cwd, {
    "pipeline.ts": `import { definePipeline, job, sh, task } from "@mod";
export default definePipeline({
  name: "app",
  tasks: {
    "api:build": task({ run: sh\`true\` }),
    "web:build": task({ dependsOn: ["api:biuld"], run: sh\`true\` }),
  },
  jobs: { build: job({ target: "web:build" }) },
});
`,
  });
  const { code, stderr } = await cliCall(cwd, ["run", "build"], { env: gitTestEnv() });
  assert.equal(code, 1);
  assert.match(
    stderr,
    /^error\[ASYNC_PIPELINE_UNKNOWN_TASK\]: tasks\.web:build\.dependsOn: unknown task "api:biuld"\. Did you mean "api:build"\?\n/,
  );
});

Deno.test("cli run-task with a colon id typo", async () => {
  const cwd = await tempDir("async-pipeline-colon-typo-");
  await writeFiles(cwd, {
    "pipeline.ts": `import { definePipeline, sh, task } from "@mod";
export default definePipeline({ name: "app", tasks: { "api:build": task({ run: sh\`true\` }) } });
`,
  });
  const { code, stderr } = await cliCall(cwd, ["run-task", "api:biuld"], { env: gitTestEnv() });
  assert.equal(code, 1);
  assert.match(stderr, /^error\[ASYNC_PIPELINE_UNKNOWN_TASK\]: Unknown task "api:biuld"\.\n/);
  assert.match(stderr, /hint: Did you mean "api:build"\?/);
  assert.equal(existsSync(join(cwd, ".async", "runs")), false);
});
