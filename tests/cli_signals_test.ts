import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  baseEnv,
  cliCommandLine,
  hasContent,
  isAlive,
  makeProject,
  readLatestRecord,
  runCli,
  spawnCli,
  waitFor,
} from "./support/projects.ts";

// `hold` starts a child sleep that only a process-group kill reaches, and
// records its pid and the shell's pid so the test can check neither survives.
const PIPELINE = `
import { definePipeline, job, sh, task } from "@mod";

export default definePipeline({
  name: "signals",
  tasks: {
    hold: task({ run: sh\`echo $$ > shell.pid; sleep 60 & echo $! > child.pid; wait\` }),
    ticks: task({ run: sh\`echo $$ > shell.pid; while :; do echo tick; sleep 0.05; done\` }),
    quick: task({ run: sh\`echo quick\` }),
  },
  jobs: {
    hold: job({ target: "hold" }),
    ticks: job({ target: "ticks" }),
    quick: job({ target: "quick" }),
  },
});
`;

async function pidFrom(path: string): Promise<number> {
  return Number((await readFile(path, "utf8")).trim());
}

async function assertGone(cwd: string, files: string[]): Promise<void> {
  for (const file of files) {
    const pid = await pidFrom(join(cwd, file));
    await waitFor(`pid ${pid} from ${file} to exit`, () => !isAlive(pid));
  }
}

async function interruptTest(signal: "SIGHUP" | "SIGINT" | "SIGTERM", expectedCode: number) {
  const cwd = await makeProject(PIPELINE);
  const cli = spawnCli(cwd, ["run", "hold"]);
  await waitFor("the task's child", () => hasContent(join(cwd, "child.pid")));
  cli.kill(signal);
  const output = await cli.output();
  assert.equal(output.code, expectedCode);
  await assertGone(cwd, ["shell.pid", "child.pid"]);

  const { record } = await readLatestRecord(cwd);
  assert.equal(record.status, "failed");
  assert.equal(record.error?.code, "ASYNC_PIPELINE_INTERRUPTED");
  assert.match(record.error?.message ?? "", new RegExp(signal));
  assert.equal(record.tasks[0].status, "failed");
  assert.equal(record.tasks[0].error?.code, "ASYNC_PIPELINE_INTERRUPTED");
  assert.ok(record.finishedAt);
  const stdout = new TextDecoder().decode(output.stdout);
  assert.match(stdout, new RegExp(`Stopped: .*${signal}`));
  await assert.rejects(readFile(join(cwd, ".async/run.lock")), { code: "ENOENT" });
}

Deno.test("cli SIGINT stops tasks and exits 130", async () => {
  await interruptTest("SIGINT", 130);
});

Deno.test("cli SIGTERM stops tasks and exits 143", async () => {
  await interruptTest("SIGTERM", 143);
});

Deno.test("cli SIGHUP stops tasks and exits 129", async () => {
  await interruptTest("SIGHUP", 129);
});

Deno.test("cli exits although task code keeps a timer", async () => {
  const cwd = await makeProject(`
import { definePipeline, job, task } from "@mod";
export default definePipeline({
  name: "timers",
  tasks: { leak: task({ run: () => { setInterval(() => {}, 1000); } }) },
  jobs: { leak: job({ target: "leak" }) },
});
`);
  const output = await spawnCli(cwd, ["run", "leak"]).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
});

Deno.test("cli closed pipe exits 141", async () => {
  const cwd = await makeProject(PIPELINE);
  const script = `${cliCommandLine(["run", "ticks"])} | head -1; exit \${PIPESTATUS[0]}`;
  const output = await new Deno.Command("bash", {
    args: ["-c", script],
    cwd,
    env: baseEnv(),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 141);
  assert.match(
    new TextDecoder().decode(output.stdout),
    /^Running ticks \(1 task, concurrency \d+\)\n$/,
  );
  await assertGone(cwd, ["shell.pid"]);
  const { record } = await readLatestRecord(cwd);
  assert.equal(record.status, "failed");
  assert.match(record.error?.message ?? "", /EPIPE/);
});

Deno.test("cli second run fails with RUN_ACTIVE", async () => {
  const cwd = await makeProject(PIPELINE);
  const first = spawnCli(cwd, ["run", "hold"]);
  try {
    await waitFor("the first run's child", () => hasContent(join(cwd, "child.pid")));
    const lock = JSON.parse(await readFile(join(cwd, ".async/run.lock"), "utf8"));
    assert.equal(lock.pid, first.pid);
    const second = await runCli(cwd, ["run", "quick"]);
    assert.equal(second.code, 1);
    assert.equal(second.stdout, "");
    assert.match(second.stderr, /^error\[ASYNC_PIPELINE_RUN_ACTIVE\]: /);
    assert.ok(second.stderr.includes(`pid ${first.pid}, started at ${lock.startedAt}`));
  } finally {
    first.kill("SIGTERM");
    assert.equal((await first.output()).code, 143);
  }
  await assertGone(cwd, ["child.pid"]);
});

Deno.test("cli reclaims the lock of a killed run", async () => {
  const cwd = await makeProject(PIPELINE);
  const killed = spawnCli(cwd, ["run", "hold"]);
  await waitFor("the killed run's child", () => hasContent(join(cwd, "child.pid")));
  // The runner lists the task's group with the watchdog on its next turn,
  // before it writes the record that shows the task running.
  await waitFor(
    "the record to show the task running",
    async () => (await readLatestRecord(cwd)).record.tasks[0]?.status === "running",
  );
  killed.kill("SIGKILL");
  await killed.output();
  // SIGKILL gave the run no chance to clean up, so the watchdog stops its task.
  const shell = await pidFrom(join(cwd, "shell.pid"));
  await waitFor("the orphaned task to stop", () => !isAlive(shell));
  const stale = JSON.parse(await readFile(join(cwd, ".async/run.lock"), "utf8"));
  assert.equal(stale.pid, killed.pid);

  const next = await runCli(cwd, ["run", "quick"]);
  assert.equal(next.code, 0, next.stderr);
  assert.ok(
    next.stdout.includes(
      `warning: Took over the run lock left by pid ${killed.pid} (started ${stale.startedAt}), which is no longer running.`,
    ),
  );
  const { record } = await readLatestRecord(cwd);
  assert.equal(record.status, "passed");
  assert.equal(record.warnings?.length, 1);
});

Deno.test("killed run shows its running task", async () => {
  const cwd = await makeProject(PIPELINE);
  const cli = spawnCli(cwd, ["run", "hold"]);
  await waitFor("the task's child", () => hasContent(join(cwd, "child.pid")));
  await waitFor(
    "the record to show the task running",
    async () => (await readLatestRecord(cwd)).record.tasks[0]?.status === "running",
  );
  const { record } = await readLatestRecord(cwd);
  assert.equal(record.status, "running");
  cli.kill("SIGKILL");
  await cli.output();
  // The watchdog stops the task's process group once the runner is gone.
  const shell = await pidFrom(join(cwd, "shell.pid"));
  await waitFor("the orphaned task to stop", () => !isAlive(shell));
});
