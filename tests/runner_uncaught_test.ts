import assert from "node:assert/strict";
import process from "node:process";
import { definePipeline, job, task } from "../mod.ts";
import { runJob } from "../node/mod.ts";
import {
  baseEnv,
  makeProject,
  readLatestRecord,
  readRunFiles,
  runCliUnder,
} from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

const SECRET = "uncaught-secret-value-7";

/**
 * Creates a project whose job `j` runs task `t` with `body` as its step, beside a
 * task that passes, and whose env has a secret `TOKEN`.
 */
function project(body: string, top = ""): Promise<string> {
  return makeProject(`import { definePipeline, env, job, task } from "@mod";
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
${top}
export default definePipeline({
  name: "uncaught",
  env: { TOKEN: env.secret("UNCAUGHT_TOKEN") },
  tasks: {
    t: task({ cache: false, run: async (ctx) => { ${body} } }),
    other: task({ cache: false, run: async () => { await sleep(400); } }),
  },
  jobs: { j: job({ target: ["t", "other"] }) },
});
`);
}

const TIMER =
  `setTimeout(() => { throw new Error("timer " + ctx.env.TOKEN); }, 10); await sleep(2000);`;
const REJECTION = `Promise.reject(new Error("rejected " + ctx.env.TOKEN)); await sleep(2000);`;

for (const runtime of ["deno", "node"] as const) {
  const run = (cwd: string, args: string[] = []) =>
    runCliUnder(runtime, cwd, ["run", "j", ...args], { UNCAUGHT_TOKEN: SECRET });

  Deno.test(`an uncaught exception fails its task (${runtime})`, async () => {
    const cwd = await project(TIMER);
    const result = await run(cwd);
    assert.equal(result.code, 1);
    const { record } = await readLatestRecord(cwd);
    const t = record.tasks.find((entry) => entry.id === "t")!;
    assert.equal(t.status, "failed");
    assert.equal(t.error?.code, "ASYNC_PIPELINE_TASK_FAILED");
    assert.equal(t.error?.message, `Task "t" failed: uncaught exception in task code: timer ***`);
  });

  Deno.test(`an unhandled rejection fails its task (${runtime})`, async () => {
    const cwd = await project(REJECTION);
    const result = await run(cwd);
    assert.equal(result.code, 1);
    const { record } = await readLatestRecord(cwd);
    const t = record.tasks.find((entry) => entry.id === "t")!;
    assert.equal(t.status, "failed");
    assert.equal(
      t.error?.message,
      `Task "t" failed: unhandled rejection in task code: rejected ***`,
    );
  });

  Deno.test(`an uncaught error fails the task at once (${runtime})`, async () => {
    const cwd = await project(TIMER);
    await run(cwd);
    const { record } = await readLatestRecord(cwd);
    // The step would sleep two seconds: failing at once stops the attempt well before.
    assert.ok(record.tasks.find((entry) => entry.id === "t")!.durationMs! < 1500);
  });

  Deno.test(`uncaught errors are masked under --debug (${runtime})`, async () => {
    const cwd = await project(`${TIMER.replace("await sleep(2000);", "")} ${REJECTION}`);
    const result = await run(cwd, ["--debug"]);
    assert.equal(result.code, 1);
    assert.ok(!(result.stdout + result.stderr).includes(SECRET), result.stderr);
    assert.match(result.stdout + result.stderr, /in task code: (timer|rejected) \*\*\*/);
    const { dir } = await readLatestRecord(cwd);
    assert.ok(!(await readRunFiles(dir)).includes(SECRET));
  });

  Deno.test(`an error after the step ended is a warning (${runtime})`, async () => {
    const cwd = await project(
      `setTimeout(() => { throw new Error("late " + ctx.env.TOKEN); }, 100);`,
    );
    const result = await run(cwd);
    assert.equal(result.code, 0);
    const warning = `An uncaught exception in the code of task "t", after its step ended, ` +
      "was ignored; the run goes on: late ***";
    assert.ok(result.stdout.includes(`warning: ${warning}`), result.stdout);
    const { record } = await readLatestRecord(cwd);
    assert.deepEqual(record.warnings, [warning]);
  });

  Deno.test(`an error outside any task is a warning (${runtime})`, async () => {
    // The bound function runs in the context of the module's top level, outside any task.
    const cwd = await project(
      "outside(); await sleep(300);",
      `import { AsyncResource } from "node:async_hooks";
const outside = AsyncResource.bind(() => setTimeout(() => { throw new Error("outside boom"); }, 10));`,
    );
    const result = await run(cwd);
    assert.equal(result.code, 0);
    const { record } = await readLatestRecord(cwd);
    assert.deepEqual(record.warnings, [
      "An uncaught exception outside any task was ignored; the run goes on: outside boom",
    ]);
  });
}

Deno.test("runJob aborts ctx.signal on an uncaught error", async () => {
  let reason: unknown;
  const pipeline = definePipeline({
    name: "uncaught",
    tasks: {
      t: task({
        cache: false,
        run: (ctx) =>
          new Promise<void>((resolve) => {
            ctx.signal.addEventListener("abort", () => {
              reason = ctx.signal.reason;
              resolve();
            });
            setTimeout(() => {
              throw new Error("boom");
            }, 10);
          }),
      }),
    },
    jobs: { j: job({ target: "t" }) },
  });
  const record = await runJob(pipeline, { id: "j", cwd: await tempDir(), env: baseEnv() });
  assert.equal(record.tasks[0].status, "failed");
  assert.match(String((reason as Error)?.message), /uncaught exception in task code: boom/);
});

Deno.test("runJob removes its uncaught error listeners", async () => {
  const before = [
    process.listenerCount("uncaughtException"),
    process.listenerCount("unhandledRejection"),
  ];
  const timer = globalThis.setTimeout;
  const pipeline = definePipeline({
    name: "uncaught",
    tasks: { t: task({ cache: false, run: () => {} }) },
    jobs: { j: job({ target: "t" }) },
  });
  await runJob(pipeline, { id: "j", cwd: await tempDir(), env: baseEnv() });
  assert.deepEqual([
    process.listenerCount("uncaughtException"),
    process.listenerCount("unhandledRejection"),
  ], before);
  assert.equal(globalThis.setTimeout, timer);
});

Deno.test("an uncaught error leaves retries to the task", async () => {
  let attempts = 0;
  const pipeline = definePipeline({
    name: "uncaught",
    tasks: {
      t: task({
        cache: false,
        retry: 2,
        run: async () => {
          attempts++;
          if (attempts === 1) {
            setTimeout(() => {
              throw new Error("first attempt");
            }, 1);
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        },
      }),
    },
    jobs: { j: job({ target: "t" }) },
  });
  const record = await runJob(pipeline, { id: "j", cwd: await tempDir(), env: baseEnv() });
  assert.equal(record.tasks[0].status, "passed");
  assert.equal(record.tasks[0].attempts, 2);
  assert.match(
    record.tasks[0].attemptLog[0].error!,
    /uncaught exception in task code: first attempt/,
  );
});
