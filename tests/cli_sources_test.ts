import assert from "node:assert/strict";
import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { createSourceRepo, git, gitTestEnv, writeFiles } from "./support/git.ts";
import { cliCall, type CliCallResult } from "./support/cli.ts";
import { tempDir } from "./support/temp_files.ts";

function cli(cwd: string, args: string[]): Promise<CliCallResult> {
  return cliCall(cwd, args, { env: gitTestEnv() });
}

async function exists(path: string): Promise<boolean> {
  return await stat(path).then(() => true, () => false);
}

const STORE_PIPELINE = `import { definePipeline, sh, task } from "@mod";
export default definePipeline({
  name: "store",
  tasks: {
    build: task({ run: sh\`echo build\` }),
    test: task({ dependsOn: ["build"], run: sh\`echo test\` }),
  },
});
`;

const ADMIN_PIPELINE = `import { definePipeline, sh, task } from "@mod";
export default definePipeline({
  name: "admin",
  tasks: {
    lint: task({ run: sh\`echo lint\` }),
    check: task({ dependsOn: ["lint"], run: sh\`echo check\` }),
    unused: task({ run: sh\`echo unused\` }),
  },
});
`;

/**
 * Creates a root project with a git source `store` (whose prepare step
 * writes `prepared.txt` into the root) and a path source `admin`.
 */
async function composedProject() {
  const repo = await createSourceRepo({ "pipeline.ts": STORE_PIPELINE });
  const parent = await tempDir("async-pipeline-cli-sources-");
  const cwd = join(parent, "root");
  await writeFiles(join(parent, "admin"), { "pipeline.ts": ADMIN_PIPELINE });
  await writeFiles(cwd, {
    "pipeline.ts": `import { definePipeline, job, sh, source, task } from "@mod";
export default definePipeline({
  name: "root",
  sources: {
    store: source.git({ url: ${
      JSON.stringify(repo.url)
    }, prepare: [sh\`touch ../../../prepared.txt\`] }),
    admin: source.path({ path: "../admin" }),
  },
  tasks: {
    all: task({ dependsOn: ["store:test", "admin:check"], run: sh\`true\` }),
  },
  jobs: { verify: job({ target: "all" }) },
});
`,
  });
  return { repo, cwd, checkout: join(cwd, ".async/sources/store") };
}

Deno.test("metadata include-sources never clones", async () => {
  const { cwd, checkout } = await composedProject();
  const result = await cli(cwd, ["metadata", "--format", "json", "--include-sources"]);
  assert.equal(result.code, 0, result.stderr);
  const metadata = JSON.parse(result.stdout);
  assert.equal(metadata.sources.store.loaded, false);
  assert.equal(metadata.sources.store.dir, checkout);
  assert.equal(
    metadata.sources.store.reason,
    "not cloned yet: the first run that uses it clones it.",
  );
  assert.equal(metadata.sources.admin.loaded, true);
  assert.equal(metadata.sources.admin.pipelineName, "admin");
  assert.deepEqual(Object.keys(metadata.tasks), [
    "all",
    "admin:lint",
    "admin:check",
    "admin:unused",
  ]);
  assert.equal(metadata.tasks["admin:check"].source, "admin");
  assert.deepEqual(metadata.tasks["admin:check"].dependsOn, ["admin:lint"]);
  assert.equal(await exists(join(cwd, ".async")), false);
});

Deno.test("metadata reads an existing checkout", async () => {
  const { repo, cwd } = await composedProject();
  const run = await cli(cwd, ["run", "verify", "--format", "json"]);
  assert.equal(run.code, 0, run.stderr);
  const commit = await git(repo.work, "rev-parse", "HEAD");
  const prepared = join(cwd, "prepared.txt");
  assert.equal(await exists(prepared), true);
  await rm(prepared);
  await repo.push({ "pipeline.ts": STORE_PIPELINE.replace("echo test", "echo changed") });

  const result = await cli(cwd, ["metadata", "--format", "json", "--include-sources"]);
  assert.equal(result.code, 0, result.stderr);
  const metadata = JSON.parse(result.stdout);
  assert.equal(metadata.sources.store.loaded, true);
  assert.equal(metadata.sources.store.commit, commit);
  assert.deepEqual(metadata.tasks["store:test"].steps, [{ type: "shell", command: "echo test" }]);
  assert.equal(await exists(prepared), false);
});

