import assert from "node:assert/strict";
import { realpath, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runPipelineCli } from "../mod.ts";
import type { ExecutionRecord } from "../node/types.ts";
import { waitFor } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

const MOD_URL = new URL("../mod.ts", import.meta.url).href;
const PATH = Deno.env.get("PATH") ?? "";

const PIPELINE = `
import { command, definePipeline, job, sh, task } from "${MOD_URL}";

export default definePipeline({
  name: "app",
  commands: command.policy({
    rules: [
      command.rule({ exact: ["async-pipeline", "run", "mocked"], action: command.mock({ code: 0 }) }),
    ],
  }),
  tasks: {
    slow: task({ run: sh\`touch started.txt; sleep 30\` }),
    quick: task({ run: sh\`true\` }),
  },
  jobs: { slow: job({ target: "slow" }), quick: job({ target: "quick" }) },
});
`;

async function project(): Promise<string> {
  const dir = await realpath(await tempDir());
  await writeFile(join(dir, "pipeline.ts"), PIPELINE);
  return dir;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("runPipelineCli abort during a run returns 130", async () => {
  const cwd = await project();
  const controller = new AbortController();

  const pending = runPipelineCli({
    args: ["run", "slow", "--format", "json"],
    cwd,
    env: { PATH },
    signal: controller.signal,
  });
  await waitFor("the slow task to start", () => exists(join(cwd, "started.txt")), 20_000);
  controller.abort();
  const result = await pending;

  assert.equal(result.code, 130);
  const record = JSON.parse(result.stdout) as ExecutionRecord;
  assert.equal(record.status, "failed");
  assert.equal(record.error?.code, "ASYNC_PIPELINE_INTERRUPTED");
  assert.equal(record.tasks[0].error?.code, "ASYNC_PIPELINE_INTERRUPTED");
});

Deno.test("runPipelineCli with an aborted signal returns 130", async () => {
  const cwd = await project();

  const result = await runPipelineCli({
    args: ["run", "quick"],
    cwd,
    env: { PATH },
    signal: AbortSignal.abort(),
  });

  assert.equal(result.code, 130);
  assert.match(result.stdout, /quick/);
});

Deno.test("runPipelineCli without an abort keeps the run's code", async () => {
  const cwd = await project();

  const result = await runPipelineCli({
    args: ["run", "quick"],
    cwd,
    env: { PATH },
    signal: new AbortController().signal,
  });

  assert.equal(result.code, 0, result.stderr);
});

Deno.test("runPipelineCli mock ignores an aborted signal", async () => {
  const cwd = await project();

  const result = await runPipelineCli({
    args: ["run", "mocked"],
    cwd,
    env: { PATH },
    signal: AbortSignal.abort(),
  });

  assert.equal(result.code, 0);
});
