/** Sandbox work that the watchdog stops when the runner is killed with SIGKILL. */

import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { clientScript } from "../node/sandbox/cleanup.ts";
import { hasContent, isAlive, REPO_DIR, waitFor } from "./support/projects.ts";
import { standInProject, type StandIns } from "./support/standins.ts";

const DENO = join(REPO_DIR, "node_modules/.bin/deno");
const NODE = join(REPO_DIR, "node_modules/.bin/node");
const MOD_URL = new URL("../mod.ts", import.meta.url).href;
const RUN_JOB_URL = new URL("../node/runner/run_job.ts", import.meta.url).href;

/** Kills the process group of `pid` if a test left it running. */
function stopGroup(pid: number): void {
  try {
    const group = Number(
      execFileSync("ps", ["-o", "pgid=", "-p", String(pid)], { encoding: "utf8" }),
    );
    process.kill(-group, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/**
 * Starts a runner that runs a long sandboxed step, waits until the step
 * wrote its pid, kills the runner with SIGKILL and returns the step's pid.
 */
async function killRunnerMidStep(
  project: string,
  standIns: StandIns,
  sandbox: "docker" | "lima",
  runtime: "deno" | "node" = "deno",
): Promise<number> {
  const pidFile = join(project, "step.pid");
  const script = join(project, "runner.ts");
  await writeFile(
    script,
    `import { definePipeline, job, sandbox, sh, task } from ${JSON.stringify(MOD_URL)};
import { runJob } from ${JSON.stringify(RUN_JOB_URL)};
const pipeline = definePipeline({
  name: "orphans",
  sandboxes: {
    docker: sandbox.docker({ image: "node:24" }),
    lima: sandbox.lima({ vm: "async-pipeline" }),
  },
  tasks: { long: task({ cache: false, run: sh\`echo $$ > step.pid.tmp; mv step.pid.tmp step.pid; sleep 60\` }) },
  jobs: { long: job({ target: "long" }) },
});
await runJob(pipeline, {
  id: "long",
  cwd: ${JSON.stringify(project)},
  env: ${JSON.stringify(standIns.env({ DEPLOY_TOKEN: "kept-in-the-container" }))},
  sandbox: ${JSON.stringify(sandbox)},
});
`,
  );
  const [file, args] = runtime === "deno"
    ? [DENO, ["run", "-A", "--config", join(REPO_DIR, "deno.json"), script]]
    : [NODE, [script]];
  const runner = spawn(file, args, { stdio: ["ignore", "ignore", "inherit"] });
  await waitFor("the step's pid file", () => hasContent(pidFile));
  const exited = new Promise((resolve) => runner.on("close", resolve));
  runner.kill("SIGKILL");
  await exited;
  return Number(await readFile(pidFile, "utf8"));
}

for (const runtime of ["deno", "node"] as const) {
  Deno.test(`killed runner stops its container (${runtime})`, async () => {
    const { project, standIns } = await standInProject();

    const step = await killRunnerMidStep(project, standIns, "docker", runtime);

    try {
      await waitFor("the container to stop", () => !isAlive(step));
      const calls = await standIns.calls();
      const run = calls.find((call) => call.argv[0] === "run");
      assert.ok(run, "docker run was called");
      const kills = calls.filter((call) => call.argv[0] === "kill").map((call) => call.argv);
      assert.deepEqual(kills, [["kill", run.argv[3]]]);
    } finally {
      stopGroup(step);
    }
  });
}

Deno.test("killed runner stops its Lima step", async () => {
  const { project, standIns } = await standInProject();

  const step = await killRunnerMidStep(project, standIns, "lima");

  try {
    await waitFor("the Lima step to stop", () => !isAlive(step));
    const shells = (await standIns.calls()).filter((call) => call.argv[0] === "shell");
    const pidFile = shells.find((call) => call.argv[1] === "--workdir" && call.argv.length === 10)
      ?.argv[8];
    assert.ok(pidFile, "the step ran with a pid file");
    const kill = shells.at(-1)!;
    assert.deepEqual(kill.argv.slice(0, 4), ["shell", "async-pipeline", "sh", "-c"]);
    assert.deepEqual(kill.argv.slice(5), ["sh", pidFile]);
  } finally {
    stopGroup(step);
  }
});

Deno.test("clean-up script exports client variables only", () => {
  const script = clientScript(["docker", "kill", "async-pipeline-x-1"], {
    PATH: "/usr/bin",
    HOME: "/home/it's",
    DOCKER_HOST: "unix:///run/docker.sock",
    DEPLOY_TOKEN: "secret-value",
    GITHUB_TOKEN: "ghs-value",
  });

  assert.equal(
    script,
    "export DOCKER_HOST=unix:///run/docker.sock HOME='/home/it'\\''s' PATH=/usr/bin; exec docker kill async-pipeline-x-1",
  );
});
