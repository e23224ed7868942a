import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createSourceRepo, gitTestEnv } from "./support/git.ts";
import {
  isAlive,
  makeProject,
  readLatestRecord,
  readRunFiles,
  runCliUnder,
  waitFor,
} from "./support/projects.ts";

const SECRET = "prepare-secret-value-5";

const SOURCE_PIPELINE = `import { definePipeline, sh, task } from "@mod";
export default definePipeline({
  name: "store",
  // The checkout is .async/sources/store in the root project.
  tasks: { test: task({ run: sh\`touch ../../../store-tested\` }) },
});
`;

/**
 * Creates a root project whose job `j` runs `store:test` of a git source
 * with `prepare` as its prepare steps, and a root task `slow` that runs
 * `slow`. `TOKEN` is a secret in the job env. The steps can use `cwd` (the
 * root's directory) and `afterFile(name, fn)`, which calls `fn` in a timer
 * once the file exists in the root's directory.
 */
async function project(prepare: string, slow = "true"): Promise<string> {
  const repo = await createSourceRepo({ "pipeline.ts": SOURCE_PIPELINE });
  return await makeProject(`import { existsSync, writeFileSync } from "node:fs";
import process from "node:process";
import { definePipeline, env, job, sh, source, task } from "@mod";
const cwd = process.cwd();
const afterFile = (name, fn) => {
  const timer = setInterval(() => {
    if (!existsSync(cwd + "/" + name)) return;
    clearInterval(timer);
    fn();
  }, 20);
};
export default definePipeline({
  name: "root",
  sources: { store: source.git({ url: ${JSON.stringify(repo.url)}, prepare: [${prepare}] }) },
  tasks: { slow: task({ cache: false, run: sh\`${slow}\` }) },
  jobs: { j: job({ target: ["store:test", "slow"], env: { TOKEN: env.secret("PREPARE_TOKEN") } }) },
});
`);
}

/** Returns the error of `store:test` in the newest run, after checking that no file of that run contains the secret. */
async function storeTestError(cwd: string) {
  const { record, dir } = await readLatestRecord(cwd);
  assert.ok(!(await readRunFiles(dir)).includes(SECRET));
  const result = record.tasks.find((task) => task.id === "store:test");
  assert.equal(result?.status, "failed");
  assert.equal(result?.attempts, 0);
  return result?.error;
}

for (const runtime of ["deno", "node"] as const) {
  const run = (cwd: string) =>
    runCliUnder(runtime, cwd, ["run", "j"], gitTestEnv({ PREPARE_TOKEN: SECRET }));

  Deno.test(`a throwing prepare callback names its source (${runtime})`, async () => {
    const cwd = await project(`sh((ctx) => { throw new Error("plain " + ctx.env.TOKEN); })`);
    const result = await run(cwd);
    assert.equal(result.code, 1);
    const message = 'Source "store": the sh callback of prepare step 1 threw: plain ***';
    const line = `Failed: store:test: [ASYNC_PIPELINE_SOURCE_FAILED] ${message}`;
    assert.ok(result.stdout.includes(line), result.stdout);
    assert.ok(!(result.stdout + result.stderr).includes(SECRET));
    const error = await storeTestError(cwd);
    assert.deepEqual(error, { code: "ASYNC_PIPELINE_SOURCE_FAILED", message });
  });

  Deno.test(`a prepare callback's thrown object is masked (${runtime})`, async () => {
    const cwd = await project(`sh\`true\`, sh((ctx) => { throw { weird: ctx.env.TOKEN }; })`);
    const result = await run(cwd);
    assert.equal(result.code, 1);
    assert.ok(!(result.stdout + result.stderr).includes(SECRET));
    const error = await storeTestError(cwd);
    assert.equal(error?.code, "ASYNC_PIPELINE_SOURCE_FAILED");
    assert.equal(
      error?.message,
      `Source "store": the sh callback of prepare step 2 threw: { weird: '***' }`,
    );
  });

  Deno.test(`a prepare timer error stops its command (${runtime})`, async () => {
    const cwd = await project(
      `sh((ctx) => {
        afterFile("prepare.pid", () => { throw new Error("prep-timer " + ctx.env.TOKEN); });
        return sh\`echo $$ > \${cwd}/prepare.pid; sleep 30\`;
      })`,
    );
    const result = await run(cwd);
    assert.equal(result.code, 1);
    assert.ok(!(result.stdout + result.stderr).includes(SECRET));
    const error = await storeTestError(cwd);
    assert.deepEqual(error, {
      code: "ASYNC_PIPELINE_SOURCE_FAILED",
      message: 'Source "store": uncaught exception in the code of prepare step 1: prep-timer ***',
    });
    const pid = Number((await readFile(join(cwd, "prepare.pid"), "utf8")).trim());
    await waitFor(`prepare command ${pid} to exit`, () => !isAlive(pid));
  });

  Deno.test(`a prepare rejection fails the prepare (${runtime})`, async () => {
    const cwd = await project(
      `sh((ctx) => {
        Promise.reject(new Error("prep-rejected " + ctx.env.TOKEN));
        return sh\`sleep 30\`;
      })`,
    );
    const started = Date.now();
    const result = await run(cwd);
    assert.equal(result.code, 1);
    assert.ok(Date.now() - started < 25_000, "the prepare command was stopped");
    const error = await storeTestError(cwd);
    assert.equal(
      error?.message,
      'Source "store": unhandled rejection in the code of prepare step 1: prep-rejected ***',
    );
  });

  Deno.test(`a prepare timer error after prepare warns (${runtime})`, async () => {
    const cwd = await project(
      `sh((ctx) => {
        afterFile("store-tested", () => {
          writeFileSync(cwd + "/late-thrown", "");
          throw new Error("late " + ctx.env.TOKEN);
        });
        return sh\`true\`;
      })`,
      // Keeps the run going until the error was raised.
      "for i in $(seq 400); do test -e late-thrown && break; sleep 0.05; done; sleep 0.5",
    );
    const result = await run(cwd);
    assert.equal(result.code, 0, result.stdout);
    const warning = 'An uncaught exception in the code of prepare step 1 of source "store", ' +
      "after the source's prepare steps ended, was ignored; the run goes on: late ***";
    assert.ok(result.stdout.includes(`warning: ${warning}`), result.stdout);
    assert.ok(!(result.stdout + result.stderr).includes(SECRET));
    const { record } = await readLatestRecord(cwd);
    assert.deepEqual(record.warnings, [warning]);
  });
}
