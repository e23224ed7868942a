import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { definePipeline, job, task } from "../mod.ts";
import { runJob } from "../node/mod.ts";
import {
  baseEnv,
  makeProject,
  MOD_URL,
  readLatestRecord,
  runCliUnder,
} from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

// `late` leaves a timer that exits the process while `after`, which waits for
// `late`, runs its shell step. `outside` sets a flag that an interval started
// at the top level of the pipeline file, outside any task, acts on. `stuck`
// waits on a promise that nothing settles. `saved` calls an exit function
// saved before the run started.
const PIPELINE = `import { definePipeline, job, sh, task } from "@mod";

let quitNow = false;
const poll = setInterval(() => {
  if (quitNow) process.exit(6);
}, 20);
const savedExit = process.exit;

export default definePipeline({
  name: "cause",
  tasks: {
    late: task({ cache: false, run: () => void setTimeout(() => process.exit(5), 1000) }),
    after: task({ cache: false, dependsOn: ["late"], run: sh\`sleep 5\` }),
    outside: task({ cache: false, run: async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      quitNow = true;
    } }),
    sleeper: task({ cache: false, run: sh\`sleep 5\` }),
    stuck: task({ cache: false, run: () => {
      clearInterval(poll);
      return new Promise(() => {});
    } }),
    saved: task({ cache: false, run: async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      savedExit(7);
    } }),
  },
  jobs: {
    late: job({ target: "after" }),
    outside: job({ target: ["outside", "sleeper"] }),
    stuck: job({ target: "stuck" }),
    saved: job({ target: ["saved", "sleeper"] }),
  },
});
`;

for (const runtime of ["deno", "node"] as const) {
  Deno.test(`late exit call names its task (${runtime})`, async () => {
    const cwd = await makeProject(PIPELINE);
    const result = await runCliUnder(runtime, cwd, ["run", "late"]);
    assert.equal(result.code, 5, result.stderr);
    const { record } = await readLatestRecord(cwd);
    assert.equal(record.tasks.find((entry) => entry.id === "late")?.status, "passed");
    assert.equal(
      record.tasks.find((entry) => entry.id === "after")?.error?.message,
      'Task "after" failed: the process exited with code 5 while it ran (the code of task "late" ' +
        "called process.exit() after its step ended).",
    );
    assert.equal(
      record.error?.message,
      'The process exited with code 5 while task "after" ran: the code of task "late" called ' +
        "process.exit() after its step ended.",
    );
  });

  Deno.test(`exit call outside tasks blames none (${runtime})`, async () => {
    const cwd = await makeProject(PIPELINE);
    const result = await runCliUnder(runtime, cwd, ["run", "outside", "--concurrency", "2"]);
    assert.equal(result.code, 6, result.stderr);
    const { record } = await readLatestRecord(cwd);
    assert.equal(record.tasks.find((entry) => entry.id === "outside")?.status, "passed");
    assert.equal(
      record.tasks.find((entry) => entry.id === "sleeper")?.error?.message,
      'Task "sleeper" failed: the process exited with code 6 while it ran (code that could not ' +
        "be traced to a task called process.exit()).",
    );
  });
}

/** Creates a project whose source's deferred prepare step calls process.exit(5). */
async function exitingPrepareProject(): Promise<string> {
  const cwd = await makeProject(`import { definePipeline, job, sh, source, task } from "@mod";
export default definePipeline({
  name: "root",
  sources: {
    lib: source.path({
      path: "lib",
      writable: true,
      prepare: [sh\`echo preparing\`, sh(() => { process.exit(5); })],
    }),
  },
  tasks: { top: task({ cache: false, dependsOn: ["lib:t"], run: sh\`true\` }) },
  jobs: { j: job({ target: "top" }) },
});
`);
  await mkdir(join(cwd, "lib"));
  await writeFile(
    join(cwd, "lib/pipeline.ts"),
    `import { definePipeline, sh, task } from "${MOD_URL}";
export default definePipeline({ name: "lib", tasks: { t: task({ run: sh\`echo t\` }) } });
`,
  );
  return cwd;
}

for (const runtime of ["deno", "node"] as const) {
  Deno.test(`exit call in prepare names the source (${runtime})`, async () => {
    const cwd = await exitingPrepareProject();
    const result = await runCliUnder(runtime, cwd, ["run", "j"]);
    assert.equal(result.code, 5, result.stderr);
    const { record } = await readLatestRecord(cwd);
    assert.equal(
      record.tasks.find((entry) => entry.id === "lib:t")?.error?.message,
      'Task "lib:t" failed: the process exited with code 5 while it ran (the code of prepare ' +
        'step 2 of source "lib" called process.exit()).',
    );
    assert.equal(
      record.error?.message,
      'The process exited with code 5 while task "lib:t" ran: the code of prepare step 2 of ' +
        'source "lib" called process.exit().',
    );
  });
}

Deno.test("exit without call says so", async () => {
  const cwd = await makeProject(PIPELINE);
  // Node ends a process whose top-level await never settles with code 13.
  const result = await runCliUnder("node", cwd, ["run", "stuck"]);
  assert.equal(result.code, 13, result.stderr);
  const { record } = await readLatestRecord(cwd);
  assert.equal(
    record.tasks[0].error?.message,
    'Task "stuck" failed: the process exited with code 13 while it ran (no process.exit() or ' +
      "Deno.exit() call was seen).",
  );
  assert.match(record.error?.message ?? "", /^The process exited with code 13 while task "stuck"/);
});

Deno.test("saved exit function goes unseen", async () => {
  const cwd = await makeProject(PIPELINE);
  const result = await runCliUnder("node", cwd, ["run", "saved", "--concurrency", "2"]);
  assert.equal(result.code, 7, result.stderr);
  const { record } = await readLatestRecord(cwd);
  assert.match(
    record.tasks.find((entry) => entry.id === "sleeper")?.error?.message ?? "",
    /\(no process\.exit\(\) or Deno\.exit\(\) call was seen\)\.$/,
  );
});

Deno.test("runJob restores exit functions", async () => {
  const cwd = await tempDir();
  const runtime = globalThis as unknown as { Deno: { exit: unknown } };
  const before = { process: process.exit, deno: runtime.Deno.exit };
  let during: unknown;
  const pipeline = definePipeline({
    name: "hook",
    tasks: { t: task({ cache: false, run: () => void (during = process.exit) }) },
    jobs: { j: job({ target: "t" }) },
  });
  await runJob(pipeline, { id: "j", cwd, env: baseEnv() });
  assert.notEqual(during, before.process);
  assert.equal(process.exit, before.process);
  assert.equal(runtime.Deno.exit, before.deno);
});
