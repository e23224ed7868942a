/**
 * The npm package as a Node user gets it: built by `scripts/build_npm.ts`,
 * packed once, installed from the tarball into fresh projects under Node 20
 * and Node 24, and exercised there through the bin, `node --test` and the
 * TypeScript compiler. The Deno CLI runs on the same pipeline for comparison.
 */

import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import ts from "typescript";
import { VERSION } from "../core/version.ts";
import { entryPoints } from "../scripts/build_npm.ts";
import { CHUNK_DIR } from "../scripts/npm_bundle.ts";
import { REQUIRED_PACKAGES } from "../scripts/npm_commonjs.ts";
import { hasContent, isAlive } from "./support/projects.ts";
import { listSourceModules } from "../scripts/npm_compile.ts";
import {
  buildAndPack,
  type BuiltPackage,
  type CommandOutput,
  denoPathImportMap,
  DenoProject,
  describeOutput,
  jsonShape,
  NODE_24,
  NodeProject,
  type NodeRuntime,
  REPO_ROOT,
  runCommand,
  SYSTEM_NODE,
  waitFor,
} from "./npm_harness.ts";
import {
  CACHED_PIPELINE_TS,
  COMMONJS_PACKAGE_JSON,
  COMMONJS_PIPELINE_TS,
  CONSOLE_PIPELINE_TS,
  CONSUMER_TS,
  consumerTsconfig,
  ENUM_PIPELINE_TS,
  IMPORTS_CLI_MAIN_JS,
  LOADED_BUILTINS_MJS,
  MANY_PIPELINE_TS,
  PACKAGE_JSON,
  PIPELINE_MJS,
  PIPELINE_TS,
  PUBLISH_TEST_MJS,
  SIGNALS_PIPELINE_TS,
  SUBPATHS_TEST_MJS,
} from "./npm_fixtures.ts";

const RUNTIMES: readonly NodeRuntime[] = [SYSTEM_NODE, NODE_24];

/** Files of every Node test project. */
const PROJECT_FILES: Readonly<Record<string, string>> = {
  "package.json": PACKAGE_JSON,
  "pipeline.ts": PIPELINE_TS,
  "alt/pipeline.mjs": PIPELINE_MJS,
  "enum/pipeline.ts": ENUM_PIPELINE_TS,
  "cjs/package.json": COMMONJS_PACKAGE_JSON,
  "cjs/pipeline.ts": COMMONJS_PIPELINE_TS,
  "test/subpaths.test.mjs": SUBPATHS_TEST_MJS,
  "tools/main.js": IMPORTS_CLI_MAIN_JS,
  "test/publish.test.mjs": PUBLISH_TEST_MJS,
  "signals/pipeline.ts": SIGNALS_PIPELINE_TS,
  "cached/pipeline.ts": CACHED_PIPELINE_TS,
  "cached/src/input.txt": "cached input\n",
  "tools/loaded_builtins.mjs": LOADED_BUILTINS_MJS,
  "many/pipeline.ts": MANY_PIPELINE_TS,
  "console/pipeline.ts": CONSOLE_PIPELINE_TS,
  // Line 4 lacks the `}` that closes the type, so `pkgs` (column 7) is unexpected.
  "broken/pipeline.ts":
    "type Pkg = {\n  name: string;\n\nconst pkgs: Pkg[] = [];\nexport default pkgs;\n",
};

// One build and one tarball serve the whole file. The projects of both Node
// versions install in parallel as soon as the first test requests one.
let built: Promise<BuiltPackage> | undefined;
let buildRoot: string | undefined;
let projects: Map<NodeRuntime, Promise<NodeProject>> | undefined;

function build(): Promise<BuiltPackage> {
  built ??= buildAndPack().then((pkg) => {
    buildRoot = pkg.root;
    return pkg;
  });
  return built;
}

function project(runtime: NodeRuntime): Promise<NodeProject> {
  projects ??= new Map(
    RUNTIMES.map((each) => [
      each,
      build().then((pkg) => NodeProject.create(pkg.root, each, pkg.tarball, PROJECT_FILES)),
    ]),
  );
  return projects.get(runtime)!;
}

