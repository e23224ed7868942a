import assert from "node:assert/strict";
import { join } from "node:path";
import { createSourceRepo, gitTestEnv } from "./support/git.ts";
import {
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

/** A root project whose three source tasks share a prepare step that writes `prepare.pid` and sleeps. */
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
    // store:a started the prepare step, which ran a command; the others only waited for it.
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
