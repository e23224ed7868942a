/**
 * The JSR package as a Deno user gets it: built by `scripts/build_jsr.ts`
 * into a temporary directory, checked by `deno publish --dry-run`, and linked
 * in place of `jsr:@async/pipeline` in a Deno project that runs the CLI.
 */

import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as esbuild from "esbuild";
import ts from "typescript";
import { VERSION } from "../core/version.ts";
import { declarationImports, jsrConfig } from "../scripts/build_jsr.ts";
import { npmSpecifierPlugin, packageName } from "../scripts/npm_bundle.ts";
import {
  type CommandOutput,
  DENO,
  denoLinkedConfig,
  denoPathImportMap,
  DenoProject,
  describeOutput,
  projectEnv,
  REPO_ROOT,
  runChecked,
  runCommand,
} from "./npm_harness.ts";
import { PIPELINE_TS } from "./npm_fixtures.ts";

// One build serves the whole file.
let built: Promise<{ root: string; packageDir: string }> | undefined;

function build(): Promise<{ root: string; packageDir: string }> {
  built ??= (async () => {
    const root = await mkdtemp(join(tmpdir(), "async-pipeline-jsr-"));
    const packageDir = join(root, "package");
    await runChecked(DENO, ["run", "-A", "scripts/build_jsr.ts", "--out", packageDir], {
      cwd: REPO_ROOT,
      env: projectEnv(),
    });
    return { root, packageDir };
  })();
  return built;
}

globalThis.addEventListener("unload", () => {
  void built?.then(({ root }) => Deno.removeSync(root, { recursive: true }));
});

async function listFiles(dir: string, suffix: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(suffix))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function parseJson(output: CommandOutput, label: string): Record<string, unknown> {
  assert.equal(output.code, 0, describeOutput(label, output));
  return JSON.parse(output.stdout);
}

Deno.test("declarationImports points relative js imports at declaration files", () => {
  const text = [
    'import type { A } from "./a.js";',
    'export { b } from "../b/mod.js";',
    'export type C = import("./c.js").C;',
    'import "./side.js";',
    'import type { Y } from "yaml";',
    'export declare const url = "./not-an-import.js";',
  ].join("\n");
  assert.equal(
    declarationImports(text),
    [
      'import type { A } from "./a.d.ts";',
      'export { b } from "../b/mod.d.ts";',
      'export type C = import("./c.d.ts").C;',
      'import "./side.d.ts";',
      'import type { Y } from "yaml";',
      'export declare const url = "./not-an-import.js";',
    ].join("\n"),
  );
});

Deno.test("packageName reads bare specifiers only", () => {
  assert.equal(packageName("yaml"), "yaml");
  assert.equal(packageName("@scope/name/sub/path.js"), "@scope/name");
  assert.equal(packageName("tinyglobby/sub"), "tinyglobby");
  assert.equal(packageName("./local.js"), undefined);
  assert.equal(packageName("/abs.js"), undefined);
  assert.equal(packageName("node:fs"), undefined);
  assert.equal(packageName("npm:yaml@2"), undefined);
});

Deno.test("npmSpecifierPlugin maps dependencies and rejects other packages", async () => {
  const bundle = (source: string) =>
    esbuild.build({
      stdin: { contents: source, loader: "js" },
      bundle: true,
      format: "esm",
      platform: "node",
      write: false,
      logLevel: "silent",
      plugins: [npmSpecifierPlugin({ yaml: "^2.9.1" })],
    });
  try {
    const ok = await bundle('import { parse } from "yaml"; import "yaml/util"; export { parse };');
    const text = ok.outputFiles[0].text;
    assert.match(text, /from "npm:yaml@\^2\.9\.1"/);
    assert.match(text, /import "npm:yaml@\^2\.9\.1\/util"/);
    await assert.rejects(
      bundle('import picomatch from "picomatch"; export { picomatch };'),
      /"picomatch" is not a dependency in package\.json/,
    );
  } finally {
    await esbuild.stop();
  }
});

Deno.test("jsrConfig maps exports to bundles and dependencies to npm specifiers", () => {
  const config = jsrConfig(
    {
      name: "@async/pipeline",
      version: "1.2.3",
      license: "MIT",
      exports: { ".": "./mod.ts", "./cli": "./cli/main.ts" },
    },
    { dependencies: { yaml: "^2.9.1" } },
  );
  assert.deepEqual(config, {
    name: "@async/pipeline",
    version: "1.2.3",
    license: "MIT",
    exports: { ".": "./mod.js", "./cli": "./cli/main.js" },
    imports: { yaml: "npm:yaml@^2.9.1" },
  });
});