// Removes the temporary build and every project in it once the tests of this file ran.
globalThis.addEventListener("unload", () => {
  if (buildRoot) Deno.removeSync(buildRoot, { recursive: true });
});

/** Registers a test that shares the build and projects started by earlier tests. */
function packageTest(name: string, fn: () => Promise<void>): void {
  // Installs started in one test finish in another, so the op and resource
  // sanitizers would report them.
  Deno.test({ name, fn, sanitizeOps: false, sanitizeResources: false });
}

/**
 * Runs the installed bin directly (npm's own scripts may turn on the compile
 * cache) with `--version` and a new temporary directory as `TMPDIR`, where
 * Node's compile cache goes when `NODE_COMPILE_CACHE` is unset.
 */
async function binWithTempDir(node: NodeProject, env: Record<string, string>) {
  const tmp = await mkdtemp(join(node.dir, "tmp-"));
  const base = { ...node.env };
  delete base.NODE_COMPILE_CACHE;
  delete base.NODE_DISABLE_COMPILE_CACHE;
  const bin = join(node.dir, "node_modules", ".bin", "async-pipeline");
  const output = await runCommand(bin, ["--version"], {
    cwd: node.dir,
    env: { ...base, TMPDIR: tmp, ...env },
  });
  return { tmp, output };
}

/** Lists the files under `tmp/node-compile-cache`, or none when it does not exist. */
async function cacheFiles(tmp: string): Promise<string[]> {
  try {
    const entries = await readdir(join(tmp, "node-compile-cache"), {
      recursive: true,
      withFileTypes: true,
    });
    return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/** Returns the parent pid of `pid`, from `/proc`. */
async function parentOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

function assertExit(output: CommandOutput, code: number, label: string): void {
  assert.equal(output.code, code, describeOutput(label, output));
}

function parseJson(output: CommandOutput, label: string, code = 0): Record<string, unknown> {
  assertExit(output, code, label);
  try {
    return JSON.parse(output.stdout) as Record<string, unknown>;
  } catch {
    assert.fail(describeOutput(`${label} printed invalid JSON`, output));
  }
}

packageTest("npm manifest mirrors deno.json", async () => {
  const pkg = await build();
  const manifest = JSON.parse(await readFile(join(pkg.packageDir, "package.json"), "utf8"));
  const deno = JSON.parse(await readFile(join(REPO_ROOT, "deno.json"), "utf8"));
  const development = JSON.parse(await readFile(join(REPO_ROOT, "package.json"), "utf8"));

  assert.equal(manifest.name, "@async/pipeline");
  assert.equal(manifest.version, deno.version);
  assert.equal(manifest.type, "module");
  assert.deepEqual(Object.keys(manifest.exports), [...Object.keys(deno.exports), "./package.json"]);
  assert.deepEqual(manifest.bin, { "async-pipeline": "./cli/bin.js" });
  assert.deepEqual(manifest.engines, { node: ">=20" });
  assert.deepEqual(manifest.dependencies, development.dependencies);
  assert.equal(manifest.devDependencies, undefined);
  assert.equal(manifest.scripts, undefined);
});

packageTest("npm tarball holds every declaration", async () => {
  const pkg = await build();
  const paths = new Set(pkg.files.map((file) => file.path));
  const modules = await listSourceModules(REPO_ROOT);
  assert.notEqual(modules.length, 0);
  for (const module of modules) {
    const base = module.slice(REPO_ROOT.length).replace(/\.ts$/, "");
    assert.ok(paths.has(`${base}.d.ts`), `${base}.d.ts missing from the tarball`);
  }
  for (const name of ["package.json", "README.md", "LICENSE"]) {
    assert.ok(paths.has(name), `${name} missing from the tarball`);
  }
  const unexpected = [...paths].filter((path) =>
    path.startsWith("tests/") || path.startsWith("scripts/") ||
    (path.endsWith(".ts") && !path.endsWith(".d.ts"))
  );
  assert.deepEqual(unexpected, []);
});

packageTest("npm tarball ships the guides", async () => {
  const pkg = await build();
  const paths = new Set(pkg.files.map((file) => file.path));
  const guides = (await readdir(join(REPO_ROOT, "docs"))).filter((name) => name.endsWith(".md"));
  assert.notEqual(guides.length, 0);
  for (const name of guides) assert.ok(paths.has(`docs/${name}`), `docs/${name} missing`);
  const readme = await readFile(join(pkg.packageDir, "README.md"), "utf8");
  assert.match(readme, /\]\(docs\/running\.md\)/);
  assert.doesNotMatch(readme, /\]\(pipeline\.ts\)/);
});

