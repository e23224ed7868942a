/**
 * Runs of the CLI whose step leaves a process outside its process group that
 * keeps the step's output open: the task's timeout, an interrupt and a shell
 * that exits at once end the task without waiting for that process.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  baseEnv,
  cliArgs,
  isAlive,
  makeProject,
  readLatestRecord,
  REPO_DIR,
  waitFor,
} from "./support/projects.ts";

const NODE = join(REPO_DIR, "node_modules/.bin/node");
const DENO = join(REPO_DIR, "node_modules/.bin/deno");

/** Returns a sleep duration no other test uses, to find this test's processes with `ps`. */
function marker(): number {
  return 9000 + Math.floor(Math.random() * 900);
}

/** Pids of the live processes whose command line is exactly `sleep <seconds>`. */
async function sleepers(seconds: number): Promise<number[]> {
  const output = await new Deno.Command("ps", { args: ["-eo", "pid=,args="] }).output();
  return new TextDecoder().decode(output.stdout).split("\n")
    .map((line) => line.trim().match(/^(\d+) (.*)$/))
    .filter((match) => match !== null && match[2] === `sleep ${seconds}`)
    .map((match) => Number(match![1]))
    .filter(isAlive);
}

async function killSleepers(seconds: number): Promise<void> {
  for (const pid of await sleepers(seconds)) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  await waitFor("no escaped sleep left", async () => (await sleepers(seconds)).length === 0);
}

/** Shell text that starts `command` in the background and waits until it leads its own group. */
function escape(command: string): string {
  return `${command} & p=$!; until [ $(ps -o pgid= -p $p) = $p ]; do sleep 0.01; done; ` +
    `echo started`;
}

function pipeline(seconds: number): string {
  const setsid = escape(`setsid sleep ${seconds}`).replaceAll("$", "\\$");
  const jobControl = escape(`sleep ${seconds}`).replaceAll("$", "\\$");
  return `
import { definePipeline, job, sh, task } from "@mod";
export default definePipeline({
  name: "held",
  tasks: {
    tmo: task({ timeout: "1s", run: sh\`${setsid}; sleep 100\` }),
    jobctl: task({ run: sh\`bash -c 'set -m; ${jobControl}; sleep 100'\` }),
    quick: task({ run: sh\`${setsid}\` }),
    after: task({ dependsOn: ["quick"], run: sh\`echo after\` }),
  },
  jobs: { t: job({ target: "tmo" }), i: job({ target: "jobctl" }), q: job({ target: "after" }) },
});
`;
}

function spawnUnder(runtime: "deno" | "node", cwd: string, args: string[]): Deno.ChildProcess {
  const [program, argv] = runtime === "deno"
    ? [DENO, cliArgs(args)]
    : [NODE, [join(REPO_DIR, "cli/main.ts"), ...args]];
  return new Deno.Command(program, {
    args: argv,
    cwd,
    env: baseEnv(),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

const WARNING = /A process outside the step's process group kept the step's output open/;

for (const runtime of ["deno", "node"] as const) {
  Deno.test(`cli ${runtime}: a timeout ends a task whose escaped process holds stdout`, async () => {
    const seconds = marker();
    // A run that waits for the escaped process ends once it is killed here, and the test fails.
    const guard = setTimeout(() => void killSleepers(seconds), 40_000);
    try {
      const cwd = await makeProject(pipeline(seconds));
      const started = Date.now();
      const output = await spawnUnder(runtime, cwd, ["run", "t"]).output();
      const took = Date.now() - started;
      assert.equal((await sleepers(seconds)).length, 1, "the escaped process still runs");
      assert.equal(output.code, 1);
      assert.ok(took < 30_000, `took ${took}ms`);
      const { record } = await readLatestRecord(cwd);
      const [tmo] = record.tasks;
      assert.equal(tmo.exitCode, 124);
      assert.ok(tmo.durationMs! < 15_000, `the task took ${tmo.durationMs}ms`);
      assert.match(tmo.warnings?.join("\n") ?? "", WARNING);
      assert.match(new TextDecoder().decode(output.stdout), WARNING);
    } finally {
      clearTimeout(guard);
      await killSleepers(seconds);
    }
  });

  Deno.test(`cli ${runtime}: SIGINT ends a run whose escaped process holds stdout`, async () => {
    const seconds = marker();
    // A run that waits for the escaped process ends once it is killed here, and the test fails.
    const guard = setTimeout(() => void killSleepers(seconds), 40_000);
    try {
      const cwd = await makeProject(pipeline(seconds));
      const cli = spawnUnder(runtime, cwd, ["run", "i"]);
      await waitFor("the escaped process", async () => (await sleepers(seconds)).length === 1);
      const interrupted = Date.now();
      cli.kill("SIGINT");
      const output = await cli.output();
      const took = Date.now() - interrupted;
      assert.equal((await sleepers(seconds)).length, 1, "the escaped process still runs");
      assert.equal(output.code, 130);
      assert.ok(took < 15_000, `the run ended ${took}ms after SIGINT`);
      const { record } = await readLatestRecord(cwd);
      assert.equal(record.tasks[0].error?.code, "ASYNC_PIPELINE_INTERRUPTED");
      assert.match(record.tasks[0].warnings?.join("\n") ?? "", WARNING);
    } finally {
      clearTimeout(guard);
      await killSleepers(seconds);
    }
  });

  Deno.test(`cli ${runtime}: a step whose shell exits at once passes at once`, async () => {
    const seconds = marker();
    // A run that waits for the escaped process ends once it is killed here, and the test fails.
    const guard = setTimeout(() => void killSleepers(seconds), 40_000);
    try {
      const cwd = await makeProject(pipeline(seconds));
      const output = await spawnUnder(runtime, cwd, ["run", "q"]).output();
      assert.equal((await sleepers(seconds)).length, 1, "the escaped process still runs");
      assert.equal(output.code, 0);
      const { record } = await readLatestRecord(cwd);
      const quick = record.tasks.find((result) => result.id === "quick")!;
      assert.equal(quick.status, "passed");
      assert.ok(quick.durationMs! < 15_000, `the task took ${quick.durationMs}ms`);
      assert.match(quick.warnings?.join("\n") ?? "", WARNING);
      assert.equal(record.tasks.find((result) => result.id === "after")?.status, "passed");
    } finally {
      clearTimeout(guard);
      await killSleepers(seconds);
    }
  });
}
