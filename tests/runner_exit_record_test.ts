import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  baseEnv,
  cliCommandLineUnder,
  makeProject,
  readLatestRecord,
  readRunFiles,
  runCliUnder,
} from "./support/projects.ts";

const TOKEN = "exit-hook-s3cr3t";

// `quits` exits the process once the shell step of `sib` has printed and is
// sleeping, so both tasks are running. EXIT_WITH=deno calls Deno.exit
// instead, BIG adds that many bytes of metadata to the record, and
// BREAK_LOGS replaces the run's logs directory with a file first.
const PIPELINE = `import { definePipeline, env, job, sh, task } from "@mod";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function quit(ctx, code) {
  while (!existsSync("sib.started")) await wait(20);
  await wait(500);
  if (ctx.env.BREAK_LOGS) {
    const logs = join(ctx.root.dir, ".async/runs", ctx.runId, "logs");
    rmSync(logs, { recursive: true, force: true });
    writeFileSync(logs, "");
  }
  if (ctx.env.EXIT_WITH === "deno") Deno.exit(code);
  process.exit(code);
}

export default definePipeline({
  name: "exit",
  tasks: {
    quits: task({
      cache: false,
      run: async (ctx) => {
        console.log("quits says " + ctx.env.TOKEN);
        ctx.meta({ token: ctx.env.TOKEN, big: "x".repeat(Number(ctx.env.BIG ?? "0")) });
        await quit(ctx, 3);
      },
    }),
    sib: task({
      cache: false,
      run: sh\`echo "sib says $TOKEN"; echo sib err >&2; touch sib.started; sleep 5\`,
    }),
    after: task({ cache: false, dependsOn: ["quits"], run: () => {} }),
    retried: task({
      cache: false,
      retry: 3,
      run: async (ctx) => {
        if (!existsSync("tried")) {
          writeFileSync("tried", "");
          throw new Error("first attempt fails");
        }
        await quit(ctx, 4);
      },
    }),
  },
  jobs: {
    j: job({ target: ["quits", "sib", "after"], env: { TOKEN: env.secret("TOKEN") } }),
    retry: job({ target: ["retried", "sib"], env: { TOKEN: env.secret("TOKEN") } }),
  },
});
`;

const RUNTIMES = ["deno", "node"] as const;

function exitEnv(runtime: "deno" | "node", extra: Record<string, string> = {}) {
  return { TOKEN, ...(runtime === "deno" ? { EXIT_WITH: "deno" } : {}), ...extra };
}

for (const runtime of RUNTIMES) {
  Deno.test(`exit call prints record as json (${runtime})`, async () => {
    const cwd = await makeProject(PIPELINE);
    const result = await runCliUnder(
      runtime,
      cwd,
      ["run", "j", "--concurrency", "2", "--format", "json"],
      exitEnv(runtime),
    );
    assert.equal(result.code, 3, result.stderr);
    const { dir } = await readLatestRecord(cwd);
    assert.equal(result.stdout, await readFile(join(dir, "execution.json"), "utf8"));
    assert.equal(JSON.parse(result.stdout).status, "failed");
  });

  Deno.test(`exit call records running attempts (${runtime})`, async () => {
    const cwd = await makeProject(PIPELINE);
    await runCliUnder(runtime, cwd, ["run", "j", "--concurrency", "2"], exitEnv(runtime));
    const { record } = await readLatestRecord(cwd);
    for (const id of ["quits", "sib"]) {
      const task = record.tasks.find((entry) => entry.id === id)!;
      assert.equal(task.attempts, 1, id);
      assert.equal(task.attemptLog.length, 1, id);
      const [attempt] = task.attemptLog;
      assert.equal(attempt.attempt, 1);
      assert.ok(Date.parse(attempt.startedAt) >= Date.parse(task.startedAt!), id);
      assert.equal(attempt.finishedAt, task.finishedAt);
      assert.equal(
        attempt.durationMs,
        Date.parse(attempt.finishedAt) - Date.parse(attempt.startedAt),
      );
      assert.equal("exitCode" in attempt, false, id);
      assert.equal(attempt.error, task.error?.message);
    }
  });

  Deno.test(`exit call stores masked logs (${runtime})`, async () => {
    const cwd = await makeProject(PIPELINE);
    await runCliUnder(runtime, cwd, ["run", "j", "--concurrency", "2"], exitEnv(runtime));
    const { record, dir } = await readLatestRecord(cwd);
    const quits = record.tasks.find((entry) => entry.id === "quits")!;
    const sib = record.tasks.find((entry) => entry.id === "sib")!;
    assert.deepEqual(quits.logs, { stdout: "logs/quits.stdout.log" });
    assert.deepEqual(sib.logs, { stdout: "logs/sib.stdout.log", stderr: "logs/sib.stderr.log" });
    assert.equal(await readFile(join(dir, quits.logs.stdout!), "utf8"), "quits says ***\n");
    assert.equal(await readFile(join(dir, sib.logs.stdout!), "utf8"), "sib says ***\n");
    assert.equal(await readFile(join(dir, sib.logs.stderr!), "utf8"), "sib err\n");
  });

  Deno.test(`exit call output masks secrets (${runtime})`, async () => {
    const cwd = await makeProject(PIPELINE);
    const result = await runCliUnder(
      runtime,
      cwd,
      ["run", "j", "--concurrency", "2", "--format", "json"],
      exitEnv(runtime),
    );
    assert.equal(
      JSON.parse(result.stdout).tasks.find((task: { id: string }) => task.id === "quits")
        .meta.token,
      "***",
    );
    assert.equal(result.stdout.includes(TOKEN), false);
    assert.equal(result.stderr.includes(TOKEN), false);
    const { dir } = await readLatestRecord(cwd);
    assert.equal((await readRunFiles(dir)).includes(TOKEN), false);
  });
}