packageTest("npm tarball bundles the entry points", async () => {
  const pkg = await build();
  const manifest = JSON.parse(await readFile(join(pkg.packageDir, "package.json"), "utf8"));
  const scripts = pkg.files.map((file) => file.path).filter((path) => path.endsWith(".js"));
  const outsideChunks = scripts.filter((path) => !path.startsWith(`${CHUNK_DIR}/`));
  assert.deepEqual(outsideChunks.sort(), entryPoints(manifest).sort());
});

/** Lists the package files that `file` imports statically, relative to the package root. */
async function staticImports(packageDir: string, file: string): Promise<string[]> {
  const text = await readFile(join(packageDir, file), "utf8");
  const pattern = /^(?:import|export)[\s{*][^;]*?from\s*"([^"]+)";|^import\s*"([^"]+)";/gm;
  return [...text.matchAll(pattern)]
    .map((match) => match[1] ?? match[2])
    .filter((specifier) => specifier.startsWith("."))
    .map((specifier) => join(dirname(file), specifier));
}

packageTest("npm run path loads one chunk", async () => {
  const pkg = await build();
  const reached = new Set<string>();
  const pending = ["cli/main.js", "mod.js"];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (reached.has(file)) continue;
    reached.add(file);
    pending.push(...await staticImports(pkg.packageDir, file));
  }
  const chunks = [...reached].filter((file) => file.startsWith(`${CHUNK_DIR}/`));
  assert.equal(chunks.length, 1, `the run path loads ${chunks.join(", ")}`);
  assert.deepEqual(await staticImports(pkg.packageDir, "cli/bin.js"), []);
});

packageTest("npm modules import runtime dependencies", async () => {
  const pkg = await build();
  const manifest = JSON.parse(await readFile(join(pkg.packageDir, "package.json"), "utf8"));
  const allowed = new Set(Object.keys(manifest.dependencies));
  const foreign: string[] = [];
  for (const file of pkg.files.filter((each) => each.path.endsWith(".js"))) {
    const text = await readFile(join(pkg.packageDir, file.path), "utf8");
    // preProcessFile reads import and export statements and import() calls, not comments.
    for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
      if (fileName.startsWith(".") || fileName.startsWith("node:")) continue;
      const name = fileName.startsWith("@")
        ? fileName.split("/").slice(0, 2).join("/")
        : fileName.split("/")[0];
      if (!allowed.has(name)) foreign.push(`${file.path} imports ${fileName}`);
    }
  }
  assert.deepEqual(foreign, []);
});

packageTest("npm modules import no built-in by name", async () => {
  const pkg = await build();
  const named: string[] = [];
  for (const file of pkg.files.filter((each) => each.path.endsWith(".js"))) {
    const text = await readFile(join(pkg.packageDir, file.path), "utf8");
    for (const [statement] of text.matchAll(/^import \{[^}]*\} from "node:[^"]+";$/gm)) {
      if (!statement.endsWith('from "node:module";')) named.push(`${file.path}: ${statement}`);
    }
  }
  assert.deepEqual(named, []);
});

packageTest("npm modules require CommonJS packages", async () => {
  const pkg = await build();
  const imported: string[] = [];
  for (const file of pkg.files.filter((each) => each.path.endsWith(".js"))) {
    const text = await readFile(join(pkg.packageDir, file.path), "utf8");
    for (const name of REQUIRED_PACKAGES) {
      if (text.includes(`from "${name}"`)) imported.push(`${file.path} imports ${name}`);
    }
  }
  assert.deepEqual(imported, []);
});

