/** The CLI side of dry runs and miss reasons: `--dry-run`, the run summary and the text renderers. */

import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isReportedMiss, missSummary } from "../cli/presenters/miss.ts";
import { renderPlan } from "../cli/presenters/plan.ts";
import { styles, textPresenter } from "../cli/presenters/text.ts";
import { BufferSink } from "../cli/io.ts";
import type { JobPlan, PlannedTask } from "../node/mod.ts";
import type { CacheMissReason, ExecutionRecord, TaskResult } from "../node/types.ts";
import { makeProject, writeFiles } from "./cache_fixture.ts";
import { cli, MOD_URL } from "./helpers/cli.ts";
import { baseEnv, spawnCli, waitFor } from "./support/projects.ts";

const PIPELINE = `
import { definePipeline, env, job, sh, task } from "${MOD_URL}";

export default definePipeline({
  name: "cli-dry",
  cache: "file:local",
  env: { MODE: env.var("MODE", { default: "dev" }) },
  tasks: {
    build: task({ inputs: ["src/**"], outputs: ["dist/**"] }, sh\`mkdir -p dist && cp src/* dist/\`),
    test: task({ dependsOn: ["build"], inputs: ["test/**"] }, sh\`echo testing\`),
    notify: task({ dependsOn: ["test"], cache: false }, sh\`echo done\`),
  },
  jobs: { verify: job({ target: "notify" }) },
});
`;

async function cliProject(): Promise<string> {
  const dir = await makeProject({
    "src/a.ts": "a\n",
    "src/b.ts": "b\n",
    "src/c.ts": "c\n",
    "test/t.txt": "t\n",
  });
  await writeFile(join(dir, "pipeline.ts"), PIPELINE);
  return dir;
}

Deno.test("run summary lists miss reasons", async () => {
  const dir = await cliProject();
  const env = baseEnv();
  const first = await cli(dir, ["run", "verify"], env);
  assert.equal(first.code, 0, first.stderr);
  assert.match(
    first.stdout,
    /\nCache misses:\n {2}build: no cache entry\n {2}test: no cache entry\n {2}`async-pipeline explain <task>` prints the full reason\.\nverify passed/,
  );

  await writeFiles(dir, { "src/a.ts": "a2\n", "src/b.ts": "b2\n", "src/d.ts": "d\n" });
  const second = await cli(dir, ["run", "verify"], env);
  assert.match(
    second.stdout,
    /\nCache misses:\n {2}build: input changed: src\/a\.ts \(\+2 more\)\n {2}test: dependency changed: build\n/,
  );
  assert.doesNotMatch(second.stdout, /notify: /);

  const warm = await cli(dir, ["run", "verify"], env);
  assert.doesNotMatch(warm.stdout, /Cache misses:/);
});

Deno.test("run --dry-run prints the plan", async () => {
  const dir = await cliProject();
  const env = baseEnv();
  await cli(dir, ["run", "verify"], env);
  await writeFiles(dir, { "test/t.txt": "t2\n" });

  const dry = await cli(dir, ["run", "verify", "--dry-run"], env);
  assert.equal(dry.code, 0, dry.stderr);
  const json = await cli(dir, ["run", "verify", "--dry-run", "--format", "json"], env);
  const plan = JSON.parse(json.stdout) as JobPlan;
  const [build, test] = plan.tasks;
  assert.equal(
    dry.stdout,
    [
      "Dry run of verify (3 tasks in execution order; nothing runs)",
      "● build cache hit",
      `    key ${build.cacheKey?.slice(0, 12)}`,
      "▶ test cache miss: input changed: test/t.txt",
      `    after build, key ${test.cacheKey?.slice(0, 12)}`,
      "▶ notify would run: not cached",
      "    after test",
      "env: MODE=dev",
      "verify: 2 would run, 1 from the cache",
      "",
    ].join("\n"),
  );
  assert.equal(plan.jobId, "verify");
  assert.match(build.cacheKey ?? "", /^[0-9a-f]{64}$/);

  const record = JSON.parse((await cli(dir, ["run", "verify", "--format", "json"], env)).stdout);
  const results = record.tasks as TaskResult[];
  assert.deepEqual(results.map((result) => result.cacheHit), [true, false, false]);
  assert.equal(results[1].cacheKey, test.cacheKey);
});

