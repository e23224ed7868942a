import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { definePipeline, job, task } from "../mod.ts";
import { runJob } from "../node/mod.ts";
import { baseEnv, makeProject, readLatestRecord, runCliUnder } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

/** Creates a project whose step exits the process with `code` while another task waits for it. */
function exitingProject(code: number): Promise<string> {
  return makeProject(`import { definePipeline, job, task } from "@mod";
export default definePipeline({
  name: "exit",
  tasks: {
    quits: task({
      cache: false,
      run: async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        process.exit(${code});
      },
    }),
    after: task({ cache: false, dependsOn: ["quits"], run: () => {} }),
  },
  jobs: { j: job({ target: ["quits", "after"] }) },
});
`);
}

Deno.test("process.exit in a step fails a sibling task naming the caller", async () => {
  const cwd = await makeProject(`import { definePipeline, job, task } from "@mod";
export default definePipeline({
  name: "exit",
  tasks: {
    quits: task({ cache: false, run: async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      process.exit(4);
    } }),
    waits: task({ cache: false, run: () => new Promise((resolve) => setTimeout(resolve, 5000)) }),
  },
  jobs: { j: job({ target: ["quits", "waits"] }) },
});
`);
  const result = await runCliUnder("deno", cwd, ["run", "j", "--concurrency", "2"]);
  assert.equal(result.code, 4);
  const { record } = await readLatestRecord(cwd);
  const waits = record.tasks.find((entry) => entry.id === "waits")!;
  assert.equal(waits.status, "failed");
  assert.equal(
    waits.error?.message,
    'Task "waits" failed: the process exited with code 4 while it ran (task "quits" called process.exit()).',
  );
});

for (const runtime of ["deno", "node"] as const) {
  Deno.test(`process.exit in a step fails the record (${runtime})`, async () => {
    const cwd = await exitingProject(3);
    const result = await runCliUnder(runtime, cwd, ["run", "j"]);
    assert.equal(result.code, 3);
    const { record } = await readLatestRecord(cwd);
    assert.equal(record.status, "failed");
    const quits = record.tasks.find((entry) => entry.id === "quits")!;
    assert.equal(quits.status, "failed");
    assert.equal(quits.error?.code, "ASYNC_PIPELINE_TASK_FAILED");
    assert.match(quits.error!.message, /its step code called process\.exit\(3\)/);
    assert.equal(record.tasks.find((entry) => entry.id === "after")?.status, "skipped");
  });

  Deno.test(`process.exit in a step removes the run lock (${runtime})`, async () => {
    const cwd = await exitingProject(3);
    await runCliUnder(runtime, cwd, ["run", "j"]);
    assert.equal(existsSync(join(cwd, ".async/run.lock")), false);
  });

  Deno.test(`process.exit in a step prints one line naming it (${runtime})`, async () => {
    const cwd = await exitingProject(3);
    const result = await runCliUnder(runtime, cwd, ["run", "j"]);
    const lines = result.stderr.split("\n").filter((line) => line.startsWith("error["));
    assert.equal(lines.length, 1, result.stderr);
    assert.match(
      lines[0],
      /^error\[ASYNC_PIPELINE_TASK_FAILED\]: The process exited with code 3 while task "quits" ran: task "quits" called process\.exit\(\)\. Record: /,
    );
  });

  Deno.test(`process.exit(0) in a step exits 1 (${runtime})`, async () => {
    const cwd = await exitingProject(0);
    const result = await runCliUnder(runtime, cwd, ["run", "j"]);
    assert.equal(result.code, 1);
  });

  Deno.test(`process.exit(0) messages name codes 0 and 1 (${runtime})`, async () => {
    const cwd = await exitingProject(0);
    const result = await runCliUnder(runtime, cwd, ["run", "j"]);
    const lines = result.stderr.split("\n").filter((line) => line.startsWith("error["));
    assert.equal(lines.length, 1, result.stderr);
    assert.match(
      lines[0],
      /^error\[ASYNC_PIPELINE_TASK_FAILED\]: The process started to exit with code 0 while task "quits" ran: task "quits" called process\.exit\(\)\. The run exits with code 1 instead, because it did not finish\. Record: /,
    );
    const { record } = await readLatestRecord(cwd);
    const quits = record.tasks.find((entry) => entry.id === "quits")!;
    assert.equal(
      quits.error?.message,
      'Task "quits" failed: its step code called process.exit(0), which ended the run with code 1. Throw an error or return instead.',
    );
  });

  Deno.test(`a passing run prints no exit error (${runtime})`, async () => {
    const cwd = await makeProject(`import { definePipeline, job, task } from "@mod";
export default definePipeline({
  name: "fine",
  tasks: { fine: task({ cache: false, run: () => {} }) },
  jobs: { j: job({ target: "fine" }) },
});
`);
    const result = await runCliUnder(runtime, cwd, ["run", "j"]);
    assert.equal(result.code, 0);
    assert.doesNotMatch(result.stderr, /process exited/);
  });
}

Deno.test("runJob removes its exit hook when the run ends", async () => {
  const cwd = await tempDir();
  const pipeline = definePipeline({
    name: "hook",
    tasks: { t: task({ cache: false, run: () => {} }) },
    jobs: { j: job({ target: "t" }) },
  });
  const before = process.listenerCount("exit");
  let during = 0;
  const seen = definePipeline({
    name: "hook",
    tasks: { t: task({ cache: false, run: () => void (during = process.listenerCount("exit")) }) },
    jobs: { j: job({ target: "t" }) },
  });
  await runJob(seen, { id: "j", cwd, env: baseEnv() });
  await runJob(pipeline, { id: "j", cwd, env: baseEnv() });
  assert.equal(during, before + 1);
  assert.equal(process.listenerCount("exit"), before);
});
