import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, env, job, sandbox, sh, task } from "../mod.ts";
import { RecordingExecutor, runJob } from "../node/mod.ts";
import { baseEnv, readRunFiles } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

const SECRET = "tok-4f1b9c2e-very-secret";

async function project(): Promise<string> {
  return await tempDir("async-pipeline-env-");
}

const deployPipeline = definePipeline({
  name: "deploy",
  env: { NODE_ENV: env.var("NODE_ENV", { default: "dev" }) },
  tasks: {
    deploy: task({
      run: sh`echo "$NODE_ENV $API_URL token=$NODE_AUTH_TOKEN" > out.txt`,
    }),
  },
  jobs: {
    deploy: job({
      target: "deploy",
      env: {
        API_URL: env.var("NODE_ENV", {
          prod: "https://api.example.com",
          dev: "http://localhost:3000",
        }, { default: "dev" }),
        NODE_AUTH_TOKEN: env.secret("NPM_TOKEN"),
      },
    }),
  },
});

Deno.test("runJob resolves pipeline and job env", async () => {
  const cwd = await project();
  const record = await runJob(deployPipeline, {
    id: "deploy",
    cwd,
    env: { ...baseEnv(), NPM_TOKEN: SECRET, NODE_ENV: "prod" },
  });
  assert.equal(record.status, "passed");
  assert.equal(
    await readFile(join(cwd, "out.txt"), "utf8"),
    `prod https://api.example.com token=${SECRET}\n`,
  );
});

Deno.test("runJob accepts the rendered destination key", async () => {
  const cwd = await project();
  const record = await runJob(deployPipeline, {
    id: "deploy",
    cwd,
    env: { ...baseEnv(), NODE_AUTH_TOKEN: SECRET, API_URL: "prod" },
  });
  assert.equal(record.status, "passed");
  assert.equal(
    await readFile(join(cwd, "out.txt"), "utf8"),
    `dev https://api.example.com token=${SECRET}\n`,
  );
});

Deno.test("missing secret fails before any command", async () => {
  const cwd = await project();
  await assert.rejects(
    runJob(deployPipeline, { id: "deploy", cwd, env: { ...baseEnv(), NODE_ENV: "staging" } }),
    (error: Error & { code?: string; issues?: { code: string }[] }) => {
      assert.equal(error.code, "ASYNC_PIPELINE_MISSING_REQUIREMENTS");
      assert.deepEqual(error.issues?.map((issue) => issue.code), [
        "ASYNC_PIPELINE_UNMAPPED_VAR",
        "ASYNC_PIPELINE_MISSING_SECRET",
      ]);
      assert.match(error.message, /jobs\.deploy\.env\.NODE_AUTH_TOKEN: secret "NPM_TOKEN"/);
      assert.match(error.message, /jobs\.deploy\.env\.API_URL/);
      return true;
    },
  );
  await assert.rejects(readFile(join(cwd, "out.txt")), { code: "ENOENT" });
  const runs = [...Deno.readDirSync(join(cwd, ".async/runs"))];
  const record = JSON.parse(
    await readFile(join(cwd, ".async/runs", runs[0].name, "execution.json"), "utf8"),
  );
  assert.equal(record.status, "failed");
  assert.equal(record.error.code, "ASYNC_PIPELINE_MISSING_REQUIREMENTS");
  assert.deepEqual(record.tasks.map((result: { status: string }) => result.status), ["skipped"]);
});

Deno.test("single missing secret keeps its code", async () => {
  const cwd = await project();
  await assert.rejects(
    runJob(deployPipeline, { id: "deploy", cwd, env: baseEnv() }),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, "ASYNC_PIPELINE_MISSING_SECRET");
      assert.match(error.message, /"NPM_TOKEN" \(or "NODE_AUTH_TOKEN"\) is not set/);
      return true;
    },
  );
});

Deno.test("requirements are all reported at once", async () => {
  const cwd = await project();
  const pipeline = definePipeline({
    name: "requires",
    tasks: {
      build: task({
        requires: { tools: ["sh", "no-such-tool-a1"], runtimes: ["no-such-runtime-b2"] },
        run: sh`touch built`,
      }),
      publish: task({
        dependsOn: ["build"],
        requires: { secrets: ["PUBLISH_TOKEN", "SIGNING_KEY"], tools: ["no-such-tool-a1"] },
        run: sh`touch published`,
      }),
    },
    jobs: { release: job({ target: "publish" }) },
  });
  await assert.rejects(
    runJob(pipeline, { id: "release", cwd, env: { ...baseEnv(), SIGNING_KEY: "k" } }),
    (error: Error & { code?: string; issues?: { code: string; message: string }[] }) => {
      assert.equal(error.code, "ASYNC_PIPELINE_MISSING_REQUIREMENTS");
      const messages = error.issues?.map((issue) => `${issue.code} ${issue.message}`) ?? [];
      assert.equal(messages.length, 3);
      assert.match(messages[0], /MISSING_TOOL tool "no-such-tool-a1" .*"build", "publish"/);
      assert.match(messages[1], /MISSING_TOOL runtime "no-such-runtime-b2"/);
      assert.deepEqual(error.issues?.map((issue) => (issue as { path?: string }).path), [
        "tasks.build.requires.tools",
        "tasks.build.requires.runtimes",
        "tasks.publish.requires.secrets",
      ]);
      assert.match(messages[2], /MISSING_SECRET secret "PUBLISH_TOKEN"/);
      const hint = (error.issues?.[2] as { hint?: string } | undefined)?.hint;
      assert.equal(
        hint,
        "Set PUBLISH_TOKEN in the environment of the run, or store it as a secret in CI.",
      );
      return true;
    },
  );
  await assert.rejects(readFile(join(cwd, "built")), { code: "ENOENT" });
});

