/**
 * Profiles one scenario of the async-pipeline CLI with the V8 CPU profiler
 * and prints where the runner's own time went. Under Node it runs the npm
 * build, as the benchmark does, and under Deno the repository's sources.
 * Child processes (the task commands) are not part of the profile.
 *
 *   deno task bench:profile [--suite p200] [--scenario cached] [--runtime node|deno]
 *     [--build auto|source|npm] [--concurrency 2] [--work <dir>] [--out <dir>] [--reuse]
 *
 * @module
 */

import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import process from "node:process";
import { asyncPipelineAdapter, type AsyncPipelineBuild } from "./lib/adapters/async_pipeline.ts";
import { type BenchEnvironment, benchEnvironment } from "./lib/adapters/types.ts";
import { bundleLocator } from "./lib/bundle_locator.ts";
import { renderProfileSummary, rootLocator, summarizeProfile } from "./lib/cpuprofile.ts";
import { shellQuote } from "./lib/measure.ts";
import { packNpmBuild } from "./lib/npm_build.ts";
import { checkChoice, parseCommandLine, positiveInteger, runCommand } from "./lib/options.ts";
import { waitOutRacyWindow } from "./lib/run_suite.ts";
import { SUITES } from "./lib/suites.ts";
import { generateWorkspace } from "./lib/workspace.ts";

const BENCH_DIR = new URL(".", import.meta.url).pathname.replace(/\/$/, "");
const REPO_DIR = resolve(BENCH_DIR, "..");
const PACKAGE = "@async/pipeline";

/** Parses the command line, or throws a `UsageError` naming the bad value. */
function parseOptions(argv: string[]) {
  const values = parseCommandLine(argv, {
    suite: { type: "string", default: "p200" },
    scenario: { type: "string", default: "cached" },
    runtime: { type: "string", default: "node" },
    build: { type: "string", default: "auto" },
    concurrency: { type: "string", default: "2" },
    work: { type: "string", default: join(tmpdir(), "async-pipeline-bench", "profile") },
    out: { type: "string", default: join(BENCH_DIR, "results", "raw", "profiles") },
    reuse: { type: "boolean", default: false },
  });
  const label = checkChoice("--suite", values.suite, Object.keys(SUITES));
  const suite = SUITES[label]();
  // Each suite takes the scenarios the benchmark measures on it.
  const scenario = checkChoice("--scenario", values.scenario, suite.scenarios, ` for ${label}`);
  const runtime = checkChoice("--runtime", values.runtime, ["node", "deno"] as const);
  let build = checkChoice("--build", values.build, ["auto", "source", "npm"] as const);
  if (build === "auto") build = runtime === "node" ? "npm" : "source";
  return {
    suite,
    scenario,
    runtime,
    build,
    concurrency: positiveInteger("--concurrency", values.concurrency),
    work: resolve(values.work),
    out: resolve(values.out),
    reuse: values.reuse,
  };
}

type ProfileOptions = ReturnType<typeof parseOptions>;

