import assert from "node:assert/strict";
import { mkdir, readFile, realpath, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runPipelineCli } from "../cli/run_pipeline_cli.ts";
import { VERSION } from "../core/version.ts";
import { collectDoctorReport, type DoctorReport } from "../node/doctor/report.ts";
import { acquireRunLock } from "../node/lock.ts";
import type { SyncProvider } from "../node/sync/types.ts";
import type { ExecutionRecord } from "../node/types.ts";
import { tempDir } from "./support/temp_files.ts";

const MOD_URL = new URL("../mod.ts", import.meta.url).href;
const PATH = Deno.env.get("PATH") ?? "";

function pipelineSource(tools: string[] = ["sh"]): string {
  return `
import { definePipeline, job, sh, task } from "${MOD_URL}";
export default definePipeline({
  name: "app",
  tasks: {
    build: task({ requires: { tools: ${JSON.stringify(tools)} }, run: sh\`true\` }),
    test: task({ dependsOn: ["build"], requires: { tools: ["sh"] }, run: sh\`true\` }),
  },
  jobs: { verify: job({ target: "test" }) },
});
`;
}

async function project(tools?: string[]): Promise<string> {
  const dir = await realpath(await tempDir());
  await writeFile(join(dir, "pipeline.ts"), pipelineSource(tools));
  return dir;
}

/** Returns the pid of a process that has already exited. */
async function deadPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  return child.pid;
}

async function writeRecord(dir: string, id: string, pid: number): Promise<string> {
  const record: ExecutionRecord = {
    schemaVersion: 1,
    id,
    pipelineName: "app",
    jobId: "verify",
    cwd: dir,
    pid,
    startedAt: "2025-01-02T03:04:05.000Z",
    status: "running",
    mode: "manual",
    tasks: [
      { id: "build", status: "passed", attempts: 1, attemptLog: [], cacheHit: false, meta: {} },
      { id: "test", status: "running", attempts: 1, attemptLog: [], cacheHit: false, meta: {} },
      { id: "lint", status: "pending", attempts: 0, attemptLog: [], cacheHit: false, meta: {} },
    ],
  };
  const runDir = join(dir, ".async", "runs", id);
  await mkdir(runDir, { recursive: true });
  const path = join(runDir, "execution.json");
  await writeFile(path, JSON.stringify(record, null, 2));
  return path;
}

async function doctor(cwd: string, ...args: string[]) {
  const result = await runPipelineCli({
    args: ["doctor", "--format", "json", ...args],
    cwd,
    env: { PATH },
  });
  return { code: result.code, report: JSON.parse(result.stdout) as DoctorReport, result };
}

Deno.test("doctor reports crashed run", async () => {
  const cwd = await project();
  const pid = await deadPid();
  await writeRecord(cwd, "20250102T030405Z-ab12", pid);

  const { code, report } = await doctor(cwd);

  assert.equal(code, 1);
  assert.equal(report.ok, false);
  assert.deepEqual(report.runs, {
    total: 1,
    running: [{
      id: "20250102T030405Z-ab12",
      jobId: "verify",
      pid,
      startedAt: "2025-01-02T03:04:05.000Z",
      crashed: true,
    }],
  });
  assert.deepEqual(report.actions, [{
    check: "runs",
    message:
      `Run 20250102T030405Z-ab12 (job verify) is still marked running, but its process (pid ${pid}) no longer exists.`,
    fix: "async-pipeline doctor --fix-crashed",
  }]);
});

Deno.test("doctor fix-crashed marks run failed", async () => {
  const cwd = await project();
  const pid = await deadPid();
  const path = await writeRecord(cwd, "20250102T030405Z-ab12", pid);

  const { code, report } = await doctor(cwd, "--fix-crashed");

  assert.equal(code, 0);
  assert.equal(report.runs.running[0].fixed, true);
  const record = JSON.parse(await readFile(path, "utf8")) as ExecutionRecord;
  assert.equal(record.status, "failed");
  assert.equal(record.error?.code, "ASYNC_PIPELINE_RUN_CRASHED");
  assert.match(record.error?.message ?? "", new RegExp(`pid ${pid}`));
  assert.ok(record.finishedAt);
  assert.deepEqual(record.tasks.map((task) => task.status), ["passed", "failed", "skipped"]);
  assert.equal(record.tasks[1].error?.code, "ASYNC_PIPELINE_RUN_CRASHED");

  const again = await doctor(cwd);
  assert.equal(again.code, 0);
  assert.deepEqual(again.report.runs, { total: 1, running: [] });
});