Deno.test("host requires.tools hint names node_modules/.bin and the check's timing", async () => {
  const cwd = await project();
  const pipeline = definePipeline({
    name: "tools",
    tasks: { build: task({ requires: { tools: ["no-such-tool-c3"] }, run: sh`true` }) },
    jobs: { build: job({ target: "build" }) },
  });
  await assert.rejects(runJob(pipeline, { id: "build", cwd, env: baseEnv() }), {
    code: "ASYNC_PIPELINE_MISSING_TOOL",
    hint:
      "Install no-such-tool-c3 before the run, on PATH or in the project's node_modules/.bin; " +
      "requires.tools is checked before the first task, so a task cannot install it.",
  });
});

Deno.test("custom executor answers requires.tools", async () => {
  const cwd = await project();
  const pipeline = definePipeline({
    name: "tools",
    tasks: { build: task({ requires: { tools: ["pnpm"] }, run: sh`pnpm build` }) },
    jobs: { build: job({ target: "build" }) },
  });
  const executor = new RecordingExecutor({ tools: [] });
  await assert.rejects(runJob(pipeline, { id: "build", cwd, executor }), {
    code: "ASYNC_PIPELINE_MISSING_TOOL",
    hint:
      'Add "pnpm" to the tools option of the RecordingExecutor, or leave that option out to accept every tool.',
  });
  assert.deepEqual(executor.calls, []);
  const record = await runJob(pipeline, {
    id: "build",
    cwd,
    executor: new RecordingExecutor({ tools: ["pnpm"] }),
  });
  assert.equal(record.status, "passed");
  assert.equal(record.executor, "recording");
});

Deno.test("sh secret parts are quoted and masked", async () => {
  const cwd = await project();
  const tricky = `${SECRET} with 'quotes' and $dollar`;
  const pipeline = definePipeline({
    name: "interpolation",
    tasks: {
      show: task({
        run: [
          sh`printf '%s\n' ${env.secret("API_TOKEN")} > received.txt`,
          sh`echo "visible: " ${env.secret("API_TOKEN")}; echo ${env.var("REGION")}`,
        ],
      }),
    },
    jobs: { show: job({ target: "show" }) },
  });
  const record = await runJob(pipeline, {
    id: "show",
    cwd,
    env: { ...baseEnv(), API_TOKEN: tricky, REGION: "eu west" },
  });
  assert.equal(record.status, "passed");
  assert.equal(await readFile(join(cwd, "received.txt"), "utf8"), `${tricky}\n`);
  const files = await readRunFiles(join(cwd, ".async/runs", record.id));
  assert.ok(!files.includes(SECRET));
  assert.match(files, /visible: {2}\*\*\*\neu west\n/);
});

Deno.test("secrets are masked in logs, meta and errors", async () => {
  const cwd = await project();
  const pipeline = definePipeline({
    name: "leaks",
    tasks: {
      echoes: task({
        run: [
          sh`echo "token is $TOKEN"; echo "$TOKEN" >&2`,
          (ctx) => {
            ctx.log(`logged ${ctx.env.TOKEN}`);
            ctx.meta({ token: ctx.env.TOKEN, nested: [`x${ctx.env.TOKEN}`] });
          },
        ],
      }),
      throws: task({
        dependsOn: ["echoes"],
        run: (ctx) => {
          throw new Error(`cannot use ${ctx.env.TOKEN}`);
        },
      }),
    },
    jobs: { leak: job({ target: "throws", env: { TOKEN: env.secret("SOURCE_TOKEN") } }) },
  });
  const record = await runJob(pipeline, {
    id: "leak",
    cwd,
    env: { ...baseEnv(), SOURCE_TOKEN: SECRET },
  });
  assert.equal(record.status, "failed");
  assert.ok(!JSON.stringify(record).includes(SECRET));
  const files = await readRunFiles(join(cwd, ".async/runs", record.id));
  assert.ok(!files.includes(SECRET));
  assert.match(files, /token is \*\*\*/);
  assert.match(files, /logged \*\*\*/);
  assert.deepEqual(record.tasks[0].meta, { token: "***", nested: ["x***"] });
  assert.equal(record.tasks[1].error?.message.includes("cannot use ***"), true);
});

