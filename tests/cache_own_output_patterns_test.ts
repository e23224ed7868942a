/**
 * A task with an input pattern that matches only its own outputs runs
 * uncached even when its other inputs, such as a formatter's config file,
 * give it a key: a hit would write stored outputs over the user's edits.
 */

import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, job, sh, task } from "../mod.ts";
import { runJob } from "../node/mod.ts";
import { FileStateIndex } from "../node/cache/file_index.ts";
import { memoizedListing } from "../node/cache/walk_memo.ts";
import {
  backdate,
  cacheFor,
  execute,
  lookupInput,
  makePipeline,
  makeProject,
  readText,
  settled,
  writeFiles,
} from "./cache_fixture.ts";
import { cli, MOD_URL } from "./helpers/cli.ts";
import { baseEnv } from "./support/projects.ts";

/** Upper-cases every `.txt` file under `src` and `lib` in place. */
const FORMAT_COMMAND =
  'for f in src/*.txt lib/*.txt; do [ -e "$f" ] || continue; tr a-z A-Z < "$f" > "$f.tmp" && mv "$f.tmp" "$f"; done';

/** Writes a pipeline with one task `format` that runs the formatter with these patterns. */
async function writeFormatter(dir: string, inputs: string[], outputs: string[]): Promise<void> {
  await writeFile(
    join(dir, "pipeline.ts"),
    `import { definePipeline, job, sh, task } from "${MOD_URL}";
export default definePipeline({
  name: "fmt",
  cache: "file:local",
  tasks: {
    format: task({ inputs: ${JSON.stringify(inputs)}, outputs: ${JSON.stringify(outputs)} },
      sh\`\${sh.raw(${JSON.stringify(FORMAT_COMMAND)})}\`),
  },
  jobs: { j: job({ target: "format" }) },
});
`,
  );
}

async function run(dir: string, args: string[] = []) {
  const result = await cli(dir, ["run", "j", ...args], baseEnv());
  assert.equal(result.code, 0, result.stderr);
  return result;
}

/** Returns the warning of task `format` for input patterns that match only outputs. */
function ownOutputsWarning(subject: string, outputs: string): string {
  return `task "format" runs uncached: ${subject} only files that are also its own outputs (${outputs}), so edits to those files cannot change its cache key and a cache hit would write stored files over them. Declare the outputs apart from the inputs, or set cache: false.`;
}

const SRC_WARNING = ownOutputsWarning("its input pattern (src/**) matches", "src/**");

Deno.test("formatter with a config input keeps an edit", async () => {
  const dir = await makeProject({ "src/a.txt": "hello world\n", ".prettierrc": "{}\n" });
  await writeFormatter(dir, ["src/**", ".prettierrc"], ["src/**"]);
  await run(dir);
  assert.equal(await readText(dir, "src/a.txt"), "HELLO WORLD\n");
  await writeFiles(dir, { "src/a.txt": "my new edit\n" });
  const second = await run(dir);
  assert.doesNotMatch(second.stdout, /format cached/);
  assert.equal(await readText(dir, "src/a.txt"), "MY NEW EDIT\n");
});

Deno.test("formatter with a config input warns naming the pattern", async () => {
  const dir = await makeProject({ "src/a.txt": "hello world\n", ".prettierrc": "{}\n" });
  await writeFormatter(dir, ["src/**", ".prettierrc"], ["src/**"]);
  const first = await run(dir);
  assert.ok(first.stdout.includes(SRC_WARNING), first.stdout);
  assert.doesNotMatch(first.stdout, /\(src\/\*\*, \.prettierrc\)/);
});

Deno.test("formatter with a config input is recorded with its pattern", async () => {
  const dir = await makeProject({ "src/a.txt": "hello world\n", ".prettierrc": "{}\n" });
  const pipeline = definePipeline({
    name: "fmt",
    cache: "file:local",
    tasks: {
      format: task({ inputs: ["src/**", ".prettierrc"], outputs: ["src/**"] }, sh`true`),
    },
    jobs: { j: job({ target: "format" }) },
  });
  const options = { id: "j", cwd: dir, env: baseEnv() };
  await runJob(pipeline, options);
  const record = await runJob(pipeline, options);
  const result = record.tasks[0];
  assert.equal(result.cacheHit, false);
  assert.deepEqual(result.cacheMiss, {
    kind: "uncacheable",
    inputsAreOutputs: true,
    inputPatterns: ["src/**"],
  });
  assert.deepEqual(result.warnings, [SRC_WARNING]);
});