Deno.test("doctor keeps live run", async () => {
  const cwd = await project();
  await writeRecord(cwd, "20250102T030405Z-cd34", Deno.pid);

  const { code, report } = await doctor(cwd, "--fix-crashed");

  assert.equal(code, 0);
  assert.equal(report.runs.running[0].crashed, false);
  assert.equal(report.runs.running[0].fixed, undefined);
});

Deno.test("doctor reports live lock", async () => {
  const cwd = await project();
  const lock = await acquireRunLock(cwd, "20250102T030405678Z-ef5678");

  try {
    const { code, report } = await doctor(cwd);

    assert.equal(code, 0);
    assert.deepEqual(report.lock, {
      path: ".async/run.lock",
      state: "held",
      pid: Deno.pid,
      runId: "20250102T030405678Z-ef5678",
      startedAt: lock.info.startedAt,
      hostname: lock.info.hostname,
    });
  } finally {
    await lock.release();
  }
});

Deno.test("doctor names the lock holder's job", async () => {
  const cwd = await project();
  const lock = await acquireRunLock(cwd, "20250102T030405678Z-ef5678", { jobId: "verify" });
  try {
    const { report } = await doctor(cwd);
    assert.equal(report.lock.jobId, "verify");
    const text = await runPipelineCli({ args: ["doctor"], cwd, env: { PATH } });
    assert.match(
      text.stdout,
      new RegExp(
        `\n {2}run lock {4}held by pid ${Deno.pid}, run 20250102T030405678Z-ef5678, job verify \\(alive\\)\n`,
      ),
    );
    const run = await runPipelineCli({ args: ["run", "verify"], cwd, env: { PATH } });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /\(run 20250102T030405678Z-ef5678, job verify\)\.\n/);
  } finally {
    await lock.release();
  }
});

Deno.test("doctor reports dead lock", async () => {
  const cwd = await project();
  const pid = await deadPid();
  await mkdir(join(cwd, ".async"));
  await writeFile(join(cwd, ".async", "run.lock"), `${pid}\n`);

  const { code, report, result } = await doctor(cwd);

  assert.equal(code, 0);
  assert.deepEqual(report.lock, { path: ".async/run.lock", state: "stale", pid });

  const text = await runPipelineCli({ args: ["doctor"], cwd, env: { PATH } });
  assert.match(
    text.stdout,
    new RegExp(`run lock {4}left by pid ${pid}, which no longer exists; the next run reclaims it`),
  );
  assert.equal(result.stderr, "");
});

Deno.test("doctor reports unreadable lock", async () => {
  const cwd = await project();
  await mkdir(join(cwd, ".async"));
  await writeFile(join(cwd, ".async", "run.lock"), "not a lock");

  const { report } = await doctor(cwd);

  assert.deepEqual(report.lock, { path: ".async/run.lock", state: "unreadable" });
});

Deno.test("doctor reports a state path that is a file", async () => {
  const cwd = await project();
  await writeFile(join(cwd, ".async"), "not a directory");

  const { code, report } = await doctor(cwd);

  assert.equal(code, 1);
  assert.equal(report.ok, false);
  assert.deepEqual(report.lock, { path: ".async/run.lock", state: "unreadable", error: "ENOTDIR" });
  const action = report.actions.find((entry) => entry.check === "state");
  assert.match(action?.message ?? "", /^\.async is not a directory, so every run fails/);
  assert.equal(action?.fix, "Move or remove .async. The next run creates it as a directory.");
  const text = await runPipelineCli({ args: ["doctor"], cwd, env: { PATH } });
  assert.match(text.stdout, /run lock {4}\.async\/run\.lock could not be read \(ENOTDIR\)\n/);
});

Deno.test("doctor sums cache size", async () => {
  const cwd = await project();
  const nested = join(cwd, ".async", "cache", "tasks", "ab");
  await mkdir(nested, { recursive: true });
  await writeFile(join(nested, "result.json"), "x".repeat(1000));
  await writeFile(join(cwd, ".async", "cache", "index.json"), "y".repeat(2000));

  const { report } = await doctor(cwd);

  assert.deepEqual(report.cache, { path: ".async/cache", bytes: 3000, files: 2 });
});

Deno.test("doctor reports missing tools", async () => {
  const cwd = await project(["sh", "no-such-tool-anywhere"]);

  const { code, report } = await doctor(cwd);

  assert.equal(code, 1);
  assert.equal(report.tools.length, 2);
  assert.deepEqual(report.tools[0], { name: "no-such-tool-anywhere", tasks: ["build"] });
  assert.equal(report.tools[1].name, "sh");
  assert.deepEqual(report.tools[1].tasks, ["build", "test"]);
  assert.ok(report.tools[1].path?.endsWith("/sh"));
  assert.deepEqual(report.actions, [{
    check: "tools",
    message: 'Tool "no-such-tool-anywhere" is required by build but is not on PATH.',
    fix: "Install no-such-tool-anywhere or add its directory to PATH.",
  }]);
});

