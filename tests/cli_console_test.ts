/** Console output of function steps in CLI runs: masked, prefixed, and off stdout with JSON. */

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { makeProject, readLatestRecord, readRunFiles, runCli } from "./support/projects.ts";

const TOKEN = "s3cr3t-console-value";

const PIPELINE = `
import process from "node:process";
import { definePipeline, env, job, task } from "@mod";

console.error("loaded the pipeline");

export default definePipeline({
  name: "console",
  tasks: {
    speak: task({
      cache: false,
      run: (ctx) => {
        console.log("console " + ctx.env.TOKEN);
        console.error("stderr " + ctx.env.TOKEN);
        process.stdout.write("write " + ctx.env.TOKEN + "\\n");
        ctx.log("log " + ctx.env.TOKEN);
      },
    }),
  },
  jobs: { speak: job({ target: "speak", env: { TOKEN: env.secret("CLI_CONSOLE_TOKEN") } }) },
});
`;

Deno.test("cli run masks step console output", async () => {
  const cwd = await makeProject(PIPELINE);
  const result = await runCli(cwd, ["run", "speak"], { CLI_CONSOLE_TOKEN: TOKEN });
  assert.equal(result.code, 0, result.stderr);
  assert.ok(!(result.stdout + result.stderr).includes(TOKEN));
  const lines = result.stdout.split("\n");
  for (const line of ["console ***", "stderr ***", "write ***", "log ***"]) {
    assert.ok(lines.includes(`[speak] ${line}`), `missing "[speak] ${line}" in:\n${result.stdout}`);
  }
  // Printed while the pipeline was imported, outside any step: it passes through.
  assert.equal(result.stderr, "loaded the pipeline\n");

  const { dir, record } = await readLatestRecord(cwd);
  assert.ok(!(await readRunFiles(dir)).includes(TOKEN));
  const logs = record.tasks[0].logs!;
  assert.equal(
    await readFile(join(dir, logs.stdout!), "utf8"),
    "console ***\nwrite ***\nlog ***\n",
  );
  assert.equal(await readFile(join(dir, logs.stderr!), "utf8"), "stderr ***\n");
});

Deno.test("cli json run keeps stdout clean", async () => {
  const cwd = await makeProject(PIPELINE);
  const result = await runCli(cwd, ["run", "speak", "--format", "json"], {
    CLI_CONSOLE_TOKEN: TOKEN,
  });
  assert.equal(result.code, 0, result.stderr);
  const printed = JSON.parse(result.stdout);
  const { record } = await readLatestRecord(cwd);
  assert.deepEqual(printed, record);
  assert.equal(printed.status, "passed");
  assert.equal(result.stderr, "loaded the pipeline\n");
});
