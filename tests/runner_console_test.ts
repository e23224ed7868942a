/** Console output of function steps: attributed, masked and stored as task output. */

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { definePipeline, env, job, sh, source, task } from "../mod.ts";
import { runJob } from "../node/mod.ts";
import type { ExecutionRecord } from "../node/types.ts";
import { CAPTURED_CONSOLE_METHODS } from "../node/runner/console_capture.ts";
import type { RunEvent } from "../node/runner/events.ts";
import { executeRun } from "../node/runner/run_job.ts";
import { writeFiles } from "./support/git.ts";
import { baseEnv } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

async function project(): Promise<string> {
  return await tempDir("async-pipeline-console-");
}

/** Reads a task's stored log, or "" when the stream printed nothing. */
async function log(
  cwd: string,
  record: ExecutionRecord,
  id: string,
  stream: "stdout" | "stderr",
): Promise<string> {
  const path = record.tasks.find((result) => result.id === id)?.logs?.[stream];
  return path === undefined
    ? ""
    : await readFile(join(cwd, ".async/runs", record.id, path), "utf8");
}

/** A promise and the function that resolves it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

type Methods = Record<string, unknown>;

/** Returns the console methods and stream writes that a run replaces, as they are now. */
function snapshot(): Methods {
  const methods: Methods = {};
  const target = console as unknown as Methods;
  for (const name of CAPTURED_CONSOLE_METHODS) methods[name] = target[name];
  methods["stdout.write"] = process.stdout.write;
  methods["stderr.write"] = process.stderr.write;
  return methods;
}

Deno.test("console output masked and stored", async () => {
  const cwd = await project();
  const token = "tok-3f9a-console";
  const pipeline = definePipeline({
    name: "console",
    tasks: {
      speak: task({
        cache: false,
        run: (ctx) => {
          console.log("log", ctx.env.TOKEN);
          console.info(`info ${ctx.env.TOKEN}`);
          console.error("error %s", ctx.env.TOKEN);
          console.warn({ warn: ctx.env.TOKEN });
          ctx.meta({ seen: ctx.env.TOKEN });
        },
      }),
    },
    jobs: { speak: job({ target: "speak", env: { TOKEN: env.secret("CONSOLE_TOKEN") } }) },
  });
  const record = await runJob(pipeline, {
    id: "speak",
    cwd,
    env: baseEnv({ CONSOLE_TOKEN: token }),
  });
  assert.equal(record.status, "passed");
  assert.equal(await log(cwd, record, "speak", "stdout"), "log ***\ninfo ***\n");
  assert.equal(await log(cwd, record, "speak", "stderr"), "error ***\n{ warn: '***' }\n");
  assert.deepEqual(record.tasks[0].meta, { seen: "***" });
  assert.ok(!JSON.stringify(record).includes(token));
});

Deno.test("interleaved console lines attributed per task", async () => {
  const cwd = await project();
  const [first, second, third] = [gate(), gate(), gate()];
  const pipeline = definePipeline({
    name: "interleave",
    tasks: {
      a: task({
        cache: false,
        run: async () => {
          console.log("a one");
          first.open();
          await second.promise;
          console.error("a two");
          third.open();
        },
      }),
      b: task({
        cache: false,
        run: async () => {
          await first.promise;
          console.log("b one");
          second.open();
          await third.promise;
          console.log("b two");
        },
      }),
    },
    jobs: { both: job({ target: ["a", "b"] }) },
  });
  const events: RunEvent[] = [];
  const record = await executeRun(pipeline, {
    id: "both",
    cwd,
    env: baseEnv(),
    concurrency: 2,
    echo: true,
  }, {
    onEvent: (event) => events.push(event),
  });
  assert.equal(record.status, "passed");
  const output = events.flatMap((event) =>
    event.type === "task-output" ? [[event.taskId, event.stream, event.text]] : []
  );
  assert.deepEqual(output, [
    ["a", "stdout", "a one\n"],
    ["b", "stdout", "b one\n"],
    ["a", "stderr", "a two\n"],
    ["b", "stdout", "b two\n"],
  ]);
  assert.equal(await log(cwd, record, "a", "stdout"), "a one\n");
  assert.equal(await log(cwd, record, "a", "stderr"), "a two\n");
  assert.equal(await log(cwd, record, "b", "stdout"), "b one\nb two\n");
  assert.equal(await log(cwd, record, "b", "stderr"), "");
});

