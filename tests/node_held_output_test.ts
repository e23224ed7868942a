/**
 * A process that leaves the step's process group (setsid, job control) but
 * keeps its stdout open must not hold the step's result once the step's own
 * processes have ended. Each test starts real processes, checks the escaped
 * one is still running when the result arrives, and kills it afterwards.
 */

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { setChildPolicy } from "../node/executor/child.ts";
import { runInProcessGroup } from "../node/executor/process_group.ts";
import { baseEnv, hasContent, isAlive, REPO_DIR, waitFor } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

const NODE = join(REPO_DIR, "node_modules/.bin/node");

/** Ways to start children: Deno.Command, Node's spawn directly, and through the spawner. */
const MODES: ReadonlyArray<[string, Parameters<typeof setChildPolicy>[0]]> = [
  ["deno", { denoCommand: true }],
  ["direct", { denoCommand: false, spawnerAfter: Infinity }],
  ["spawner", { denoCommand: false, spawnerAfter: 0, node: NODE }],
];

/** Returns a sleep duration no other test uses, to find this test's processes with `ps`. */
function marker(): number {
  return 7000 + Math.floor(Math.random() * 2000);
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

/**
 * Runs `fn` with `mode`, then kills every `sleep <seconds>` left and checks
 * with `ps` that none is left.
 */
function heldTest(
  name: string,
  fn: (seconds: number, cwd: string) => Promise<void>,
) {
  for (const [modeName, mode] of MODES) {
    Deno.test(`${modeName}: ${name}`, async () => {
      const seconds = marker();
      const cwd = await tempDir();
      await setChildPolicy(mode);
      try {
        await fn(seconds, cwd);
      } finally {
        await setChildPolicy();
        for (const pid of await sleepers(seconds)) {
          try {
            Deno.kill(pid, "SIGKILL");
          } catch {
            // Already gone.
          }
        }
        await waitFor("no escaped sleep left", async () => (await sleepers(seconds)).length === 0);
      }
    });
  }
}

/** Resolves like `promise`, or rejects once it took 20 seconds, so a held result fails the test. */
async function within<T>(promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("the result took over 20 seconds")), 20_000);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Shell text that starts `command` in the background, waits until it leads a
 * process group of its own (until then, it is still in the step's group),
 * and writes its pid to `escaped.pid`.
 */
function escape(command: string): string {
  return `${command} & p=$!; until [ "$(ps -o pgid= -p $p | tr -d ' ')" = "$p" ]; ` +
    `do sleep 0.01; done; echo $p > escaped.pid`;
}

async function escapedPid(cwd: string): Promise<number> {
  const file = join(cwd, "escaped.pid");
  await waitFor("the escaped pid file", () => hasContent(file));
  return Number((await readFile(file, "utf8")).trim());
}

heldTest("a shell that exits at once is not held by an escaped process", async (seconds, cwd) => {
  const started = Date.now();
  const result = await within(runInProcessGroup(
    "sh",
    ["-c", `${escape(`setsid sleep ${seconds}`)}; echo started`],
    { cwd, env: baseEnv(), pipeGraceMs: 300 },
  ));
  const pid = await escapedPid(cwd);
  assert.ok(isAlive(pid), "the escaped process still runs when the result arrives");
  assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started}ms`);
  assert.equal(result.code, 0);
  assert.equal(result.stdout, "started\n");
  assert.match(result.warning ?? "", /outside the step's process group kept the step's output/);
  assert.match(result.warning ?? "", /300ms/);
  assert.match(result.warning ?? "", /keeps running/);
});

heldTest("a timeout is not held by an escaped process", async (seconds, cwd) => {
  const started = Date.now();
  const result = await within(runInProcessGroup(
    "sh",
    ["-c", `${escape(`setsid sleep ${seconds}`)}; echo started; sleep 100`],
    { cwd, env: baseEnv(), timeoutMs: 500, killGraceMs: 500, pipeGraceMs: 300 },
  ));
  const pid = await escapedPid(cwd);
  assert.ok(isAlive(pid), "the escaped process still runs when the result arrives");
  assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started}ms`);
  assert.equal(result.code, 124);
  assert.equal(result.timedOut, true);
  assert.equal(result.stdout, "started\n");
  assert.match(result.warning ?? "", /kept the step's output open/);
});

heldTest("an abort is not held by a job-control background process", async (seconds, cwd) => {
  const controller = new AbortController();
  const running = runInProcessGroup(
    "bash",
    // `started` goes out before the pid file that the abort waits for, so the abort cannot stop
    // the shell between the two.
    ["-c", `set -m; sleep ${seconds} & pid=$!; echo started; echo $pid > escaped.pid; sleep 100`],
    { cwd, env: baseEnv(), signal: controller.signal, killGraceMs: 500, pipeGraceMs: 300 },
  );
  const pid = await escapedPid(cwd);
  const aborted = Date.now();
  controller.abort();
  const result = await within(running);
  assert.ok(isAlive(pid), "the escaped process still runs when the result arrives");
  assert.ok(Date.now() - aborted < 10_000, `took ${Date.now() - aborted}ms`);
  assert.equal(result.code, 143);
  assert.equal(result.stdout, "started\n");
  assert.match(result.warning ?? "", /kept the step's output open/);
});

heldTest("output of the escaped process within the grace period is kept", async (seconds, cwd) => {
  const result = await within(runInProcessGroup(
    "sh",
    [
      "-c",
      `${
        escape(`setsid sh -c 'sleep 0.3; echo late; echo late-err >&2; exec sleep ${seconds}'`)
      }; echo early`,
    ],
    { cwd, env: baseEnv(), pipeGraceMs: 3000 },
  ));
  assert.equal(result.code, 0);
  assert.equal(result.stdout, "early\nlate\n");
  assert.equal(result.stderr, "late-err\n");
  assert.equal((await sleepers(seconds)).length, 1, "the escaped process still runs");
  assert.match(result.warning ?? "", /3000ms/);
});

heldTest("leftovers in the group are stopped, with no warning", async (seconds, cwd) => {
  const result = await within(runInProcessGroup("sh", ["-c", `sleep ${seconds} & echo started`], {
    cwd,
    env: baseEnv(),
    killGraceMs: 500,
    pipeGraceMs: 300,
  }));
  assert.equal(result.code, 0);
  assert.equal(result.stdout, "started\n");
  assert.equal(result.warning, undefined);
  assert.deepEqual(await sleepers(seconds), []);
});

heldTest("an escaped process with its output redirected gets no warning", async (seconds, cwd) => {
  const result = await within(runInProcessGroup(
    "sh",
    ["-c", `${escape(`setsid sleep ${seconds} >/dev/null 2>&1`)}; echo started`],
    { cwd, env: baseEnv(), pipeGraceMs: 300 },
  ));
  assert.ok(isAlive(await escapedPid(cwd)));
  assert.equal(result.stdout, "started\n");
  assert.equal(result.warning, undefined);
});
