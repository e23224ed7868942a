/**
 * A closed stdout pipe stops the run before another task starts, and
 * `--format json` into a pipe whose reader left exits 141.
 */

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { baseEnv, cliCommandLineUnder, makeProject, readLatestRecord } from "./support/projects.ts";

const PIPELINE = `
import { definePipeline, job, sh, task } from "@mod";
const many: Record<string, ReturnType<typeof task>> = {};
for (let i = 0; i < 300; i++) many[\`task_\${i}\`] = task({ cache: false, run: sh\`true\` });
export default definePipeline({
  name: "pipe",
  tasks: {
    ...many,
    build: task({ cache: false, run: sh\`sleep 1\` }),
    deploy: task({ cache: false, dependsOn: ["build"], run: sh\`echo DEPLOYED >> deployed.txt\` }),
    one: task({ cache: false, run: sh\`sleep 1\` }),
  },
  jobs: {
    release: job({ target: "deploy" }),
    many: job({ target: Object.keys(many) }),
    one: job({ target: "one" }),
  },
});
`;

/** Runs `script` with bash in `cwd` and returns its exit code and stderr. */
async function bash(cwd: string, script: string): Promise<{ code: number; stderr: string }> {
  const output = await new Deno.Command("bash", {
    args: ["-c", script],
    cwd,
    env: baseEnv(),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: output.code, stderr: new TextDecoder().decode(output.stderr) };
}

for (const runtime of ["deno", "node"] as const) {
  Deno.test(`cli ${runtime}: closed pipe starts no dependent task`, async () => {
    const cwd = await makeProject(PIPELINE);
    const cli = cliCommandLineUnder(runtime, ["run", "release"]);
    const { code } = await bash(cwd, `${cli} | head -1 >/dev/null; exit \${PIPESTATUS[0]}`);
    assert.equal(code, 141);
    assert.equal(existsSync(join(cwd, "deployed.txt")), false, "deploy did not run");
    const { record } = await readLatestRecord(cwd);
    const status = Object.fromEntries(record.tasks.map((task) => [task.id, task.status]));
    assert.deepEqual(status, { build: "passed", deploy: "skipped" });
    assert.equal(record.status, "failed");
    assert.match(record.error?.message ?? "", /EPIPE/);
    assert.match(record.error?.message ?? "", /no further task started/);
  });

  Deno.test(`cli ${runtime}: json record into a full closed pipe exits 141`, async () => {
    const cwd = await makeProject(PIPELINE);
    const cli = cliCommandLineUnder(runtime, ["run", "many", "--format", "json"]);
    const { code, stderr } = await bash(
      cwd,
      `${cli} | head -c 100 >/dev/null; exit \${PIPESTATUS[0]}`,
    );
    assert.equal(code, 141);
    const { record, dir } = await readLatestRecord(cwd);
    assert.equal(record.status, "passed");
    assert.ok(stderr.includes(join(dir, "execution.json")), stderr);
    assert.match(stderr, /stdout closed before the whole record was written/);
  });

  Deno.test(`cli ${runtime}: json record into a gone reader exits 141`, async () => {
    const cwd = await makeProject(PIPELINE);
    const cli = cliCommandLineUnder(runtime, ["run", "one", "--format", "json"]);
    const { code, stderr } = await bash(cwd, `${cli} | true; exit \${PIPESTATUS[0]}`);
    assert.equal(code, 141);
    const { dir } = await readLatestRecord(cwd);
    assert.ok(stderr.includes(join(dir, "execution.json")), stderr);
  });
}
