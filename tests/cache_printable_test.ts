/** File names with control characters in cache warnings and reasons: quoted, never raw. */

import assert from "node:assert/strict";
import { lstat, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline } from "../core/pipeline.ts";
import { sh } from "../core/sh.ts";
import { job, task } from "../core/task.ts";
import type { TaskCacheHooks } from "../node/cache_seam.ts";
import { executeRun } from "../node/runner/run_job.ts";
import { OutputsChangedError } from "../node/cache/backend.ts";
import { OutputChangedError } from "../node/cache/snapshot.ts";
import { printableErrorMessage } from "../node/printable.ts";
import {
  cacheFor,
  execute,
  lookupInput,
  makePipeline,
  makeProject,
  writeFiles,
} from "./cache_fixture.ts";
import { cli, MOD_URL } from "./helpers/cli.ts";
import { baseEnv } from "./support/projects.ts";

/** A file name with a newline and a terminal escape sequence in it. */
const CONTROL_NAME = "we\nird\x1b[31m.js";

/** Asserts that `text` has no control character but the line breaks it may end with. */
function assertPrintable(text: string): void {
  // deno-lint-ignore no-control-regex
  assert.doesNotMatch(text.trimEnd(), /[\u0000-\u001f\u007f-\u009f]/, JSON.stringify(text));
}

function buildTask(ref: string) {
  return task({ inputs: ["src/**"], outputs: ["dist/**"], cache: ref }, sh`build`);
}

Deno.test("changed-while-running warning quotes a file name", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const pipeline = makePipeline({ build: buildTask("file:local") });
  const input = lookupInput(pipeline, "build", dir);
  const result = await execute(cacheFor(pipeline, dir), input, async () => {
    await writeFiles(dir, { [`src/${CONTROL_NAME}`]: "added while running", "dist/out.js": "x" });
  });
  const warning = result.saved?.warning ?? "";
  assert.ok(
    warning.includes(`changed while it ran (${JSON.stringify(`src/${CONTROL_NAME}`)})`),
    warning,
  );
  assertPrintable(warning);
});

Deno.test("secret-output warning quotes a file name", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const pipeline = makePipeline({ build: buildTask("file:local") });
  const secret = { env: { TOKEN: "tok-value" }, envKeys: ["TOKEN"], secretValues: ["tok-value"] };
  const input = lookupInput(pipeline, "build", dir, secret);
  const result = await execute(cacheFor(pipeline, dir), input, async () => {
    await writeFiles(dir, { [`dist/${CONTROL_NAME}`]: "token tok-value" });
  });
  const warning = result.saved?.warning ?? "";
  assert.ok(
    warning.includes(`its output ${JSON.stringify(`dist/${CONTROL_NAME}`)} contains`),
    warning,
  );
  assertPrintable(warning);
});

Deno.test("missing stored copy reason quotes a file name", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const pipeline = makePipeline({ build: buildTask("file:local") });
  const input = lookupInput(pipeline, "build", dir);
  const first = await execute(cacheFor(pipeline, dir), input, async () => {
    await writeFiles(dir, { [`dist/${CONTROL_NAME}`]: "built" });
  });
  assert.equal(first.saved?.stored, true);
  const key = first.lookup.status === "miss" ? first.lookup.key : "";
  const files = join(dir, ".async/cache/tasks/local", key, "files");
  for (const name of await readdir(files)) await rm(join(files, name));
  await rm(join(dir, "dist"), { recursive: true });

  const second = await execute(cacheFor(pipeline, dir), input);
  const reason = second.lookup.status === "miss" && second.lookup.reason;
  assert.deepEqual(reason, {
    kind: "restore-failed",
    reason: `the stored copy of ${JSON.stringify(`dist/${CONTROL_NAME}`)} is missing`,
  });
  assertPrintable(second.lookup.warning ?? "");
});

Deno.test("memory store reason quotes a changed output", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const pipeline = makePipeline({ build: buildTask("memory:local") });
  const hooks = cacheFor(pipeline, dir);
  const input = lookupInput(pipeline, "build", dir);
  await execute(hooks, input, () => writeFiles(dir, { [`dist/${CONTROL_NAME}`]: "built" }));
  await writeFiles(dir, { [`dist/${CONTROL_NAME}`]: "edited after the run" });
  const again = await execute(hooks, input);
  const reason = again.lookup.status === "miss" && again.lookup.reason;
  assert.deepEqual(reason, {
    kind: "restore-failed",
    reason: `the output ${
      JSON.stringify(`dist/${CONTROL_NAME}`)
    } is missing or changed since the entry was recorded`,
  });
});