Deno.test("direct stream writes are captured", async () => {
  const cwd = await project();
  let calledBack = 0;
  const bytes = new TextEncoder().encode("bytes é\n");
  const pipeline = definePipeline({
    name: "streams",
    tasks: {
      raw: task({
        cache: false,
        run: async () => {
          process.stdout.write("text\n", () => calledBack++);
          // "é" is two bytes: the first write ends in the middle of it.
          process.stdout.write(bytes.subarray(0, 7));
          process.stdout.write(bytes.subarray(7), "utf8", () => calledBack++);
          process.stderr.write("68657820656e636f6465640a", "hex");
          await new Promise((resolve) => setTimeout(resolve, 10));
        },
      }),
    },
    jobs: { raw: job({ target: "raw" }) },
  });
  const record = await runJob(pipeline, { id: "raw", cwd, env: baseEnv() });
  assert.equal(record.status, "passed");
  assert.equal(await log(cwd, record, "raw", "stdout"), "text\nbytes é\n");
  assert.equal(await log(cwd, record, "raw", "stderr"), "hex encoded\n");
  assert.equal(calledBack, 2);
});

Deno.test("deferred sh console output captured", async () => {
  const cwd = await project();
  const pipeline = definePipeline({
    name: "deferred",
    tasks: {
      later: task({
        cache: false,
        run: sh((ctx) => {
          console.log(`deciding in ${ctx.taskId}`);
          return sh`echo decided`;
        }),
      }),
    },
    jobs: { later: job({ target: "later" }) },
  });
  const record = await runJob(pipeline, { id: "later", cwd, env: baseEnv() });
  assert.equal(record.status, "passed");
  assert.equal(await log(cwd, record, "later", "stdout"), "deciding in later\ndecided\n");
});

Deno.test("deferred prepare console output captured", async () => {
  const parent = await project();
  const cwd = join(parent, "root");
  await writeFiles(cwd, { ".keep": "" });
  await writeFiles(join(parent, "lib"), {
    "pipeline.ts": `import { definePipeline, sh, task } from "@mod";
export default definePipeline({ name: "lib", tasks: { test: task({ run: sh\`true\` }) } });
`,
  });
  const pipeline = definePipeline({
    name: "root",
    sources: {
      lib: source.path({
        path: "../lib",
        writable: true,
        prepare: [sh((ctx) => {
          console.log(`preparing ${ctx.taskId}`);
          return sh`echo prepared`;
        })],
      }),
    },
    tasks: { all: task({ dependsOn: ["lib:test"], run: sh`true` }) },
    jobs: { all: job({ target: "all" }) },
  });
  const record = await runJob(pipeline, { id: "all", cwd, env: baseEnv() });
  assert.equal(record.status, "passed");
  const stdout = await readFile(
    join(cwd, ".async/runs", record.id, record.sources!.lib.logs!.stdout!),
    "utf8",
  );
  assert.equal(stdout, "preparing lib prepare\nprepared\n");
});

Deno.test("late step output stays masked", async () => {
  const cwd = await project();
  const printed = gate();
  const pipeline = definePipeline({
    name: "late",
    tasks: {
      early: task({
        cache: false,
        run: (ctx) => {
          setTimeout(() => {
            console.log(`late ${ctx.env.TOKEN}`);
            printed.open();
          }, 20);
        },
      }),
      after: task({ cache: false, dependsOn: ["early"], run: () => printed.promise }),
    },
    jobs: { late: job({ target: "after", env: { TOKEN: env.secret("LATE_TOKEN") } }) },
  });
  const events: RunEvent[] = [];
  const record = await executeRun(pipeline, {
    id: "late",
    cwd,
    env: baseEnv({ LATE_TOKEN: "late-secret-value" }),
    echo: true,
  }, { onEvent: (event) => events.push(event) });
  assert.equal(record.status, "passed");
  const kinds: string[] = [];
  for (const event of events) {
    if (event.type === "task-finished" && event.taskId === "early") kinds.push("finished");
    if (event.type === "task-output") kinds.push(`${event.taskId}: ${event.text}`);
  }
  assert.deepEqual(kinds, ["finished", "early: late ***\n"]);
  assert.equal(await log(cwd, record, "early", "stdout"), "");
});