packageTest("npm exports point at packed files", async () => {
  const pkg = await build();
  const manifest = JSON.parse(await readFile(join(pkg.packageDir, "package.json"), "utf8"));
  const paths = new Set(pkg.files.map((file) => file.path));
  const targets = Object.values(manifest.exports as Record<string, string | object>)
    .flatMap((target) => typeof target === "string" ? [target] : Object.values(target));
  for (const target of targets) {
    assert.ok(paths.has(target.replace(/^\.\//, "")), `${target} is not in the tarball`);
  }
});

packageTest("npm bin has shebang and mode", async () => {
  const pkg = await build();
  const bin = pkg.files.find((file) => file.path === "cli/bin.js");
  assert.ok(bin, "cli/bin.js missing from the tarball");
  assert.equal(bin.mode & 0o111, 0o111, `cli/bin.js mode ${bin.mode.toString(8)}`);
  const text = await readFile(join(pkg.packageDir, "cli/bin.js"), "utf8");
  assert.equal(text.split("\n")[0], "#!/usr/bin/env node");
});

for (const runtime of RUNTIMES) {
  const name = runtime.label;

  packageTest(`${name} project uses that Node`, async () => {
    const node = await project(runtime);
    const output = await node.node(["-p", "process.version + ' ' + process.features.typescript"]);
    assertExit(output, 0, "node -p");
    const [version, typescript] = output.stdout.trim().split(" ");
    assert.match(version, new RegExp(`^v${runtime.major}\\.`));
    // Node 20 has no type stripping, so pipeline.ts goes through jiti there;
    // Node 24 strips types natively.
    assert.equal(typescript, runtime.major >= 24 ? "strip" : "undefined");
  });

  packageTest(`${name} bin prints the version`, async () => {
    const output = await (await project(runtime)).bin(["--version"]);
    assertExit(output, 0, "async-pipeline --version");
    assert.equal(output.stdout, `${VERSION}\n`);
    assert.equal(output.stderr, "");
  });

  packageTest(`${name} metadata reads pipeline.ts`, async () => {
    const output = await (await project(runtime)).bin(["metadata", "--format", "json"]);
    const metadata = parseJson(output, "metadata --format json");
    assert.equal(output.stderr, "", "loading pipeline.ts printed warnings");
    assert.equal(metadata.name, "npm-fixture");
    assert.deepEqual(Object.keys(metadata.tasks as object).sort(), ["build", "publish", "test"]);
    assert.deepEqual(Object.keys(metadata.jobs as object).sort(), ["publish", "verify"]);
  });

  packageTest(`${name} metadata reads pipeline.mjs`, async () => {
    const node = await project(runtime);
    const output = await node.bin(["metadata", "--format", "json", "--config", "alt/pipeline.mjs"]);
    assert.equal(parseJson(output, "metadata of pipeline.mjs").name, "mjs-fixture");
  });

  packageTest(`${name} loads a pipeline with an enum`, async () => {
    const node = await project(runtime);
    const output = await node.bin(["metadata", "--format", "json", "--config", "enum/pipeline.ts"]);
    assert.equal(parseJson(output, "metadata of enum/pipeline.ts").name, "enum-fixture");
  });

  packageTest(`${name} loads pipeline.ts in CommonJS folder`, async () => {
    const node = await project(runtime);
    const output = await node.bin(["metadata", "--format", "json", "--config", "cjs/pipeline.ts"]);
    assert.equal(parseJson(output, "metadata of cjs/pipeline.ts").name, "commonjs-fixture");
  });

  packageTest(`${name} bin exits 1 on errors`, async () => {
    const node = await project(runtime);

    const unknown = await node.bin(["frobnicate"]);
    assertExit(unknown, 1, "async-pipeline frobnicate");
    assert.match(unknown.stderr, /^error\[ASYNC_PIPELINE_USAGE\]: unknown command "frobnicate"/);

    const missing = await node.bin(["metadata", "--config", "missing.ts"]);
    assertExit(missing, 1, "metadata --config missing.ts");
    assert.match(missing.stderr, /^error\[ASYNC_PIPELINE_CONFIG_NOT_FOUND\]/);
    assert.doesNotMatch(missing.stderr, /^\s+at /m, "printed a stack trace without --debug");
  });

  packageTest(`${name} names the place of a syntax error`, async () => {
    const node = await project(runtime);
    const output = await node.bin(["metadata", "--config", "broken/pipeline.ts"]);
    assertExit(output, 1, "metadata --config broken/pipeline.ts");
    assert.match(output.stderr, /^error\[ASYNC_PIPELINE_CONFIG_LOAD_FAILED\]: Failed to load /);
    assert.match(output.stderr, /\n {2}at (?:file:\/\/)?\/\S*\/broken\/pipeline\.ts:4:7\n/);
    assert.doesNotMatch(output.stderr, / +\n/, "a line ends in spaces");
    assert.match(
      output.stderr,
      /\n {2}hint: Fix the error, in the pipeline file or a module it imports, and run again\.\n$/,
    );
  });

  const compileCache = runtime.major >= 22 ? "enables" : "skips";
  packageTest(`${name} bin ${compileCache} the compile cache`, async () => {
    const node = await project(runtime);
    const { tmp, output } = await binWithTempDir(node, {});
    assertExit(output, 0, "async-pipeline --version");
    const files = await cacheFiles(tmp);
    if (runtime.major >= 22) assert.notEqual(files.length, 0, "no compile cache written");
    else assert.deepEqual(files, []);
  });

  packageTest(`${name} runs the cli module directly`, async () => {
    const node = await project(runtime);
    const output = await node.node(["node_modules/@async/pipeline/cli/main.js", "--version"]);
    assertExit(output, 0, "node cli/main.js --version");
    assert.equal(output.stdout, `${VERSION}\n`);
  });

  packageTest(`${name} importing the cli runs nothing`, async () => {
    const output = await (await project(runtime)).node(["tools/main.js"]);
    assertExit(output, 0, "node tools/main.js");
    assert.equal(output.stdout, "function\n");
  });

  packageTest(`${name} syncs jobs into package.json`, async () => {
    const node = await project(runtime);
    const generate = await node.bin(["sync", "tasks", "generate"]);
    assertExit(generate, 0, "sync tasks generate");

    const scripts = JSON.parse(await node.read("package.json")).scripts;
    assert.equal(scripts["pipeline:verify"], "async-pipeline run verify");
    assert.equal(scripts["pipeline:publish"], "async-pipeline run publish");
    assertExit(await node.bin(["sync", "tasks", "check"]), 0, "sync tasks check");
  });

  packageTest(`${name} github check finds drift`, async () => {
    const node = await project(runtime);

    const stale = await node.bin(["github", "check"]);
    assertExit(stale, 1, "github check before generate");
    assert.match(stale.stderr, /^error\[ASYNC_PIPELINE_SYNC_STALE\]/m);

    assertExit(await node.bin(["github", "generate"]), 0, "github generate");
    const workflow = await node.read(".github/workflows/async-pipeline.yml");
    assert.match(workflow, /run: npx async-pipeline run verify$/m);

    const current = await node.bin(["github", "check"]);
    assertExit(current, 0, "github check after generate");
  });

  packageTest(`${name} npm runs the synced script`, async () => {
    const node = await project(runtime);
    const output = await node.npm(["run", "pipeline:verify"]);
    assertExit(output, 0, "npm run pipeline:verify");
    assert.match(output.stdout, /verify passed/);
    assert.equal(await node.read("dist/greeting.txt"), "hello from TypeScript");
  });

  packageTest(`${name} run verify writes a record`, async () => {
    const node = await project(runtime);
    const output = await node.bin(["run", "verify", "--format", "json", "--force"]);
    const record = parseJson(output, "run verify --format json");
    assert.equal(record.status, "passed");
    assert.equal(record.jobId, "verify");
    assert.equal(record.pipelineName, "npm-fixture");
    const tasks = record.tasks as { id: string; status: string }[];
    assert.deepEqual(tasks.map((task) => [task.id, task.status]), [
      ["build", "passed"],
      ["test", "passed"],
    ]);
    const stored = JSON.parse(await node.read(`.async/runs/${record.id}/execution.json`));
    assert.deepEqual(stored, record);
  });

  packageTest(`${name} run masks step console output`, async () => {
    const node = await project(runtime);
    const args = ["run", "speak", "--config", "console/pipeline.ts", "--format", "json"];
    const output = await node.bin(args, { CONSOLE_TOKEN: "npm-console-secret" });
    const record = parseJson(output, "run speak --format json", 1);
    assert.equal(record.status, "failed");
    assert.ok(!(output.stdout + output.stderr).includes("npm-console-secret"));
    const [speak] = record.tasks as { error?: { message: string } }[];
    assert.match(speak.error!.message, /uncaught exception in task code: thrown from a timer$/);
    const log = await node.read(`console/.async/runs/${record.id}/logs/speak.stdout.log`);
    assert.equal(log, "console ***\nwrite ***\n");
  });

  packageTest(`${name} cached run loads no child_process`, async () => {
    const node = await project(runtime);
    const args = ["run", "copy", "--config", "cached/pipeline.ts"];
    assert.match((await node.bin(args)).stdout, /1 passed, 0 cached/);
    const list = join(node.dir, "cached", "builtins.txt");
    // The bin runs directly: under npx, npm's own process would load the hook too.
    const bin = join(node.dir, "node_modules", ".bin", "async-pipeline");
    const output = await node.exec(bin, args, {
      NODE_OPTIONS: `--import=${join(node.dir, "tools", "loaded_builtins.mjs")}`,
      LOADED_BUILTINS_FILE: list,
    });
    assertExit(output, 0, "cached run copy");
    assert.match(output.stdout, /0 passed, 1 cached/);
    const loaded = (await readFile(list, "utf8")).split("\n");
    assert.ok(loaded.includes("crypto"), `the list misses crypto: ${loaded.join(" ")}`);
    assert.deepEqual(loaded.filter((id) => id.includes("child_process")), []);
  });

  packageTest(`${name} runJob runs the publish job`, async () => {
    const node = await project(runtime);
    const output = await node.node(["--test", "--test-reporter=tap", "test/publish.test.mjs"]);
    assertExit(output, 0, "node --test test/publish.test.mjs");
    assert.match(output.stdout, /^# pass 3$/m);
    assert.doesNotMatch(output.stdout + output.stderr, /fake-token/);
  });

  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    packageTest(`${name} bin exits ${code} on ${signal}`, async () => {
      const node = await project(runtime);
      await node.remove("signals/hold.started");
      const run = node.startBin(["run", "hold", "--config", "signals/pipeline.ts"]);
      await waitFor("the hold task to start", () => node.exists("signals/hold.started"));
      run.kill(signal);
      const output = await run.output;
      assertExit(output, code, `async-pipeline run hold stopped by ${signal}`);
      assert.match(output.stdout, new RegExp(`Stopped: .*${signal}`));
    });
  }

  packageTest(`${name} spawner runs many tasks and a timeout`, async () => {
    const node = await project(runtime);
    await node.remove("many/slow.pid");
    const output = await node.bin(["run", "slow", "--config", "many/pipeline.ts", "--force"]);
    assertExit(output, 1, "async-pipeline run slow");
    for (const i of [0, 59]) {
      assert.match(output.stdout, new RegExp(`out-${i}\\b`));
      assert.match(output.stdout + output.stderr, new RegExp(`err-${i}\\b`));
    }
    assert.match(output.stdout, /1 failed/);
    assert.match(output.stdout, /slow timed out/);
    const pid = Number(await node.read("many/slow.pid"));
    await waitFor("the timed-out grandchild to exit", () => Promise.resolve(!isAlive(pid)));
  });

  packageTest(`${name} spawner stops tasks on SIGINT`, async () => {
    const node = await project(runtime);
    await node.remove("many/hold.pid");
    const run = node.startBin(["run", "hold", "--config", "many/pipeline.ts", "--force"]);
    // The shell creates the file before it writes the pid, so wait for its content.
    await waitFor("the hold task to start", () => hasContent(join(node.dir, "many/hold.pid")));
    const pid = Number(await node.read("many/hold.pid"));
    // By the last task, the spawner process, not the runner, is the shell's parent.
    const shell = await parentOf(pid);
    assert.notEqual(await parentOf(shell), run.pid);
    run.kill("SIGINT");
    const output = await run.output;
    assertExit(output, 130, "async-pipeline run hold stopped by SIGINT");
    await waitFor("the held grandchild to exit", () => Promise.resolve(!isAlive(pid)));
  });

  packageTest(`${name} bin exits 141 on closed pipe`, async () => {
    const node = await project(runtime);
    const script = "node_modules/.bin/async-pipeline run ticks --config signals/pipeline.ts " +
      "| head -1; exit ${PIPESTATUS[0]}";
    const output = await node.exec("bash", ["-c", script]);
    assertExit(output, 141, "async-pipeline run ticks | head -1");
  });

  packageTest(`${name} node --test imports subpaths`, async () => {
    const node = await project(runtime);
    const output = await node.node(["--test", "--test-reporter=tap", "test/subpaths.test.mjs"]);
    assertExit(output, 0, "node --test");
    assert.match(output.stdout, /^# pass 6$/m);
    assert.match(output.stdout, /^# fail 0$/m);
  });
}

packageTest("Node 24 bin honors NODE_DISABLE_COMPILE_CACHE", async () => {
  const node = await project(NODE_24);
  const { tmp, output } = await binWithTempDir(node, { NODE_DISABLE_COMPILE_CACHE: "1" });
  assertExit(output, 0, "async-pipeline --version");
  assert.deepEqual(await cacheFiles(tmp), []);
});

packageTest("npm declarations type-check for consumers", async () => {
  const node = await project(SYSTEM_NODE);
  await node.write("consumer/consumer.ts", CONSUMER_TS);
  await node.write(
    "consumer/tsconfig.json",
    consumerTsconfig(join(REPO_ROOT, "node_modules", "@types")),
  );
  const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
  const output = await node.exec("node", [tsc, "-p", "consumer"]);
  assertExit(output, 0, "tsc -p consumer");
});

packageTest("deno cli module matches npm metadata", async () => {
  const pkg = await build();
  const deno = await DenoProject.create(pkg.root, {
    "deno.json": await denoPathImportMap(),
    "pipeline.ts": PIPELINE_TS,
  });
  const cli = join(REPO_ROOT, "cli", "main.ts");
  const fromDeno = parseJson(
    await deno.deno(["run", "-A", cli, "metadata", "--format", "json"]),
    "deno run cli/main.ts metadata",
  );
  const fromNode = parseJson(
    await (await project(SYSTEM_NODE)).bin(["metadata", "--format", "json"]),
    "npx async-pipeline metadata",
  );
  assert.deepEqual(fromDeno, fromNode);
});

packageTest("deno cli record matches npm shape", async () => {
  const pkg = await build();
  const deno = await DenoProject.create(pkg.root, {
    "deno.json": await denoPathImportMap(),
    "pipeline.ts": PIPELINE_TS,
  });
  const cli = join(REPO_ROOT, "cli", "main.ts");
  const args = ["run", "verify", "--format", "json", "--force"];
  const fromDeno = parseJson(await deno.deno(["run", "-A", cli, ...args]), "deno run verify");
  const fromNode = parseJson(
    await (await project(SYSTEM_NODE)).bin(args),
    "npx async-pipeline run verify",
  );
  assert.equal(fromDeno.status, "passed");
  assert.deepEqual(jsonShape(fromDeno), jsonShape(fromNode));
});
