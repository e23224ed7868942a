import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { command, definePipeline, job, sh, task } from "../mod.ts";
import type { TaskContext } from "../mod.ts";
import { runJob } from "../node/mod.ts";
import { baseEnv } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

async function project(): Promise<string> {
  return await tempDir("async-pipeline-steps-");
}

async function git(cwd: string, ...args: string[]): Promise<string> {
  const output = await new Deno.Command("git", { args, cwd, stderr: "inherit" }).output();
  assert.equal(output.code, 0, `git ${args.join(" ")}`);
  return new TextDecoder().decode(output.stdout).trim();
}

async function gitProject(): Promise<string> {
  const cwd = await project();
  await git(cwd, "init", "-q", "-b", "main");
  await git(cwd, "config", "user.email", "test@example.com");
  await git(cwd, "config", "user.name", "Test");
  await writeFile(join(cwd, ".gitignore"), ".async/\n");
  await writeFile(join(cwd, "file.txt"), "one\n");
  await git(cwd, "add", ".");
  await git(cwd, "commit", "-q", "-m", "first");
  return cwd;
}

function captureContext(seen: TaskContext[]) {
  return definePipeline({
    name: "ctx",
    tasks: {
      inspect: task({
        run: (ctx) => {
          seen.push(ctx);
          ctx.log("from the function step");
          ctx.meta({ checked: true });
        },
      }),
    },
    jobs: { inspect: job({ target: "inspect" }) },
  });
}

Deno.test("function steps get the full context", async () => {
  const cwd = await gitProject();
  const seen: TaskContext[] = [];
  const env = { ...baseEnv(), EXTRA: "yes" };
  const record = await runJob(captureContext(seen), { id: "inspect", cwd, env });
  assert.equal(record.status, "passed");
  const [ctx] = seen;
  assert.equal(ctx.taskId, "inspect");
  assert.equal(ctx.runId, record.id);
  assert.equal(ctx.cwd, cwd);
  assert.equal(ctx.root.dir, cwd);
  assert.equal(ctx.env.EXTRA, "yes");
  assert.ok(Object.isFrozen(ctx.env));
  assert.equal(ctx.candidate.dir, cwd);
  assert.match(ctx.candidate.fingerprint, /^[0-9a-f]{64}$/);
  assert.deepEqual(ctx.candidate.git, {
    commit: await git(cwd, "rev-parse", "HEAD"),
    branch: "main",
    dirty: false,
  });
  assert.equal(ctx.source, undefined);
  assert.equal(typeof ctx.sh, "function");
  assert.deepEqual(record.tasks[0].meta, { checked: true });
  const log = await readFile(
    join(cwd, ".async/runs", record.id, record.tasks[0].logs!.stdout!),
    "utf8",
  );
  assert.equal(log, "from the function step\n");
});

Deno.test("candidate fingerprint follows local changes", async () => {
  const cwd = await gitProject();
  const seen: TaskContext[] = [];
  const pipeline = captureContext(seen);
  await runJob(pipeline, { id: "inspect", cwd, env: baseEnv() });
  await writeFile(join(cwd, "file.txt"), "two\n");
  await runJob(pipeline, { id: "inspect", cwd, env: baseEnv() });
  await writeFile(join(cwd, "file.txt"), "three\n");
  await runJob(pipeline, { id: "inspect", cwd, env: baseEnv() });
  assert.equal(seen[1].candidate.git?.dirty, true);
  const prints = new Set(seen.map((ctx) => ctx.candidate.fingerprint));
  assert.equal(prints.size, 3);
});

Deno.test("candidate outside git hashes files", async () => {
  const cwd = await project();
  await writeFile(join(cwd, "a.txt"), "a");
  const seen: TaskContext[] = [];
  const pipeline = captureContext(seen);
  await runJob(pipeline, { id: "inspect", cwd, env: baseEnv() });
  await runJob(pipeline, { id: "inspect", cwd, env: baseEnv() });
  await writeFile(join(cwd, "a.txt"), "b");
  await runJob(pipeline, { id: "inspect", cwd, env: baseEnv() });
  assert.equal(seen[0].candidate.git, undefined);
  assert.equal(seen[0].candidate.fingerprint, seen[1].candidate.fingerprint);
  assert.notEqual(seen[1].candidate.fingerprint, seen[2].candidate.fingerprint);
});