Deno.test("metadata text lists sources", async () => {
  const { cwd } = await composedProject();
  const result = await cli(cwd, ["metadata", "--include-sources"]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /\n {2}admin:check \(after admin:lint\)\n/);
  assert.match(
    result.stdout,
    /\nsources:\n {2}store \(git \.async\/sources\/store\): not loaded: not cloned yet: .*\n {2}admin \(path \.\.\/admin\): loaded\n/,
  );
  const plain = await cli(cwd, ["metadata"]);
  assert.doesNotMatch(plain.stdout, /admin:check \(after|sources:/);
});

Deno.test("metadata reports a broken source", async () => {
  const { cwd } = await composedProject();
  await rm(join(cwd, "../admin/pipeline.ts"));
  const result = await cli(cwd, ["metadata", "--include-sources"]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    /\n {2}admin \(path \.\.\/admin\): not loaded: pipeline file pipeline\.ts was not found in /,
  );
});

Deno.test("metadata reasons share one wording", async () => {
  const parent = await tempDir("async-pipeline-cli-reasons-");
  const cwd = join(parent, "root");
  await writeFiles(join(parent, "nopipe"), { "readme.txt": "no pipeline here\n" });
  await writeFiles(join(parent, "broken"), {
    "pipeline.ts": 'throw new Error("broken on purpose");\n',
  });
  await writeFiles(cwd, {
    "pipeline.ts": `import { definePipeline, job, sh, source, task } from "@mod";
export default definePipeline({
  name: "root",
  sources: {
    gone: source.path({ path: "../gone" }),
    nopipe: source.path({ path: "../nopipe", pipeline: "nope.ts" }),
    broken: source.path({ path: "../broken" }),
  },
  tasks: { all: task({ run: sh\`true\` }) },
  jobs: { verify: job({ target: "all" }) },
});
`,
  });
  const result = await cli(cwd, ["metadata", "--format", "json", "--include-sources"]);
  assert.equal(result.code, 0, result.stderr);
  const { sources } = JSON.parse(result.stdout);
  assert.equal(sources.gone.reason, `directory ${join(parent, "gone")} was not found.`);
  assert.equal(
    sources.nopipe.reason,
    `pipeline file nope.ts was not found in ${join(parent, "nopipe")}.`,
  );
  assert.match(
    sources.broken.reason,
    /^loading its pipeline .*pipeline\.ts failed: .*broken on purpose/,
  );
  for (const id of ["gone", "nopipe", "broken"]) {
    assert.equal(sources[id].loaded, false);
    assert.doesNotMatch(sources[id].reason, /^Source /);
  }
});

Deno.test("graph includes source tasks on disk", async () => {
  const { cwd } = await composedProject();
  const result = await cli(cwd, ["graph", "verify", "--format", "json"]);
  assert.equal(result.code, 0, result.stderr);
  const view = JSON.parse(result.stdout);
  assert.deepEqual(view.nodes, [
    { id: "admin:lint", source: "admin", dependsOn: [] },
    { id: "admin:check", source: "admin", dependsOn: ["admin:lint"] },
    { id: "store:test", source: "store", external: true, dependsOn: [] },
    { id: "all", dependsOn: ["store:test", "admin:check"] },
  ]);
  assert.equal(await exists(join(cwd, ".async")), false);

  assert.equal((await cli(cwd, ["run", "verify"])).code, 0);
  await rm(join(cwd, "prepared.txt"));
  const whole = JSON.parse((await cli(cwd, ["graph", "--format", "json"])).stdout);
  assert.deepEqual(whole.nodes.map((node: { id: string }) => node.id), [
    "admin:lint",
    "admin:check",
    "store:build",
    "store:test",
    "all",
  ]);
  assert.equal(whole.nodes.some((node: { external?: boolean }) => node.external), false);
  const dot = (await cli(cwd, ["graph", "verify", "--format", "dot"])).stdout;
  assert.match(
    dot,
    /subgraph "cluster_store" \{\n {4}label="store";\n {4}"store:build";\n {4}"store:test";\n {2}\}/,
  );
  assert.equal(await exists(join(cwd, "prepared.txt")), false);
});