Deno.test("unknown sandbox lists declared ones", async () => {
  const cwd = await project();
  const pipeline = definePipeline({
    name: "sandboxes",
    sandboxes: { docker: sandbox.docker({ image: "node:24" }) },
    tasks: { a: task({ run: sh`true` }) },
    jobs: { a: job({ target: "a" }) },
  });
  await assert.rejects(
    runJob(pipeline, { id: "a", cwd, sandbox: "dokcer" }),
    (error: Error & { code?: string; hint?: string }) => {
      assert.equal(error.code, "ASYNC_PIPELINE_UNKNOWN_SANDBOX");
      assert.match(error.message, /Declared sandboxes: docker\./);
      assert.equal(error.hint, 'Did you mean "docker"?');
      return true;
    },
  );
});

Deno.test("interpolated secrets stay off the command line", async () => {
  const cwd = await project();
  const executor = new RecordingExecutor();
  const pipeline = definePipeline({
    name: "argv",
    tasks: { push: task({ run: sh`curl -H ${env.secret("API_TOKEN")} https://example.test` }) },
    jobs: { push: job({ target: "push" }) },
  });
  const record = await runJob(pipeline, {
    id: "push",
    cwd,
    executor,
    env: { ...baseEnv(), API_TOKEN: SECRET },
  });
  assert.equal(record.status, "passed");
  assert.equal(executor.calls.length, 1);
  assert.equal(
    executor.calls[0].command,
    'curl -H "$ASYNC_PIPELINE_SECRET_0" https://example.test',
  );
  assert.ok(executor.calls[0].envNames.includes("ASYNC_PIPELINE_SECRET_0"));
});

Deno.test("short secrets leave the record intact", async () => {
  const cwd = await project();
  const pipeline = definePipeline({
    name: "short",
    tasks: { t: task({ run: sh`echo hello world` }) },
    jobs: { j: job({ target: "t", env: { TOK: env.secret("TOK") } }) },
  });
  const record = await runJob(pipeline, { id: "j", cwd, env: { ...baseEnv(), TOK: "e" } });
  assert.equal(record.status, "passed");
  assert.equal(record.tasks[0].status, "passed");
  assert.equal(record.tasks[0].exitCode, 0);
  const stored = JSON.parse(
    await readFile(join(cwd, ".async/runs", record.id, "execution.json"), "utf8"),
  );
  assert.equal(stored.schemaVersion, 1);
  assert.equal(stored.status, "passed");
  assert.equal(stored.id, record.id);
  const log = await readFile(
    join(cwd, ".async/runs", record.id, stored.tasks[0].logs.stdout),
    "utf8",
  );
  assert.equal(log, "h***llo world\n");
});

Deno.test("a missing env entry names where it is declared", async () => {
  const cwd = await project();
  const pipeline = definePipeline({
    name: "paths",
    env: { TOKEN: env.secret("PIPELINE_TOKEN") },
    tasks: { build: task({ run: sh`true` }) },
    jobs: {
      plain: job({ target: "build" }),
      own: job({ target: "build", env: { TOKEN: env.secret("JOB_TOKEN") } }),
    },
  });
  await assert.rejects(runJob(pipeline, { id: "plain", cwd, env: baseEnv() }), {
    code: "ASYNC_PIPELINE_MISSING_SECRET",
    path: "env.TOKEN",
  });
  await assert.rejects(runJob(pipeline, { id: "own", cwd, env: baseEnv() }), {
    code: "ASYNC_PIPELINE_MISSING_SECRET",
    path: "jobs.own.env.TOKEN",
  });
});

/** Builds a pipeline whose deferred step interpolates the secret `ctx.env.TOKEN`, then runs `tail`. */
function deferredPipeline(tail: string) {
  return definePipeline({
    name: "deferred-argv",
    tasks: {
      show: task(
        { cache: false },
        sh((ctx) => sh`printf %s ${ctx.env.TOKEN ?? ""} > value.txt; ${sh.raw(tail)}`),
      ),
    },
    jobs: { show: job({ target: "show", env: { TOKEN: env.secret("API_TOKEN") } }) },
  });
}

Deno.test("deferred secrets stay off the command line", async () => {
  const cwd = await project();
  const tricky = `${SECRET} 'q' "d" \\b`;
  const pipeline = deferredPipeline(`tr '\\0' ' ' < /proc/$$/cmdline > cmdline.txt`);
  const record = await runJob(pipeline, {
    id: "show",
    cwd,
    env: { ...baseEnv(), API_TOKEN: tricky },
  });
  assert.equal(record.status, "passed");
  assert.equal(await readFile(join(cwd, "value.txt"), "utf8"), tricky);
  const cmdline = await readFile(join(cwd, "cmdline.txt"), "utf8");
  assert.match(cmdline, /printf %s "\$ASYNC_PIPELINE_SECRET_0" > value\.txt/);
  assert.ok(!cmdline.includes(SECRET));
});

Deno.test("failed deferred step shows secrets as stars", async () => {
  const cwd = await project();
  const record = await runJob(deferredPipeline("exit 3"), {
    id: "show",
    cwd,
    env: { ...baseEnv(), API_TOKEN: SECRET },
  });
  assert.equal(record.status, "failed");
  assert.equal(
    record.tasks[0].error?.message,
    'Task "show" failed: `printf %s *** > value.txt; exit 3` exited with code 3.',
  );
});