Deno.test("several patterns at fault are named together", async () => {
  const dir = await makeProject({
    "src/a.txt": "source\n",
    "lib/b.txt": "library\n",
    ".prettierrc": "{}\n",
  });
  await writeFormatter(dir, ["src/**", "lib/**", ".prettierrc"], ["src/**", "lib/**"]);
  await run(dir);
  await writeFiles(dir, { "lib/b.txt": "edited library\n" });
  const second = await run(dir);
  const warning = ownOutputsWarning(
    "its input patterns (src/**, lib/**) each match",
    "src/**, lib/**",
  );
  assert.ok(second.stdout.includes(warning), second.stdout);
  assert.equal(await readText(dir, "lib/b.txt"), "EDITED LIBRARY\n");
});

Deno.test("only the patterns at fault are named", async () => {
  const dir = await makeProject({ "src/a.txt": "source\n", "lib/b.txt": "library\n" });
  await writeFormatter(dir, ["src/**", "lib/**"], ["src/**"]);
  const first = await run(dir);
  assert.ok(first.stdout.includes(SRC_WARNING), first.stdout);
  await writeFiles(dir, { "src/a.txt": "edited source\n" });
  await run(dir);
  assert.equal(await readText(dir, "src/a.txt"), "EDITED SOURCE\n");
});

Deno.test("formatter with an absent config file keeps an edit", async () => {
  const dir = await makeProject({ "src/a.txt": "hello world\n" });
  await writeFormatter(dir, ["src/**", ".prettierrc"], ["src/**"]);
  const first = await run(dir);
  assert.ok(first.stdout.includes(SRC_WARNING), first.stdout);
  await writeFiles(dir, { "src/a.txt": "my new edit\n" });
  const second = await run(dir);
  assert.doesNotMatch(second.stdout, /format cached/);
  assert.equal(await readText(dir, "src/a.txt"), "MY NEW EDIT\n");
});

Deno.test("tsc-style overlap with a config input stays cached", async () => {
  const dir = await makeProject({
    "src/a.ts": "export const a = 1;\n",
    "tsconfig.json": "{}\n",
  });
  await writeFile(
    join(dir, "pipeline.ts"),
    `import { definePipeline, job, sh, task } from "${MOD_URL}";
export default definePipeline({
  name: "tscin",
  cache: "file:local",
  tasks: { build: task({ inputs: ["src/**", "tsconfig.json"], outputs: ["src/**/*.js"] },
    sh\`for f in src/*.ts; do cp "$f" "\\\${f%.ts}.js"; done\`) },
  jobs: { j: job({ target: "build" }) },
});
`,
  );
  await run(dir);
  const second = await run(dir);
  assert.match(second.stdout, /build cached/);
  assert.doesNotMatch(second.stdout, /warning/);
});

Deno.test("pattern that matches no file is not at fault", async () => {
  // The formatter rewrites only `.txt` files, so it leaves this input as it is.
  const dir = await makeProject({ "src/a.md": "source\n" });
  await writeFormatter(dir, ["src/**", "styles/**"], ["out/**"]);
  await run(dir);
  const second = await run(dir);
  assert.match(second.stdout, /format cached/);
  assert.doesNotMatch(second.stdout, /warning/);
});

Deno.test("pattern without a fixed part that matches nothing", async () => {
  const dir = await makeProject({ "src/a.md": "source\n" });
  await writeFormatter(dir, ["src/**", "**/*.graphql"], ["out/**"]);
  await run(dir);
  const second = await run(dir);
  assert.match(second.stdout, /format cached/);
  assert.doesNotMatch(second.stdout, /warning/);
});

Deno.test("pattern without a fixed part can be at fault", async () => {
  const dir = await makeProject({ "src/a.txt": "source\n", ".prettierrc": "{}\n" });
  await writeFormatter(dir, ["**/*.txt", ".prettierrc"], ["src/**"]);
  const first = await run(dir);
  const warning = ownOutputsWarning("its input pattern (**/*.txt) matches", "src/**");
  assert.ok(first.stdout.includes(warning), first.stdout);
});