function sha256(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/**
 * Generates the suite's workspace for `build`, or keeps the one from an
 * earlier call when `--reuse` is set. A workspace of the npm build is kept
 * only while the freshly packed tarball is byte for byte the one it
 * installed, so a profile never runs a stale build.
 */
function prepareWorkspace(
  options: ProfileOptions,
  bench: BenchEnvironment,
  build: AsyncPipelineBuild,
): string {
  const adapter = asyncPipelineAdapter(bench, options.runtime, build);
  const dir = join(
    options.work,
    build.kind === "npm" ? `${options.suite.label}-npm` : options.suite.label,
  );
  const stamp = `${dir}.tarball-sha256`;
  const digest = build.kind === "npm" ? sha256(build.tarball) : "";
  const current = existsSync(join(dir, "pipeline.ts")) &&
    (build.kind !== "npm" || (existsSync(stamp) && readFileSync(stamp, "utf8") === digest));
  if (options.reuse && current) return dir;
  // Remove the stamp first, so a generation that fails halfway is never reused.
  rmSync(stamp, { force: true });
  generateWorkspace(dir, options.suite.graph, [adapter], [adapter]);
  if (build.kind === "npm") writeFileSync(stamp, digest);
  return dir;
}

/** Returns the CLI module that `profile_cli.mjs` imports: the sources or the installed build. */
function cliModule(build: AsyncPipelineBuild, dir: string): string {
  if (build.kind !== "npm") return join(REPO_DIR, "cli", "main.ts");
  const packageDir = join(dir, "node_modules", PACKAGE);
  const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
  return join(packageDir, manifest.exports["./cli"].import);
}

/**
 * Brings the workspace to the scenario's starting state. Every scenario
 * starts after one untimed run, so the runtime's compile caches are as warm
 * as in the benchmark's timed runs.
 */
function prepareScenario(
  options: ProfileOptions,
  dir: string,
  cli: string,
  clean: string,
): void {
  const shell = (command: string) =>
    execFileSync("sh", ["-c", command], { cwd: dir, stdio: "inherit" });
  shell(`${cli} > /dev/null`);
  if (options.scenario === "cold") shell(clean);
  else if (options.scenario !== "noop") {
    // The second run hashes the first run's outputs after the racy window,
    // so the profiled run finds every file trusted.
    waitOutRacyWindow();
    shell(`${cli} > /dev/null`);
  }
  const graph = options.suite.graph;
  if (graph.kind === "packages" && (options.scenario === "leaf" || options.scenario === "root")) {
    const edited = options.scenario === "leaf" ? graph.packages.at(-1)! : graph.packages[0];
    const touch = join(BENCH_DIR, "helpers", "touch.sh");
    shell(`sh ${shellQuote(touch)} ${shellQuote(edited.firstFile)}`);
  }
}

/** Profiles the run and prints the summary. Returns the exit code. */
function main(): number {
  const options = parseOptions(process.argv.slice(2));
  const bench = benchEnvironment(BENCH_DIR, REPO_DIR);
  const { suite, runtime } = options;
  const build: AsyncPipelineBuild = options.build === "npm"
    ? { kind: "npm", tarball: packNpmBuild(REPO_DIR, options.work, bench.deno) }
    : { kind: "source" };
  const dir = prepareWorkspace(options, bench, build);
  const adapter = asyncPipelineAdapter(bench, runtime, build);
  const cli = adapter.command(suite.graph, options.concurrency, dir);
  prepareScenario(options, dir, cli, adapter.clean);

  mkdirSync(options.out, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const out = join(
    options.out,
    `${suite.label}-${options.scenario}-${runtime}-${build.kind}-${stamp}.cpuprofile`,
  );
  const launcher = runtime === "deno"
    ? [
      bench.deno,
      "run",
      "-A",
      ...(build.kind === "source" ? ["--config", join(REPO_DIR, "deno.json")] : []),
    ]
    : [bench.node];
  const job = suite.graph.kind === "packages" ? "build" : "noop";
  const args = [
    ...launcher.slice(1),
    join(BENCH_DIR, "helpers", "profile_cli.mjs"),
    out,
    cliModule(build, dir),
    // The npm bin turns on Node's compile cache before it loads the CLI.
    ...(build.kind === "npm" ? ["--compile-cache"] : []),
    "--",
    "run",
    job,
    "--concurrency",
    String(options.concurrency),
  ];
  const started = performance.now();
  const result = spawnSync(launcher[0], args, {
    cwd: dir,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const wallMs = performance.now() - started;
  if (result.status !== 0) {
    console.error(`bench:profile: the profiled run exited with code ${result.status}.`);
    return 1;
  }

  const locate = build.kind === "npm"
    ? bundleLocator(join(dir, "node_modules", PACKAGE), REPO_DIR)
    : rootLocator(`${REPO_DIR}/`);
  const summary = summarizeProfile(JSON.parse(readFileSync(out, "utf8")), locate);
  let profiledCli = "the TypeScript sources (the benchmark runs the JSR build under Deno)";
  if (build.kind === "npm") {
    profiledCli = "the npm build (scripts/build_npm.ts), packed and installed in the workspace, " +
      "as the benchmark runs it under Node";
  } else if (runtime === "node") {
    profiledCli = "the TypeScript sources, so Node's type stripping (amaro, wasm) takes part " +
      "of the profile, which the npm build that Node users install never pays";
  }
  const text = `# ${suite.label} ${options.scenario} (${runtime})\n\n` +
    `Profiled CLI: ${profiledCli}.\n\n` +
    `Wall time of the profiled run: ${wallMs.toFixed(0)} ms. Profile: ${out}\n\n` +
    renderProfileSummary(summary);
  writeFileSync(out.replace(/\.cpuprofile$/, ".md"), text);
  console.log(text);
  return 0;
}

if (import.meta.main) await runCommand("bench:profile", main);
