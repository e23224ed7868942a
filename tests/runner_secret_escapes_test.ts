/** Masking of secrets that task output or thrown values show escaped or inside long strings. */

import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { cli, MOD_URL } from "./helpers/cli.ts";
import { baseEnv, readLatestRecord, readRunFiles } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

/** A secret with a double quote, a backslash and a single quote. */
const SECRET = `s3cr3t"w\\rd'q`;

/** Writes a pipeline whose job `leak` runs `task` with the secret as `TOKEN`. */
async function project(task: string): Promise<{ dir: string; args: string[] }> {
  const dir = await tempDir("async-pipeline-escapes-");
  const path = join(dir, "pipeline.ts");
  await writeFile(
    path,
    `import { definePipeline, env, job, sh, task } from "${MOD_URL}";
export default definePipeline({
  name: "escapes",
  tasks: { leak: ${task} },
  jobs: { leak: job({ target: "leak", env: { TOKEN: env.secret("API_TOKEN") } }) },
});
`,
  );
  return { dir, args: ["run", "leak", "--config", path] };
}

Deno.test("JSON that a shell step prints is masked", async () => {
  // The step escapes `"` and `\` as JSON does, then prints the JSON.
  const { dir, args } = await project(
    `task({ cache: false }, sh\`printf '{"token":"%s"}\\\\n' "$(printf '%s' "$TOKEN" | sed 's/[\\\\\\\\"]/\\\\\\\\&/g')"\`)`,
  );
  const result = await cli(dir, args, baseEnv({ API_TOKEN: SECRET }));
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /\[leak\] \{"token":"\*\*\*"\}/);
  assert.doesNotMatch(result.stdout + result.stderr, /s3cr3t/);
  const { dir: runDir } = await readLatestRecord(dir);
  const files = await readRunFiles(runDir);
  assert.match(files, /\{"token":"\*\*\*"\}/);
  assert.doesNotMatch(files, /s3cr3t/);
});

Deno.test("object thrown by a function step is masked", async () => {
  const { dir, args } = await project(
    `task({ cache: false }, (ctx) => { throw { token: ctx.env.TOKEN }; })`,
  );
  const result = await cli(dir, args, baseEnv({ API_TOKEN: SECRET }));
  assert.equal(result.code, 1);
  assert.doesNotMatch(result.stdout + result.stderr, /s3cr3t/);
  const { record, dir: runDir } = await readLatestRecord(dir);
  assert.match(record.tasks[0].error?.message ?? "", /\{ token: `\*\*\*` \}/);
  assert.match(record.tasks[0].attemptLog[0].error ?? "", /\{ token: `\*\*\*` \}/);
  assert.doesNotMatch(await readRunFiles(runDir), /s3cr3t/);
});

Deno.test("console output of escaped secrets is masked", async () => {
  const { dir, args } = await project(
    `task({ cache: false }, (ctx) => { console.log({ token: ctx.env.TOKEN }); })`,
  );
  const result = await cli(dir, args, baseEnv({ API_TOKEN: SECRET }));
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /\[leak\] \{ token: `\*\*\*` \}/);
  assert.doesNotMatch(result.stdout + result.stderr, /s3cr3t/);
  const { dir: runDir } = await readLatestRecord(dir);
  assert.doesNotMatch(await readRunFiles(runDir), /s3cr3t/);
});

Deno.test("long secret in a thrown object is masked", async () => {
  const long = `${"J".repeat(150)}${"K".repeat(150)}`;
  const { dir, args } = await project(
    `task({ cache: false }, (ctx) => { throw { token: ctx.env.TOKEN }; })`,
  );
  const result = await cli(dir, args, baseEnv({ API_TOKEN: long }));
  assert.equal(result.code, 1);
  assert.doesNotMatch(result.stdout + result.stderr, /JJJ/);
  const { record } = await readLatestRecord(dir);
  assert.match(record.tasks[0].error?.message ?? "", /\{ token: '\*\*\*' \}$/);
});