Deno.test("exit record survives slow pipe", async () => {
  const cwd = await makeProject(PIPELINE);
  const command =
    `${cliCommandLineUnder("node", ["run", "j", "--concurrency", "2", "--format", "json"])} | ` +
    "(sleep 1; cat > out.json)";
  const output = await new Deno.Command("sh", {
    args: ["-c", command],
    cwd,
    env: baseEnv(exitEnv("node", { BIG: "300000" })),
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(output.success, true, new TextDecoder().decode(output.stderr));
  assert.doesNotMatch(new TextDecoder().decode(output.stderr), /incomplete/);
  const printed = await readFile(join(cwd, "out.json"), "utf8");
  const { dir } = await readLatestRecord(cwd);
  assert.ok(printed.length > 300_000, `printed ${printed.length} characters`);
  assert.equal(printed, await readFile(join(dir, "execution.json"), "utf8"));
});

Deno.test("exit record warns on stalled pipe", async () => {
  const cwd = await makeProject(PIPELINE);
  // The reader reads nothing and keeps the pipe open until the CLI ended, so
  // the CLI's write gives up after its stall limit.
  const cli = cliCommandLineUnder("node", ["run", "j", "--concurrency", "2", "--format", "json"]);
  const command = `{ ${cli}; touch cli.done; } | ` +
    "(while [ ! -f cli.done ]; do sleep 0.2; done)";
  const output = await new Deno.Command("sh", {
    args: ["-c", command],
    cwd,
    env: baseEnv(exitEnv("node", { BIG: "3000000" })),
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  const { dir } = await readLatestRecord(cwd);
  const lines = stderr.split("\n").filter((line) => line.startsWith("warning:"));
  assert.deepEqual(lines, [
    "warning: the record on stdout is incomplete, because its reader took nothing for 10 " +
    `seconds. The whole record: ${join(dir, "execution.json")}`,
  ]);
});

Deno.test("exit call warns on unwritable logs", async () => {
  const cwd = await makeProject(PIPELINE);
  const result = await runCliUnder(
    "node",
    cwd,
    ["run", "j", "--concurrency", "2", "--format", "json"],
    exitEnv("node", { BREAK_LOGS: "1" }),
  );
  const { record, dir } = await readLatestRecord(cwd);
  assert.equal(result.stdout, await readFile(join(dir, "execution.json"), "utf8"));
  for (const id of ["quits", "sib"]) {
    const task = record.tasks.find((entry) => entry.id === id)!;
    assert.equal(task.logs, undefined, id);
    assert.equal(task.warnings?.length, 1, id);
    assert.match(
      task.warnings?.[0] ?? "",
      /^The task's logs could not be written when the process exited: .*ENOTDIR/,
    );
  }
});

for (const runtime of ["deno", "node"] as const) {
  Deno.test(`exit log warning names the log file (${runtime})`, async () => {
    const cwd = await makeProject(PIPELINE);
    await runCliUnder(
      runtime,
      cwd,
      ["run", "j", "--concurrency", "2"],
      exitEnv(runtime, { BREAK_LOGS: "1" }),
    );
    const { record, dir } = await readLatestRecord(cwd);
    const warning = record.tasks.find((entry) => entry.id === "quits")?.warnings?.[0] ?? "";
    assert.ok(warning.includes(`${join(dir, "logs", "quits.stdout.log")}'`), warning);
    assert.doesNotMatch(warning, /\.tmp/);
  });
}

Deno.test("exit call in retry keeps attempts", async () => {
  const cwd = await makeProject(PIPELINE);
  const result = await runCliUnder(
    "node",
    cwd,
    ["run", "retry", "--concurrency", "2"],
    exitEnv("node"),
  );
  assert.equal(result.code, 4, result.stderr);
  const { record } = await readLatestRecord(cwd);
  const task = record.tasks.find((entry) => entry.id === "retried")!;
  assert.equal(task.attempts, 2);
  assert.deepEqual(task.attemptLog.map((attempt) => attempt.attempt), [1, 2]);
  assert.match(task.attemptLog[0].error ?? "", /first attempt fails/);
  assert.match(task.attemptLog[1].error ?? "", /its step code called process\.exit\(4\)/);
});

Deno.test("exit call prints no text record", async () => {
  const cwd = await makeProject(PIPELINE);
  const result = await runCliUnder(
    "node",
    cwd,
    ["run", "j", "--concurrency", "2"],
    exitEnv("node"),
  );
  assert.equal(result.code, 3);
  assert.equal(result.stdout.includes('"schemaVersion"'), false, result.stdout);
  assert.equal(existsSync(join(cwd, "sib.started")), true);
});

Deno.test("json record of a finished run survives slow pipe", async () => {
  const cwd = await makeProject(`import { definePipeline, job, task } from "@mod";
export default definePipeline({
  name: "big",
  tasks: { big: task({ cache: false, run: async (ctx) => { ctx.meta({ blob: "x".repeat(300000) }); } }) },
  jobs: { j: job({ target: "big" }) },
});
`);
  const command = `${cliCommandLineUnder("node", ["run", "j", "--format", "json"])} | ` +
    "(sleep 2; cat > out.json)";
  const output = await new Deno.Command("sh", {
    args: ["-c", command],
    cwd,
    env: baseEnv(),
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(output.success, true, new TextDecoder().decode(output.stderr));
  const printed = await readFile(join(cwd, "out.json"), "utf8");
  const { dir } = await readLatestRecord(cwd);
  assert.ok(printed.length > 300_000, `printed ${printed.length} characters`);
  assert.equal(printed, await readFile(join(dir, "execution.json"), "utf8"));
});
