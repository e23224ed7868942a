import assert from "node:assert/strict";
import { Redactor } from "../node/redact.ts";
import { TaskOutput } from "../node/runner/output.ts";
import { makeProject, runCli } from "./support/projects.ts";

function output(secrets: string[] = []): TaskOutput {
  return new TaskOutput("b", new Redactor(secrets), 0, () => {}, false);
}

Deno.test("output tail keeps an unfinished line apart", () => {
  const task = output();
  task.write("stdout", "multi\nline");
  task.write("stderr", "warning\n");
  task.flush();
  assert.deepEqual(task.tail(), ["multi", "warning", "line"]);
});

Deno.test("output tail joins a line split across chunks", () => {
  const task = output();
  task.write("stdout", "hal");
  task.write("stderr", "err\n");
  task.write("stdout", "f done\n");
  task.flush();
  assert.deepEqual(task.tail(), ["err", "half done"]);
});

Deno.test("output tail lists both unfinished lines", () => {
  const task = output();
  task.write("stdout", "out");
  task.write("stderr", "err");
  task.flush();
  assert.deepEqual(task.tail(), ["out", "err"]);
});

Deno.test("output tail cuts a line with no newline", () => {
  const task = output();
  task.write("stdout", "x".repeat(70 * 1024));
  task.write("stderr", "after\n");
  task.flush();
  const tail = task.tail();
  assert.equal(tail.at(-1), "after");
  assert.ok(tail.slice(0, -1).every((line) => /^x+$/.test(line)), JSON.stringify(tail.length));
});

Deno.test("cli failure tail keeps a masked line apart", async () => {
  const cwd = await makeProject(`
import { definePipeline, env, job, sh, task } from "@mod";
export default definePipeline({
  name: "tail",
  tasks: {
    b: task({}, sh\`echo "\${env.secret("TOKEN")}" >&2; printf 'multi\\\\nline'; exit 1\`),
  },
  jobs: { v: job({ target: "b" }) },
});
`);
  const result = await runCli(cwd, ["run", "v"], { TOKEN: "hunter2-secret-value" });
  assert.equal(result.code, 1, result.stderr);
  // The two pipes are read concurrently, so "***" and "multi" may arrive in
  // either order, but the unfinished "line" always comes last.
  const summary = result.stdout.split("  last 3 lines of output:\n")[1] ?? "";
  const tail = summary.split("\n").slice(0, 3);
  assert.deepEqual([...tail].sort(), ["  │ ***", "  │ line", "  │ multi"], result.stdout);
  assert.equal(tail[2], "  │ line");
  assert.doesNotMatch(result.stdout + result.stderr, /hunter2/);
});

Deno.test("cli failure tail drops colors, quotes escapes", async () => {
  const cwd = await makeProject(`
import { definePipeline, job, sh, task } from "@mod";
export default definePipeline({
  name: "tail",
  tasks: {
    b: task({}, sh\`printf '\\\\033[31mred\\\\033[0m\\\\nprogress 10%%\\\\rprogress 50%%\\\\n'; exit 1\`),
  },
  jobs: { v: job({ target: "b" }) },
});
`);
  const result = await runCli(cwd, ["run", "v"]);
  assert.equal(result.code, 1, result.stderr);
  const summary = result.stdout.split("  last 2 lines of output:\n")[1] ?? "";
  assert.deepEqual(summary.split("\n").slice(0, 2), [
    "  │ red",
    '  │ "progress 10%\\rprogress 50%"',
  ], result.stdout);
});
