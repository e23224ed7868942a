/** Checks the exit codes and the function step children that running.md and npm.md document. */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { readFile } from "node:fs/promises";
import { INTERRUPT_EXIT_CODES } from "../cli/main.ts";
import { definePipeline, job, task } from "../mod.ts";
import { runJob } from "../node/mod.ts";
import { baseEnv } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

const codes = Object.entries(INTERRUPT_EXIT_CODES);

async function doc(name: string): Promise<string> {
  return await readFile(new URL(`../docs/${name}`, import.meta.url), "utf8");
}

Deno.test("running.md lists every interrupt exit code", async () => {
  const text = await doc("running.md");
  for (const [cause, code] of codes) {
    assert.match(text, new RegExp(`\\n\\| ${code} +\\| `), `${cause} (${code})`);
  }
});

Deno.test("npm.md names every interrupt exit code", async () => {
  const text = await doc("npm.md");
  const signals = codes.filter(([cause]) => cause.startsWith("SIG"));
  for (const [cause, code] of signals) {
    assert.match(text, new RegExp(`${code}\\s+on\\s+${cause}\\b`), `${cause} (${code})`);
  }
  assert.match(text, new RegExp(`${INTERRUPT_EXIT_CODES.EPIPE} when the\\s+output pipe`));
});

/** Returns true while a process with `pid` exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

Deno.test("a child spawned with ctx.signal stops at the timeout", async () => {
  const cwd = await tempDir();
  let pid: number | undefined;
  let exited: Promise<unknown> = Promise.resolve();
  const pipeline = definePipeline({
    name: "spawned",
    tasks: {
      slow: task({
        cache: false,
        timeout: "300ms",
        run: async (ctx) => {
          const child = spawn("sleep", ["30"], { stdio: "ignore", signal: ctx.signal });
          child.on("error", () => {});
          pid = child.pid;
          exited = new Promise((resolve) => child.on("exit", resolve));
          await exited;
        },
      }),
    },
    jobs: { j: job({ target: "slow" }) },
  });
  const record = await runJob(pipeline, { id: "j", cwd, env: baseEnv() });
  assert.equal(record.tasks[0].error?.code, "ASYNC_PIPELINE_TASK_TIMEOUT");
  assert.ok(pid !== undefined);
  await exited;
  assert.equal(alive(pid), false);
});