Deno.test("deferred sh runs only when its task runs", async () => {
  const cwd = await project();
  let calls = 0;
  const pipeline = definePipeline({
    name: "deferred",
    tasks: {
      first: task({ run: sh`echo first > first.txt` }),
      add: task({
        dependsOn: ["first"],
        run: sh((ctx) => {
          calls++;
          return sh`echo ${`${ctx.taskId} in ${ctx.candidate.dir}`} > deferred.txt`;
        }),
      }),
    },
    jobs: { add: job({ target: "add" }), first: job({ target: "first" }) },
  });
  assert.equal(calls, 0);
  await runJob(pipeline, { id: "first", cwd, env: baseEnv() });
  assert.equal(calls, 0);
  const record = await runJob(pipeline, { id: "add", cwd, env: baseEnv() });
  assert.equal(record.status, "passed");
  assert.equal(calls, 1);
  assert.equal(await readFile(join(cwd, "deferred.txt"), "utf8"), `add in ${cwd}\n`);
});

Deno.test("deferred sh errors fail the task", async () => {
  const cwd = await project();
  const pipeline = definePipeline({
    name: "deferred",
    tasks: {
      bad: task({
        run: sh(() => {
          throw new Error("no version found");
        }),
      }),
    },
    jobs: { bad: job({ target: "bad" }) },
  });
  const record = await runJob(pipeline, { id: "bad", cwd, env: baseEnv() });
  assert.equal(record.status, "failed");
  assert.equal(record.tasks[0].attempts, 1);
  assert.equal(
    record.tasks[0].error?.message,
    'Task "bad" failed: the sh callback of step 1 threw: no version found',
  );
});

Deno.test("ctx.command runs argv without a shell", async () => {
  const cwd = await project();
  const results: unknown[] = [];
  const pipeline = definePipeline({
    name: "command",
    tasks: {
      run: task({
        run: async (ctx) => {
          results.push(await ctx.command(["printf", "%s|", "a b", "$HOME"]));
          results.push(await ctx.command(["sh", "-c", "pwd; exit 3"], { cwd: "sub" }));
          results.push(await ctx.command(["no-such-command-x9"]));
        },
      }),
    },
    jobs: { run: job({ target: "run" }) },
  });
  await Deno.mkdir(join(cwd, "sub"));
  const record = await runJob(pipeline, { id: "run", cwd, env: baseEnv() });
  assert.equal(record.status, "passed");
  assert.deepEqual(results[0], { code: 0, stdout: "a b|$HOME|", stderr: "" });
  assert.deepEqual(results[1], { code: 3, stdout: `${join(cwd, "sub")}\n`, stderr: "" });
  assert.equal((results[2] as { code: number }).code, 127);
});

Deno.test("ctx.command applies the policy", async () => {
  const cwd = await project();
  const pipeline = definePipeline({
    name: "policy",
    commands: command.policy({
      rules: [command.rule({ prefix: ["npm", "publish"], action: command.deny() })],
    }),
    tasks: {
      publish: task({ run: async (ctx) => void await ctx.command(["npm", "publish"]) }),
    },
    jobs: { publish: job({ target: "publish" }) },
  });
  const record = await runJob(pipeline, { id: "publish", cwd, env: baseEnv() });
  assert.equal(record.status, "failed");
  assert.equal(record.tasks[0].error?.code, "ASYNC_PIPELINE_COMMAND_DENIED");
  assert.match(
    record.tasks[0].error?.message ?? "",
    /commands\.rules\[0\] \(prefix \["npm", "publish"\]\)/,
  );
});

Deno.test("output over the cap keeps the tail", async () => {
  const cwd = await project();
  const pipeline = definePipeline({
    name: "cap",
    tasks: {
      loud: task({
        run:
          sh`i=0; while [ $i -lt 2000 ]; do echo "line $i of the noisy output"; i=$((i+1)); done; echo THE END`,
      }),
    },
    jobs: { loud: job({ target: "loud" }) },
  });
  const record = await runJob(pipeline, {
    id: "loud",
    cwd,
    env: { ...baseEnv(), ASYNC_PIPELINE_MAX_LOG_BYTES: "4096" },
  });
  const log = await readFile(
    join(cwd, ".async/runs", record.id, record.tasks[0].logs!.stdout!),
    "utf8",
  );
  const [marker, ...rest] = log.split("\n");
  assert.match(marker, /^\[async-pipeline\] output truncated: \d+ earlier bytes dropped/);
  assert.ok(new TextEncoder().encode(rest.join("\n")).length <= 4096);
  assert.ok(log.endsWith("line 1999 of the noisy output\nTHE END\n"));
  assert.ok(!log.includes("line 0 of"));
});