Deno.test("run-task --dry-run plans one task", async () => {
  const dir = await cliProject();
  const result = await cli(dir, ["run-task", "test", "--dry-run", "--format", "json"], baseEnv());
  assert.equal(result.code, 0, result.stderr);
  const plan = JSON.parse(result.stdout) as JobPlan;
  assert.equal(plan.jobId, "task:test");
  assert.deepEqual(plan.tasks.map((task) => task.id), ["build", "test"]);
  assert.deepEqual(plan.tasks.map((task) => task.cacheMiss), [
    { kind: "no-entry" },
    { kind: "no-entry" },
  ]);
  const text = await cli(dir, ["run-task", "test", "--dry-run"], baseEnv());
  assert.match(text.stdout, /^Dry run of task test \(2 tasks in execution order; nothing runs\)\n/);
});

Deno.test("missSummary covers every reason", () => {
  const changed = (changes: Partial<Extract<CacheMissReason, { kind: "changed" }>>) => ({
    kind: "changed" as const,
    inputs: { added: [], removed: [], changed: [] },
    env: [],
    dependencies: [],
    command: false,
    definition: false,
    ...changes,
  });
  const cases: [CacheMissReason, string][] = [
    [{ kind: "no-entry" }, "no cache entry"],
    [{ kind: "forced" }, "forced to run"],
    [
      { kind: "expired", createdAt: "", ageMs: 7_500_000, ttlMs: 3_600_000 },
      "cache entry expired (2h 05m old, ttl 1h 00m)",
    ],
    [{ kind: "uncacheable" }, "not cached"],
    [{ kind: "uncacheable", store: "redis" }, 'cache store "redis" is not built in'],
    [{ kind: "uncacheable", reason: "EACCES" }, "inputs could not be read: EACCES"],
    [
      { kind: "uncacheable", file: ".async/cache/secret.key", reason: "EISDIR" },
      ".async/cache/secret.key could not be read: EISDIR",
    ],
    [
      { kind: "restore-failed", reason: "outputs.json is missing" },
      "restore failed: outputs.json is missing",
    ],
    [
      { kind: "restore-failed", reason: "src/a.js changed", changedOutput: "src/a.js" },
      "output changed since the cache wrote it: src/a.js",
    ],
    [changed({ inputs: { added: ["x"], removed: [], changed: [] } }), "input added: x"],
    [
      changed({ inputs: { added: [], removed: ["y", "z"], changed: [] } }),
      "input removed: y (+1 more)",
    ],
    [
      changed({ env: ["A", "B"], dependencies: ["lib", "ui"], command: true, definition: true }),
      "env changed: A, B, dependencies changed: lib, ui, command changed, definition changed",
    ],
    [changed({}), "key changed"],
  ];
  for (const [reason, expected] of cases) assert.equal(missSummary(reason), expected);
});

function result(overrides: Partial<TaskResult>): TaskResult {
  return {
    id: "t",
    status: "passed",
    attempts: 1,
    attemptLog: [],
    cacheHit: false,
    meta: {},
    ...overrides,
  };
}

Deno.test("isReportedMiss skips uncached and idle tasks", () => {
  assert.equal(isReportedMiss(result({ cacheMiss: { kind: "no-entry" } })), true);
  assert.equal(isReportedMiss(result({ status: "failed", cacheMiss: { kind: "forced" } })), true);
  assert.equal(isReportedMiss(result({ cacheMiss: { kind: "uncacheable" } })), false);
  assert.equal(isReportedMiss(result({ cacheMiss: { kind: "uncacheable", store: "r" } })), true);
  assert.equal(
    isReportedMiss(result({ status: "skipped", cacheMiss: { kind: "no-entry" } })),
    false,
  );
  assert.equal(isReportedMiss(result({ cacheHit: true })), false);
  assert.equal(isReportedMiss(result({})), false);
});

