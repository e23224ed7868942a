/** How the run summary and `explain` report a source task that ran because its source changed. */

import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createSourceRepo, git, gitTestEnv, writeFiles } from "./support/git.ts";
import { cliCall, type CliCallResult } from "./support/cli.ts";
import { tempDir } from "./support/temp_files.ts";

function cli(cwd: string, args: string[]): Promise<CliCallResult> {
  return cliCall(cwd, args, { env: gitTestEnv() });
}

/** A source pipeline whose tasks are cached. */
function cachedPipeline(name: string, task: string): string {
  return `import { definePipeline, sh, task } from "@mod";
export default definePipeline({
  name: ${JSON.stringify(name)},
  cache: "file:local",
  tasks: { ${task}: task({ run: sh\`echo ${task}\` }) },
});
`;
}

/**
 * Creates a root project with a git source `store` and a path source `admin`
 * with a prepare step, and runs `verify` once to fill the cache.
 */
async function cachedProject() {
  const repo = await createSourceRepo({ "pipeline.ts": cachedPipeline("store", "test") });
  const parent = await tempDir("async-pipeline-source-cache-");
  const cwd = join(parent, "root");
  const admin = join(parent, "admin");
  await writeFiles(admin, { "pipeline.ts": cachedPipeline("admin", "lint"), "a.txt": "1\n" });
  await writeFiles(cwd, {
    "pipeline.ts": `import { definePipeline, job, sh, source, task } from "@mod";
export default definePipeline({
  name: "root",
  sources: {
    store: source.git({ url: ${JSON.stringify(repo.url)} }),
    admin: source.path({
      path: "../admin",
      writable: true,
      prepare: [sh((ctx) => sh\`printf %s \${ctx.candidate.dir} > candidate.txt\`)],
    }),
  },
  tasks: {
    all: task({ dependsOn: ["store:test", "admin:lint"], cache: false, run: sh\`true\` }),
  },
  jobs: { verify: job({ target: "all" }) },
});
`,
    "src/lib.ts": "export const a = 1;\n",
  });
  const first = await cli(cwd, ["run", "verify"]);
  assert.equal(first.code, 0, first.stderr);
  return { repo, cwd, admin };
}

async function explainJson(cwd: string, taskId: string) {
  const result = await cli(cwd, ["explain", taskId, "--format", "json"]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

Deno.test("a new source commit is reported as a source change", async () => {
  const { repo, cwd } = await cachedProject();
  const before = await git(repo.work, "rev-parse", "HEAD");
  // An empty commit changes no input file, so the commit alone explains the miss.
  await git(repo.work, "commit", "--quiet", "--allow-empty", "-m", "empty");
  await git(repo.work, "push", "--quiet", "origin", "main");
  const after = await git(repo.work, "rev-parse", "HEAD");
  const run = await cli(cwd, ["run", "verify"]);
  assert.equal(run.code, 0, run.stderr);
  const line = `source changed: store commit ${before.slice(0, 7)} -> ${after.slice(0, 7)}`;
  assert.match(run.stdout, new RegExp(`\\n {2}store:test: ${line}\\n`));
  assert.doesNotMatch(run.stdout, /command changed/);

  const text = await cli(cwd, ["explain", "store:test"]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`\\n {2}${line} \\(its checkout moved`));
  assert.doesNotMatch(text.stdout, /command changed/);

  const json = await explainJson(cwd, "store:test");
  assert.equal(json.summary, line);
  assert.equal(json.cacheMiss.command, false);
  assert.deepEqual(json.cacheMiss.source, {
    id: "store",
    commit: { before, after },
    content: false,
    prepare: false,
    candidate: false,
  });
});

Deno.test("a path source's new content is reported as a source change", async () => {
  const { cwd, admin } = await cachedProject();
  await writeFile(join(admin, "a.txt"), "2\n");
  const run = await cli(cwd, ["run", "verify"]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stdout,
    /\n {2}admin:lint: input changed: a\.txt, source changed: admin content\n/,
  );
  const json = await explainJson(cwd, "admin:lint");
  assert.equal(json.cacheMiss.command, false);
  assert.equal(json.cacheMiss.source.content, true);
  assert.equal(json.cacheMiss.source.candidate, false);
});

Deno.test("a new candidate is reported as a candidate change", async () => {
  const { cwd } = await cachedProject();
  await writeFile(join(cwd, "src/lib.ts"), "export const a = 2;\n");
  const run = await cli(cwd, ["run", "verify"]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /\n {2}admin:lint: candidate changed\n/);
  assert.doesNotMatch(run.stdout, /store:test:/);
  const text = await cli(cwd, ["explain", "admin:lint"]);
  assert.match(text.stdout, /\n {2}candidate changed: the root repository differs/);
  assert.doesNotMatch(text.stdout, /command changed/);
  const json = await explainJson(cwd, "admin:lint");
  assert.equal(json.summary, "candidate changed");
  assert.equal(json.cacheMiss.source.candidate, true);
});