Deno.test("console outside steps passes through", async () => {
  const cwd = await project();
  const original = console.log;
  const seen: string[] = [];
  console.log = (...args: unknown[]) => {
    seen.push(args.join(" "));
  };
  let record: ExecutionRecord;
  try {
    const pipeline = definePipeline({
      name: "outside",
      tasks: { step: task({ cache: false, run: () => console.log("from the step") }) },
      jobs: { step: job({ target: "step" }) },
    });
    // The listener runs in the runner, inside the step's call of console.log.
    record = await executeRun(pipeline, { id: "step", cwd, env: baseEnv(), echo: true }, {
      onEvent: (event) => console.log(`event ${event.type}`),
    });
  } finally {
    console.log = original;
  }
  assert.equal(record.status, "passed");
  assert.ok(seen.includes("event task-output"), seen.join("\n"));
  assert.ok(seen.includes("event run-finished"), seen.join("\n"));
  assert.ok(!seen.some((line) => line.includes("from the step")), seen.join("\n"));
  assert.equal(await log(cwd, record, "step", "stdout"), "from the step\n");
});

Deno.test("console restored after a passing run", async () => {
  const cwd = await project();
  const before = snapshot();
  let during: Methods = {};
  const pipeline = definePipeline({
    name: "restore",
    tasks: { look: task({ cache: false, run: () => void (during = snapshot()) }) },
    jobs: { look: job({ target: "look" }) },
  });
  const record = await runJob(pipeline, { id: "look", cwd, env: baseEnv() });
  assert.equal(record.status, "passed");
  for (const name of Object.keys(before)) assert.notEqual(during[name], before[name], name);
  assert.deepEqual(snapshot(), before);
  assert.ok(!Object.hasOwn(process.stdout, "write"));
});

Deno.test("console restored after a failing task", async () => {
  const cwd = await project();
  const before = snapshot();
  const pipeline = definePipeline({
    name: "fails",
    tasks: {
      boom: task({
        cache: false,
        run: () => {
          console.error("about to fail");
          throw new Error("boom");
        },
      }),
    },
    jobs: { boom: job({ target: "boom" }) },
  });
  const record = await runJob(pipeline, { id: "boom", cwd, env: baseEnv() });
  assert.equal(record.status, "failed");
  assert.equal(await log(cwd, record, "boom", "stderr"), "about to fail\n");
  assert.deepEqual(snapshot(), before);
});

Deno.test("console restored after a throwing run", async () => {
  const cwd = await project();
  const before = snapshot();
  const pipeline = definePipeline({
    name: "throws",
    tasks: { never: task({ cache: false, run: () => console.log("never") }) },
    jobs: { never: job({ target: "never", env: { TOKEN: env.secret("CONSOLE_UNSET_TOKEN") } }) },
  });
  const runEnv = baseEnv();
  delete runEnv.CONSOLE_UNSET_TOKEN;
  delete runEnv.TOKEN;
  await assert.rejects(
    runJob(pipeline, { id: "never", cwd, env: runEnv }),
    (error: { code?: string }) => error.code === "ASYNC_PIPELINE_MISSING_SECRET",
  );
  assert.deepEqual(snapshot(), before);
});

Deno.test("overlapping runs share the capture", async () => {
  const [cwdA, cwdB] = [await project(), await project()];
  const before = snapshot();
  const bDone = gate();
  const slow = definePipeline({
    name: "slow",
    tasks: {
      wait: task({
        cache: false,
        run: async () => {
          await bDone.promise;
          console.log("after the other run");
        },
      }),
    },
    jobs: { wait: job({ target: "wait" }) },
  });
  const quick = definePipeline({
    name: "quick",
    tasks: { go: task({ cache: false, run: () => console.log("quick") }) },
    jobs: { go: job({ target: "go" }) },
  });
  const slowRun = runJob(slow, { id: "wait", cwd: cwdA, env: baseEnv() });
  const quickRecord = await runJob(quick, { id: "go", cwd: cwdB, env: baseEnv() });
  assert.notDeepEqual(snapshot(), before, "still replaced while the slow run lasts");
  bDone.open();
  const slowRecord = await slowRun;
  assert.equal(await log(cwdB, quickRecord, "go", "stdout"), "quick\n");
  assert.equal(await log(cwdA, slowRecord, "wait", "stdout"), "after the other run\n");
  assert.deepEqual(snapshot(), before);
});
