import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, job, sh, task } from "../mod.ts";
import { executeRun } from "../node/runner/run_job.ts";
import { createSourceRepo, gitTestEnv } from "./support/git.ts";
import { tempDir } from "./support/temp_files.ts";
import {
  baseEnv,
  hasContent,
  makeProject,
  readLatestRecord,
  spawnCli,
  waitFor,
} from "./support/projects.ts";

const SOURCE_PIPELINE = `import { definePipeline, sh, task } from "@mod";
export default definePipeline({
  name: "store",
  tasks: {
    a: task({ run: sh\`echo a\` }),
    b: task({ run: sh\`echo b\` }),
    c: task({ run: sh\`echo c\` }),
  },
});
`;

/** Creates a root project whose three source tasks share a prepare step that writes `prepare.pid` and sleeps. */
async function project(): Promise<string> {
  const repo = await createSourceRepo({ "pipeline.ts": SOURCE_PIPELINE });
  return await makeProject(`import { definePipeline, job, sh, source, task } from "@mod";
export default definePipeline({
  name: "root",
  sources: {
    store: source.git({
      url: ${JSON.stringify(repo.url)},
      prepare: [sh\`echo $$ > \${Deno.cwd()}/prepare.pid; sleep 30\`],
    }),
  },
  tasks: {},
  jobs: { all: job({ target: ["store:a", "store:b", "store:c"] }) },
});
`);
}

for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  Deno.test(`${signal} during prepare skips the tasks that waited for it`, async () => {
    const cwd = await project();
    const cli = spawnCli(cwd, ["run", "all", "--concurrency", "3"], gitTestEnv());
    await waitFor("the prepare step", () => hasContent(join(cwd, "prepare.pid")));
    cli.kill(signal);
    const output = await cli.output();
    assert.equal(output.code, code, new TextDecoder().decode(output.stderr));

    const { record } = await readLatestRecord(cwd);
    const summary = Object.fromEntries(
      record.tasks.map((task) => [task.id, [task.status, task.attempts, task.error?.code]]),
    );
    // store:a started the prepare step, which ran a command. The others only waited for it.
    assert.deepEqual(summary, {
      "store:a": ["failed", 0, "ASYNC_PIPELINE_INTERRUPTED"],
      "store:b": ["skipped", 0, undefined],
      "store:c": ["skipped", 0, undefined],
    });
    const b = record.tasks.find((task) => task.id === "store:b");
    assert.deepEqual(b?.warnings, ["Skipped: the run was interrupted."]);
    assert.equal(b?.startedAt, undefined);
    assert.equal(record.error?.code, "ASYNC_PIPELINE_INTERRUPTED");
  });
}

Deno.test("an interrupt before the first command skips the task", async () => {
  const cwd = await tempDir();
  const controller = new AbortController();
  const pipeline = definePipeline({
    name: "root",
    tasks: {
      // With one slot, the task keeps it from its start. Its callback plays an interrupt that
      // arrives after the task started but before its first command.
      late: task({
        cache: false,
        run: sh(() => {
          controller.abort(new Error("Interrupted by SIGINT."));
          return sh`touch ran.txt`;
        }),
      }),
    },
    jobs: { j: job({ target: "late" }) },
  });
  const record = await executeRun(
    pipeline,
    { id: "j", cwd, env: baseEnv(), concurrency: 1 },
    { signal: controller.signal },
  );
  const [late] = record.tasks;
  assert.equal(late.status, "skipped");
  assert.equal(late.attempts, 0);
  assert.deepEqual(late.attemptLog, []);
  assert.deepEqual(late.warnings, ["Skipped: the run was interrupted."]);
  assert.equal(record.error?.code, "ASYNC_PIPELINE_INTERRUPTED");
  await assert.rejects(readFile(join(cwd, "ran.txt")), { code: "ENOENT" });
});