Deno.test("jsr build: every export is a bundle that names its declaration file", async () => {
  const { packageDir } = await build();
  const config = JSON.parse(await readFile(join(packageDir, "deno.json"), "utf8"));
  assert.equal(config.version, VERSION);
  const source = JSON.parse(await readFile(join(REPO_ROOT, "deno.json"), "utf8"));
  assert.deepEqual(Object.keys(config.exports), Object.keys(source.exports));
  for (const target of Object.values(config.exports) as string[]) {
    const text = await readFile(join(packageDir, target), "utf8");
    const match = /^(?:#![^\n]*\n)?\/\/ @ts-self-types="([^"]+)"\n/.exec(text);
    assert.ok(match, `${target} does not start with @ts-self-types`);
    await readFile(join(packageDir, dirname(target), match[1]), "utf8");
  }
});

Deno.test("jsr build: ships the guides", async () => {
  const { packageDir } = await build();
  const guides = (await readdir(join(REPO_ROOT, "docs"))).filter((name) => name.endsWith(".md"));
  const shipped = await readdir(join(packageDir, "docs"));
  assert.notEqual(guides.length, 0);
  assert.deepEqual(shipped.sort(), guides.sort());
  const readme = await readFile(join(packageDir, "README.md"), "utf8");
  assert.match(readme, /\]\(docs\/running\.md\)/);
  assert.doesNotMatch(readme, /\]\(pipeline\.ts\)/);
});

Deno.test("jsr build: modules import packages only through npm specifiers", async () => {
  const { packageDir } = await build();
  const files = await listFiles(packageDir, ".js");
  assert.ok(files.length > 5, `only ${files.length} modules`);
  const bare: string[] = [];
  for (const file of files) {
    const imports = ts.preProcessFile(await readFile(file, "utf8"), true, true).importedFiles;
    for (const { fileName } of imports) {
      if (!/^(?:\.{1,2}\/|node:|npm:)/.test(fileName)) bare.push(`${file}: ${fileName}`);
    }
  }
  assert.deepEqual(bare, []);
});

Deno.test("jsr build: deno publish dry run passes", async () => {
  const { packageDir } = await build();
  // Runs offline: the dry run checks the package and its slow types locally.
  const output = await runCommand(DENO, ["publish", "--dry-run", "--allow-dirty"], {
    cwd: packageDir,
    env: { ...projectEnv(), NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
  });
  assert.equal(output.code, 0, describeOutput("deno publish --dry-run", output));
  assert.match(output.stderr, /Dry run complete/);
  assert.doesNotMatch(output.stderr, /^error/m);
  assert.doesNotMatch(output.stderr, /TS\d{4}/);
});

Deno.test({
  name: "jsr build: deno runs the cli export, then hits the cache",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { root, packageDir } = await build();
    const deno = await DenoProject.create(root, {
      "deno.json": await denoLinkedConfig(packageDir),
      "pipeline.ts": PIPELINE_TS,
    });
    const cli = ["run", "-A", "jsr:@async/pipeline/cli"];
    const version = await deno.deno([...cli, "--version"]);
    assert.equal(version.code, 0, describeOutput("--version", version));
    assert.equal(version.stdout, `${VERSION}\n`);
    const help = await deno.deno([...cli, "--help"]);
    assert.match(
      help.stdout,
      /^Usage: deno run -A jsr:@async\/pipeline\/cli <command> \[options\]$/m,
    );

    const first = parseJson(
      await deno.deno([...cli, "run", "verify", "--format", "json"]),
      "run verify",
    );
    assert.equal(first.status, "passed");
    const second = parseJson(
      await deno.deno([...cli, "run", "verify", "--format", "json"]),
      "run verify again",
    );
    assert.equal(second.status, "passed");
    const tasks = second.tasks as { id: string; cacheHit?: boolean }[];
    assert.equal(tasks.find((task) => task.id === "build")?.cacheHit, true);
    const greeting = await readFile(join(deno.dir, "dist", "greeting.txt"), "utf8");
    assert.equal(greeting, "hello from TypeScript");
  },
});

Deno.test({
  name: "jsr build: cli metadata matches the source cli",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { root, packageDir } = await build();
    const linked = await DenoProject.create(root, {
      "deno.json": await denoLinkedConfig(packageDir),
      "pipeline.ts": PIPELINE_TS,
    });
    const source = await DenoProject.create(root, {
      "deno.json": await denoPathImportMap(),
      "pipeline.ts": PIPELINE_TS,
    });
    const fromBuild = parseJson(
      await linked.deno(["run", "-A", "jsr:@async/pipeline/cli", "metadata", "--format", "json"]),
      "metadata from the build",
    );
    const fromSource = parseJson(
      await source.deno([
        "run",
        "-A",
        join(REPO_ROOT, "cli", "main.ts"),
        "metadata",
        "--format",
        "json",
      ]),
      "metadata from the source",
    );
    assert.deepEqual(fromBuild, fromSource);
    await rm(linked.dir, { recursive: true, force: true });
    await rm(source.dir, { recursive: true, force: true });
  },
});