Deno.test("doctor reports stale generated files", async () => {
  const cwd = await project();
  const provider = (name: string, enabled: boolean): SyncProvider => ({
    name,
    enabled: () => enabled,
    check: () =>
      Promise.resolve([
        { path: `.github/${name}.yml`, state: "current" },
        { path: `.github/${name}.lock.json`, state: "stale", diff: "hash differs" },
      ]),
    generate: () => Promise.reject(new Error("doctor must not generate")),
  });

  const report = await collectDoctorReport({
    cwd,
    env: { PATH },
    syncProviders: [provider("github", true), provider("tasks", false)],
  });

  assert.equal(report.ok, false);
  assert.deepEqual(report.generated, [
    { provider: "github", path: ".github/github.yml", state: "current" },
    {
      provider: "github",
      path: ".github/github.lock.json",
      state: "stale",
      detail: "hash differs",
    },
  ]);
  assert.deepEqual(report.actions, [{
    check: "generated",
    message: "Generated files are not current: .github/github.lock.json (stale).",
    fix: "async-pipeline sync generate",
  }]);
});

Deno.test("doctor reports pipeline load failure", async () => {
  const cwd = await realpath(await tempDir());

  const { code, report } = await doctor(cwd);

  assert.equal(code, 1);
  assert.equal(
    "error" in report.pipeline && report.pipeline.error.code,
    "ASYNC_PIPELINE_CONFIG_NOT_FOUND",
  );
  assert.equal(report.actions[0].check, "pipeline");
  assert.equal(report.projectDir, cwd);
});

Deno.test("doctor text output", async () => {
  const cwd = await project();
  const { versions } = (await doctor(cwd)).report;

  const result = await runPipelineCli({ args: ["doctor"], cwd, env: { PATH } });

  assert.equal(result.code, 0);
  assert.equal(
    result.stdout,
    [
      "async-pipeline doctor",
      "",
      `  package     @async/pipeline ${VERSION}`,
      `  runtime     deno ${Deno.version.deno} (${versions.platform} ${versions.arch})`,
      "  pipeline    app (pipeline.ts)",
      "  run lock    free",
      "  runs        0 recorded",
      "  cache       0 B in 0 files (.async/cache)",
      "  generated   none configured",
      "  tools       found sh",
      "",
      "Nothing needs action.",
      "",
    ].join("\n"),
  );
});

Deno.test("doctor text marks checks skipped without a pipeline", async () => {
  const cwd = await realpath(await tempDir());
  await writeFile(
    join(cwd, "pipeline.ts"),
    pipelineSource().replace(
      "run: sh`true` }),\n    test",
      'timout: "1s", run: sh`true` }),\n    test',
    ),
  );

  const result = await runPipelineCli({ args: ["doctor"], cwd, env: { PATH } });

  assert.equal(result.code, 1);
  assert.match(result.stdout, /\n {2}pipeline {4}not loaded: ASYNC_PIPELINE_UNKNOWN_FIELD\n/);
  assert.match(result.stdout, /\n {2}generated {3}skipped: the pipeline did not load\n/);
  assert.match(result.stdout, /\n {2}tools {7}skipped: the pipeline did not load\n/);
  assert.doesNotMatch(result.stdout, /none configured|none required/);
});

Deno.test("doctor rejects unknown options", async () => {
  const cwd = await project();

  const result = await runPipelineCli({ args: ["doctor", "--fix"], cwd, env: { PATH } });

  assert.equal(result.code, 1);
  assert.match(result.stderr, /^error\[ASYNC_PIPELINE_USAGE\]: doctor: /);
});

Deno.test("doctor checks task sync files", async () => {
  const cwd = await realpath(await tempDir());
  await writeFile(
    join(cwd, "pipeline.ts"),
    pipelineSource().replace('name: "app",', 'name: "app",\n  sync: { tasks: true },'),
  );
  await writeFile(join(cwd, "package.json"), JSON.stringify({ name: "app", scripts: {} }));

  const before = await doctor(cwd);
  assert.equal(before.code, 1);
  assert.ok(before.report.generated.length > 0);
  assert.ok(before.report.generated.some((file) => file.state !== "current"));
  assert.ok(before.report.generated.every((file) => file.provider === "tasks"));
  assert.equal(before.report.actions[0].check, "generated");

  const generate = await runPipelineCli({ args: ["sync", "generate"], cwd, env: { PATH } });
  assert.equal(generate.code, 0, generate.stderr);

  const after = await doctor(cwd);
  assert.equal(after.code, 0);
  assert.ok(after.report.generated.every((file) => file.state === "current"));
});
