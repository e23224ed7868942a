import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, env, job, sh, source, task } from "../mod.ts";
import type { PrepareStep } from "../core/mod.ts";
import { runJob } from "../node/mod.ts";
import { createSourceRepo, gitTestEnv } from "./support/git.ts";
import { tempDir } from "./support/temp_files.ts";

const SOURCE_PIPELINE = `import { definePipeline, sh, task } from "@mod";
export default definePipeline({ name: "store", tasks: { test: task({ run: sh\`echo tested\` }) } });
`;

/**
 * Runs job `verify` of a root project whose task needs `store:test`, with
 * `prepare` on the git source. A `token` becomes the job's secret `TOKEN`.
 */
async function runWithPrepare(prepare: PrepareStep[], token?: string) {
  const repo = await createSourceRepo({ "pipeline.ts": SOURCE_PIPELINE });
  const cwd = await tempDir("async-pipeline-prepare-");
  const pipeline = definePipeline({
    name: "root",
    sources: { store: source.git({ url: repo.url, prepare }) },
    tasks: { all: task({ dependsOn: ["store:test"], run: sh`true` }) },
    jobs: {
      verify: job({
        target: "all",
        ...(token === undefined ? {} : { env: { TOKEN: env.secret("PREPARE_TOKEN") } }),
      }),
    },
  });
  const runEnv = { ...gitTestEnv(), ...(token === undefined ? {} : { PREPARE_TOKEN: token }) };
  const record = await runJob(pipeline, { id: "verify", cwd, env: runEnv });
  return { record, cwd, runDir: join(cwd, ".async/runs", record.id) };
}

Deno.test("prepare output on stdout only gets no stderr log", async () => {
  const { record, runDir } = await runWithPrepare([sh`echo installing`]);
  assert.equal(record.status, "passed");
  assert.deepEqual(record.sources?.store.logs, {
    stdout: "logs/sources/store.prepare.stdout.log",
  });
  assert.equal(
    await readFile(join(runDir, "logs/sources/store.prepare.stdout.log"), "utf8"),
    "installing\n",
  );
  assert.deepEqual(await readdir(join(runDir, "logs/sources")), ["store.prepare.stdout.log"]);
});

Deno.test("prepare output on stderr only gets no stdout log", async () => {
  const { record, runDir } = await runWithPrepare([sh`echo warned >&2`]);
  assert.equal(record.status, "passed");
  assert.deepEqual(record.sources?.store.logs, {
    stderr: "logs/sources/store.prepare.stderr.log",
  });
  assert.deepEqual(await readdir(join(runDir, "logs/sources")), ["store.prepare.stderr.log"]);
});

Deno.test("a silent prepare writes no log files", async () => {
  const { record, runDir } = await runWithPrepare([sh`true`]);
  assert.equal(record.status, "passed");
  assert.equal(record.sources?.store.prepared, true);
  assert.deepEqual(record.sources?.store.logs, {});
  await assert.rejects(readdir(join(runDir, "logs/sources")), { code: "ENOENT" });
});

Deno.test("a failed silent prepare writes no log files", async () => {
  const { record, runDir } = await runWithPrepare([sh`exit 4`]);
  assert.equal(record.status, "failed");
  assert.equal(record.sources?.store.prepared, false);
  assert.deepEqual(record.sources?.store.logs, {});
  await assert.rejects(readdir(join(runDir, "logs/sources")), { code: "ENOENT" });
});

Deno.test("a prepare callback that returns no command names its source", async () => {
  const { record } = await runWithPrepare([sh(() => undefined as unknown as string)]);
  assert.equal(record.status, "failed");
  const failed = record.tasks.find((task) => task.error !== undefined);
  assert.match(
    failed?.error?.message ?? record.error?.message ?? "",
    /Source "store": the sh callback of prepare step 1 returned undefined, but it must return sh`\.\.\.` or a string\./,
  );
});

Deno.test("deferred prepare secrets stay off the command line", async () => {
  const token = "prepare-s3cr3t 'x'";
  const { record, cwd } = await runWithPrepare([
    sh((ctx) =>
      sh`tr '\\0' ' ' < /proc/$$/cmdline > ${ctx.root.dir}/cmdline.txt; printf %s ${
        ctx.env.TOKEN ?? ""
      } > ${ctx.root.dir}/value.txt`
    ),
  ], token);
  assert.equal(record.status, "passed");
  assert.equal(await readFile(join(cwd, "value.txt"), "utf8"), token);
  const cmdline = await readFile(join(cwd, "cmdline.txt"), "utf8");
  assert.match(cmdline, /printf %s "\$ASYNC_PIPELINE_SECRET_0"/);
  assert.ok(!cmdline.includes("prepare-s3cr3t"));
});
