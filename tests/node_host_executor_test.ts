import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline } from "../core/pipeline.ts";
import { sh } from "../core/sh.ts";
import { task } from "../core/task.ts";
import { HostCommandExecutor } from "../node/executor/host.ts";
import { baseEnv, hasContent, isAlive, waitFor } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

const pipeline = definePipeline({ name: "p", tasks: { t: task({ run: sh`true` }) } });
const someTask = pipeline.tasks.t;

async function options(extra: Record<string, unknown> = {}) {
  return { cwd: await tempDir(), env: baseEnv(), task: someTask, ...extra };
}

Deno.test("host executor runs in cwd with env", async () => {
  const executor = new HostCommandExecutor();
  const opts = await options({ env: { ...baseEnv(), GREETING: "hi there" } });
  const result = await executor.runShell(
    'echo "$GREETING from $(pwd)"; echo oops >&2; exit 3',
    opts,
  );
  assert.equal(result.code, 3);
  assert.equal(result.stdout, `hi there from ${await Deno.realPath(opts.cwd)}\n`);
  assert.equal(result.stderr, "oops\n");
  assert.equal(result.timedOut, undefined);
});

Deno.test("host executor streams output to callbacks", async () => {
  const executor = new HostCommandExecutor();
  const chunks: string[] = [];
  const result = await executor.runShell(
    "printf one; printf two >&2",
    await options({
      onStdout: (chunk: string) => chunks.push(`out:${chunk}`),
      onStderr: (chunk: string) => chunks.push(`err:${chunk}`),
    }),
  );
  assert.equal(result.code, 0);
  assert.deepEqual(chunks.sort(), ["err:two", "out:one"]);
  assert.equal(result.stdout, "");
});

Deno.test("host executor timeout kills the group", async () => {
  const executor = new HostCommandExecutor({ killGraceMs: 500 });
  const opts = await options({ timeoutMs: 300 });
  const pidFile = join(opts.cwd, "child.pid");
  const result = await executor.runShell(`sleep 30 & echo $! > ${pidFile}; wait`, opts);
  assert.equal(result.code, 124);
  assert.equal(result.timedOut, true);
  const pid = Number(await readFile(pidFile, "utf8"));
  await waitFor("the timed-out child to exit", () => !isAlive(pid));
});

Deno.test("host executor kills commands ignoring SIGTERM", async () => {
  const executor = new HostCommandExecutor({ killGraceMs: 200 });
  const opts = await options({ timeoutMs: 200 });
  const pidFile = join(opts.cwd, "child.pid");
  const result = await executor.runShell(
    `sh -c 'trap "" TERM; echo $$ > ${pidFile}; while :; do sleep 0.05; done'`,
    opts,
  );
  assert.equal(result.code, 124);
  const pid = Number(await readFile(pidFile, "utf8"));
  await waitFor("the stubborn child to exit", () => !isAlive(pid));
});

Deno.test("host executor stops on abort", async () => {
  const executor = new HostCommandExecutor();
  const controller = new AbortController();
  const opts = await options({ signal: controller.signal });
  const pidFile = join(opts.cwd, "child.pid");
  const running = executor.runShell(`sleep 30 & echo $! > ${pidFile}; wait`, opts);
  await waitFor("the child pid file", () => hasContent(pidFile));
  controller.abort();
  const result = await running;
  assert.equal(result.code, 143);
  assert.equal(result.signal, "SIGTERM");
  const pid = Number(await readFile(pidFile, "utf8"));
  await waitFor("the aborted child to exit", () => !isAlive(pid));
});

Deno.test("host executor stops leftover background processes", async () => {
  const executor = new HostCommandExecutor();
  const opts = await options();
  const pidFile = join(opts.cwd, "child.pid");
  const result = await executor.runShell(`sleep 30 & echo $! > ${pidFile}; echo done`, opts);
  assert.equal(result.code, 0);
  assert.equal(result.stdout, "done\n");
  const pid = Number(await readFile(pidFile, "utf8"));
  await waitFor("the background child to exit", () => !isAlive(pid));
});

Deno.test("host executor checkTool searches PATH", async () => {
  const executor = new HostCommandExecutor({ path: `/nonexistent:${Deno.env.get("PATH")}` });
  assert.equal(await executor.checkTool("sh"), true);
  assert.equal(await executor.checkTool("surely-not-a-tool-8d2f"), false);
  assert.equal(await executor.checkTool("/bin/sh"), true);
  assert.equal(await new HostCommandExecutor({ path: "" }).checkTool("sh"), false);
});