Deno.test("files that a ! pattern excludes do not count", async () => {
  const dir = await makeProject({
    "src/a.txt": "source\n",
    "src/README.md": "notes\n",
    ".prettierrc": "{}\n",
  });
  await writeFormatter(dir, ["src/**", "!src/**/*.md", ".prettierrc"], ["src/**/*.txt"]);
  const first = await run(dir);
  const warning = ownOutputsWarning("its input pattern (src/**) matches", "src/**/*.txt");
  assert.ok(first.stdout.includes(warning), first.stdout);
});

Deno.test("named file in both lists is at fault", async () => {
  const dir = await makeProject({
    "src/a.md": "source\n",
    "tsconfig.tsbuildinfo": "{}\n",
  });
  await writeFormatter(
    dir,
    ["src/**", "tsconfig.tsbuildinfo"],
    ["dist/**", "tsconfig.tsbuildinfo"],
  );
  const first = await run(dir);
  const warning = ownOutputsWarning(
    "its input pattern (tsconfig.tsbuildinfo) matches",
    "dist/**, tsconfig.tsbuildinfo",
  );
  assert.ok(first.stdout.includes(warning), first.stdout);
});

Deno.test("dry run names the pattern at fault", async () => {
  const dir = await makeProject({ "src/a.txt": "hello world\n", ".prettierrc": "{}\n" });
  await writeFormatter(dir, ["src/**", ".prettierrc"], ["src/**"]);
  await run(dir);
  const plan = await cli(dir, ["run", "j", "--dry-run"], baseEnv());
  assert.equal(plan.code, 0, plan.stderr);
  assert.doesNotMatch(plan.stdout, /format cache hit/);
  assert.match(plan.stdout, /format would run: its input pattern src\/\*\* matches only its own/);
  assert.ok(plan.stdout.includes(SRC_WARNING), plan.stdout);
});

Deno.test("explain names the pattern at fault", async () => {
  const dir = await makeProject({ "src/a.txt": "hello world\n", ".prettierrc": "{}\n" });
  await writeFormatter(dir, ["src/**", ".prettierrc"], ["src/**"]);
  await run(dir);
  const explained = await cli(dir, ["explain", "format"], baseEnv());
  assert.equal(explained.code, 0, explained.stderr);
  assert.match(
    explained.stdout,
    /It ran without the cache: its input pattern src\/\*\* matches only files that are also its own outputs/,
  );
  const json = await cli(dir, ["explain", "format", "--format", "json"], baseEnv());
  assert.match(json.stdout, /"inputPatterns": ?\[\s*"src\/\*\*"\s*\]/);
});

Deno.test("file added where the input walk does not look", async () => {
  // The input walk leaves out `src` because it contains only outputs. Adding
  // a file there keeps that walk's memo valid, so the check must find the
  // file by another walk.
  const dir = await makeProject({ ".prettierrc": "{}\n" });
  await mkdir(join(dir, "src"));
  await backdate(dir);
  const pipeline = makePipeline({
    format: task({ cache: true, inputs: ["src/**", ".prettierrc"], outputs: ["src/**"] }, sh`true`),
  });
  const input = lookupInput(pipeline, "format", dir);
  const first = await execute(cacheFor(pipeline, dir, { now: settled }), input);
  assert.equal(first.lookup.status, "miss");
  assert.equal(first.saved?.stored, true);
  const second = await execute(cacheFor(pipeline, dir, { now: settled }), input);
  assert.equal(second.lookup.status, "hit");

  await writeFiles(dir, { "src/a.txt": "new file\n" });
  const third = await execute(cacheFor(pipeline, dir, { now: settled }), input);
  assert.equal(third.lookup.status, "disabled");
  assert.equal(third.ran, true);
  assert.equal(await readText(dir, "src/a.txt"), "new file\n");
});

Deno.test("walk memo keeps the patterns that matched no file", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  await mkdir(join(dir, "docs", "notes"), { recursive: true });
  await backdate(dir);
  const load = () => FileStateIndex.load(join(dir, "index.json"), settled);
  const patterns = ["src/**", "./docs/", "!src/none"];
  const index = await load();
  const first = await memoizedListing(index, dir, patterns);
  assert.equal(first.memoized, true);
  assert.deepEqual(first.unmatched, ["docs"]);
  await index.save();

  const listed: string[] = [];
  const observer = { directory: (path: string) => listed.push(path), probe() {}, link() {} };
  const again = await memoizedListing(await load(), dir, patterns, { observer });
  assert.deepEqual(listed, []);
  assert.deepEqual(again.unmatched, ["docs"]);
});