Deno.test("textPresenter summary shows one line per miss", () => {
  const sink = new BufferSink();
  const record: ExecutionRecord = {
    schemaVersion: 1,
    id: "r",
    pipelineName: "p",
    jobId: "verify",
    cwd: "/project",
    pid: 1,
    startedAt: "",
    status: "passed",
    mode: "manual",
    tasks: [
      result({ id: "build", cacheMiss: { kind: "forced" } }),
      result({ id: "deploy", cacheMiss: { kind: "uncacheable" } }),
    ],
  };
  textPresenter(sink, { color: false, cwd: "/project" })({
    type: "run-finished",
    record,
    recordPath: "/project/.async/runs/r/execution.json",
    durationMs: 10,
  });
  assert.equal(
    sink.text(),
    [
      "",
      "Cache misses:",
      "  build: forced to run",
      "  `async-pipeline explain <task>` prints the full reason.",
      "verify passed in 10ms: 2 passed, 0 cached, 0 failed, 0 skipped",
      "record: .async/runs/r/execution.json",
      "",
    ].join("\n"),
  );
});

Deno.test("renderPlan shows every outcome", () => {
  const task = (overrides: Partial<PlannedTask>): PlannedTask => ({
    id: "t",
    dependsOn: [],
    cacheHit: false,
    certain: true,
    ...overrides,
  });
  const plan: JobPlan = {
    schemaVersion: 1,
    pipelineName: "p",
    jobId: "task:app",
    cwd: "/project",
    mode: "manual",
    executor: "host",
    force: false,
    env: [{ name: "TOKEN", kind: "secret" }, { name: "MODE", kind: "literal", value: "ci" }],
    tasks: [
      task({ id: "lib", cacheHit: true, certain: false, note: "maybe" }),
      task({
        id: "gen",
        error: { code: "ASYNC_PIPELINE_MISSING_VAR", message: "MODE is not set." },
      }),
      task({ id: "app", dependsOn: ["gen"], skipped: true, note: 'dependency "gen" would fail' }),
      task({ id: "api", cacheMiss: { kind: "uncacheable", store: "redis" }, warnings: ["w"] }),
    ],
    activeRun: { pid: 42, runId: "20250102T030405678Z-9f3a1c", startedAt: "then" },
    warnings: ["tools were not checked"],
  };
  assert.equal(
    renderPlan(plan, styles(false)),
    [
      "Dry run of task app (4 tasks in execution order; nothing runs)",
      "● lib cache hit (uncertain)",
      "    note: maybe",
      "✗ gen would fail: MODE is not set.",
      "○ app would be skipped",
      "    after gen",
      '    note: dependency "gen" would fail',
      '▶ api would run: cache store "redis" is not built in',
      "    warning: w",
      "env: TOKEN (secret), MODE=ci",
      "warning: tools were not checked",
      "note: run 20250102T030405678Z-9f3a1c (pid 42, started then) holds the run lock; " +
      "what it changes before this job runs may change this plan.",
      "task:app: 1 would run, 1 from the cache, 1 would fail, 1 would be skipped",
      "",
    ].join("\n"),
  );
});

Deno.test("dry run beside a run holding the lock", async () => {
  const dir = await cliProject();
  await writeFiles(dir, {
    "hold.pipeline.ts": `
import { definePipeline, job, sh, task } from "${MOD_URL}";
export default definePipeline({
  name: "hold",
  tasks: { hold: task({}, sh\`while [ ! -f release ]; do sleep 0.05; done\`) },
  jobs: { hold: job({ target: "hold" }) },
});
`,
  });
  const lockPath = join(dir, ".async/run.lock");
  const running = spawnCli(dir, ["run", "hold", "--config", "hold.pipeline.ts"]);
  try {
    const lockWritten = () =>
      readFile(lockPath, "utf8").then((text) => text.endsWith("}\n"), () => false);
    await waitFor("the run lock", lockWritten);
    const lock = JSON.parse(await readFile(lockPath, "utf8"));
    const dry = await cli(dir, ["run", "verify", "--dry-run"], baseEnv());
    assert.equal(dry.code, 0, dry.stderr);
    assert.ok(
      dry.stdout.includes(
        `note: run ${lock.runId} (pid ${lock.pid}, started ${lock.startedAt}) holds the run lock`,
      ),
    );
    assert.equal(await readFile(lockPath, "utf8"), JSON.stringify(lock, null, 2) + "\n");
  } finally {
    await writeFile(join(dir, "release"), "");
    assert.equal((await running.output()).code, 0);
  }
});