Deno.test("output errors quote their file names", () => {
  assert.equal(
    new OutputChangedError(`dist/${CONTROL_NAME}`).message,
    `output ${JSON.stringify(`dist/${CONTROL_NAME}`)} changed while it was stored`,
  );
  assert.equal(
    new OutputsChangedError("dist/plain.js").message,
    "the output dist/plain.js is missing or changed since the entry was recorded",
  );
  assertPrintable(new OutputsChangedError(CONTROL_NAME).message);
});

Deno.test("system error paths are quoted in messages", async () => {
  const dir = await makeProject();
  const path = join(dir, CONTROL_NAME);
  const error = await lstat(path).then(() => undefined, (error: unknown) => error);
  const message = printableErrorMessage(error);
  assert.ok(message.includes(`lstat ${JSON.stringify(path)}`), message);
  assertPrintable(message);
});

Deno.test("system error paths are quoted for rename", async () => {
  const dir = await makeProject();
  const [from, to] = [join(dir, "a\nb"), join(dir, "c\td")];
  const error = await rename(from, to).then(() => undefined, (error: unknown) => error);
  const message = printableErrorMessage(error);
  assert.ok(message.endsWith(`${JSON.stringify(from)} -> ${JSON.stringify(to)}`), message);
});

Deno.test("plain paths in system errors stay as they are", async () => {
  const dir = await makeProject();
  const error = await lstat(join(dir, "plain.txt")).then(() => undefined, (e: unknown) => e);
  assert.equal(printableErrorMessage(error), (error as Error).message);
});

Deno.test("cli run prints an input added mid-run quoted", async () => {
  const dir = await makeProject({
    "src/a.txt": "a\n",
    "pipeline.ts": `import { definePipeline, job, sh, task } from "${MOD_URL}";
export default definePipeline({
  name: "printable",
  cache: "file:local",
  tasks: {
    touchy: task({ inputs: ["src/**"] }, sh\`printf x > "$(printf 'src/new\\\\nline\\\\033[31m.txt')"\`),
  },
  jobs: { touchy: job({ target: "touchy" }) },
});
`,
  });
  const result = await cli(dir, ["run", "touchy"], baseEnv());
  assert.equal(result.code, 0, result.stderr);
  const name = JSON.stringify("src/new\nline\x1b[31m.txt");
  assert.ok(
    result.stdout.includes(
      `  warning: inputs of task "touchy" changed while it ran (${name}), so its result was not cached.\n`,
    ),
    result.stdout,
  );
  assert.ok(!result.stdout.includes("\x1b"), "no raw escape reaches the output");
});

/** Returns the system error of an lstat of the missing file {@link CONTROL_NAME} under `dir`. */
async function missingFileError(dir: string): Promise<unknown> {
  return await lstat(join(dir, CONTROL_NAME)).then(() => undefined, (error: unknown) => error);
}

/** Runs task `t` with a cache whose lookup or save rejects with `error`. */
async function runWithFailingCache(dir: string, failing: "lookup" | "save", error: unknown) {
  const pipeline = definePipeline({
    name: "printable",
    tasks: { t: task({ cache: "file:local" }, sh`true`) },
    jobs: { t: job({ target: "t" }) },
  });
  const cache: TaskCacheHooks = {
    lookup: () =>
      failing === "lookup" ? Promise.reject(error) : Promise.resolve({
        status: "miss",
        key: "k",
        fingerprint: "k",
        reason: { kind: "no-entry" },
      }),
    save: () => Promise.reject(error),
    close: () => Promise.resolve(),
  };
  const record = await executeRun(pipeline, { id: "t", cwd: dir, env: baseEnv() }, { cache });
  return record.tasks[0].warnings ?? [];
}

Deno.test("failed cache lookup warning quotes a file name", async () => {
  const dir = await makeProject();
  const warnings = await runWithFailingCache(dir, "lookup", await missingFileError(dir));
  assert.equal(warnings.length, 1);
  assert.ok(warnings[0].includes(`lstat ${JSON.stringify(join(dir, CONTROL_NAME))}`), warnings[0]);
  assertPrintable(warnings[0]);
});

Deno.test("failed cache save warning quotes a file name", async () => {
  const dir = await makeProject();
  const warnings = await runWithFailingCache(dir, "save", await missingFileError(dir));
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /^Cache save failed: ENOENT/);
  assertPrintable(warnings[0]);
});
