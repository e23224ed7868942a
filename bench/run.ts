/**
 * Benchmarks @async/pipeline against Turborepo and wireit on generated
 * workspaces, in one invocation, and writes `results/summary.json` and
 * `results/report.md`.
 *
 *   deno task bench [--quick] [--suites p50,p200,noop1000,files20k,files20]
 *     [--tools turbo,wireit,async-pipeline-node,async-pipeline-deno]
 *     [--runs 5] [--concurrency 2]
 *     [--node-build auto|source|npm|<packed .tgz>]
 *     [--deno-build auto|source|jsr|npm|<packed .tgz>]
 *     [--work <dir>] [--out <dir>] [--noop-turbo]
 *
 * Needs hyperfine and the peer tools: run `bench/setup.sh` once. Exits with 1
 * when a measurement failed its run check or did not run, and with 2 on an
 * invalid command line.
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import process from "node:process";
import { asyncPipelineAdapter, type AsyncPipelineBuild } from "./lib/adapters/async_pipeline.ts";
import { type Adapter, type BenchEnvironment, benchEnvironment } from "./lib/adapters/types.ts";
import { turboAdapter } from "./lib/adapters/turbo.ts";
import { wireitAdapter } from "./lib/adapters/wireit.ts";
import { buildJsrPackage, hasJsrBuild, hasNpmBuild, packNpmBuild } from "./lib/npm_build.ts";
import { failureSummaryLine, listFailures } from "./lib/failures.ts";
import {
  checkChoice,
  parseCommandLine,
  positiveInteger,
  runCommand,
  UsageError,
} from "./lib/options.ts";
import { renderReport } from "./lib/report.ts";
import type { BenchSummary, MachineInfo, SuiteResult } from "./lib/results.ts";
import { runSuite } from "./lib/run_suite.ts";
import { FULL_SUITES, QUICK_SUITES, SUITES } from "./lib/suites.ts";

const BENCH_DIR = new URL(".", import.meta.url).pathname.replace(/\/$/, "");
const REPO_DIR = resolve(BENCH_DIR, "..");

const SOURCE: AsyncPipelineBuild = { kind: "source" };

const ALL_TOOLS = [
  "turbo",
  "wireit",
  "async-pipeline-node",
  "async-pipeline-deno",
];

const NODE_BUILDS = ["auto", "source", "npm"];
const DENO_BUILDS = ["auto", "source", "jsr", "npm"];

/** Checks a `--node-build` or `--deno-build` value: a known build or an existing file. */
function checkBuild(option: string, value: string, builds: readonly string[]): string {
  if (builds.includes(value) || statSync(value, { throwIfNoEntry: false })?.isFile()) {
    return value;
  }
  if (option === "--node-build" && value === "jsr") {
    throw new UsageError(
      `invalid --node-build "jsr": the JSR build imports npm: specifiers, which only Deno runs; ` +
        `valid: ${builds.join(", ")} or the path of a packed .tgz file.`,
    );
  }
  throw new UsageError(
    `invalid ${option} "${value}"; valid: ${builds.join(", ")} or the path of a packed .tgz file.`,
  );
}

/** Parses the command line, or throws a {@link UsageError} naming the bad value. */
function parseOptions(argv: string[]) {
  const values = parseCommandLine(argv, {
    quick: { type: "boolean", default: false },
    suites: { type: "string" },
    tools: { type: "string", default: ALL_TOOLS.join(",") },
    runs: { type: "string", default: "5" },
    concurrency: { type: "string", default: "2" },
    "node-build": { type: "string", default: process.env.BENCH_ASYNC_PIPELINE_TGZ ?? "auto" },
    "deno-build": { type: "string", default: "auto" },
    work: { type: "string", default: join(tmpdir(), "async-pipeline-bench") },
    out: { type: "string", default: join(BENCH_DIR, "results") },
    "noop-turbo": { type: "boolean", default: false },
  });
  const suites = values.suites?.split(",") ??
    [...(values.quick ? QUICK_SUITES : FULL_SUITES)];
  for (const label of suites) checkChoice("suite", label, Object.keys(SUITES), " in --suites");
  const tools = values.tools.split(",");
  for (const tool of tools) checkChoice("tool", tool, ALL_TOOLS, " in --tools");
  return {
    suites,
    tools,
    runs: positiveInteger("--runs", values.runs),
    concurrency: positiveInteger("--concurrency", values.concurrency),
    nodeBuild: checkBuild("--node-build", values["node-build"], NODE_BUILDS),
    denoBuild: checkBuild("--deno-build", values["deno-build"], DENO_BUILDS),
    work: resolve(values.work),
    out: resolve(values.out),
    noopTurbo: values["noop-turbo"],
  };
}

/**
 * Turns a `--node-build` or `--deno-build` value into a build. `npm` packs
 * the repository's npm build once per invocation, and `jsr` builds its JSR
 * package once. `auto` means what users of that runtime install: `npm` for
 * Node and `jsr` for Deno when the repository has the build script, and
 * `source` otherwise.
 */
function buildResolver(bench: BenchEnvironment, workDir: string) {
  let tarball: string | undefined;
  let jsrDir: string | undefined;
  return (value: string, runtime: "node" | "deno"): AsyncPipelineBuild => {
    let choice = value;
    if (value === "auto" && runtime === "node") {
      choice = hasNpmBuild(bench.repoDir) ? "npm" : "source";
    } else if (value === "auto") {
      choice = hasJsrBuild(bench.repoDir) ? "jsr" : "source";
    }
    if (choice === "source") return { kind: "source" };
    if (choice === "jsr") {
      jsrDir ??= buildJsrPackage(bench.repoDir, workDir, bench.deno);
      return { kind: "jsr", dir: jsrDir };
    }
    if (choice !== "npm") return { kind: "npm", tarball: resolve(choice) };
    tarball ??= packNpmBuild(bench.repoDir, workDir, bench.deno);
    return { kind: "npm", tarball };
  };
}

function buildLabel(build: AsyncPipelineBuild): string {
  if (build.kind === "source") return "source";
  return build.kind === "jsr" ? `JSR package ${build.dir}` : `npm package ${build.tarball}`;
}

function output(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: "utf8" }).trim();
}

function machineInfo(bench: BenchEnvironment): MachineInfo {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryMb: Math.round(totalmem() / 1024 / 1024),
    kernel: output("uname", ["-r"]),
    node: output(bench.node, ["--version"]),
    deno: output(bench.deno, ["--version"]).split("\n")[0],
    npm: output("npm", ["--version"]),
    hyperfine: output("hyperfine", ["--version"]),
  };
}

function createAdapters(
  bench: BenchEnvironment,
  options: ReturnType<typeof parseOptions>,
  builds: { node: AsyncPipelineBuild; deno: AsyncPipelineBuild },
): Adapter[] {
  const all: Adapter[] = [
    turboAdapter(bench, { noop: options.noopTurbo }),
    wireitAdapter(bench),
    asyncPipelineAdapter(bench, "node", builds.node),
    asyncPipelineAdapter(bench, "deno", builds.deno),
  ];
  return all.filter((adapter) => options.tools.includes(adapter.name));
}

/**
 * Returns the environment of every measured command. A `node` link to the
 * benchmark's Node goes first on PATH, so npm, Turborepo's launcher and wireit
 * run on the same Node as the async-pipeline CLI.
 */
function measuredEnv(
  bench: BenchEnvironment,
  workDir: string,
): Record<string, string> {
  const binDir = join(workDir, "bin");
  mkdirSync(binDir, { recursive: true });
  // Replace the link every time: a link left by an earlier invocation may
  // point at a Node that no longer exists, and PATH would then fall through
  // to whatever `node` comes next.
  const link = join(binDir, "node");
  rmSync(link, { force: true });
  symlinkSync(bench.node, link);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined) env[key] = value;
  }
  env.PATH = `${binDir}:${env.PATH ?? ""}`;
  return env;
}

function requireHyperfine(): void {
  try {
    output("hyperfine", ["--version"]);
  } catch {
    throw new Error("hyperfine is not installed: run bench/setup.sh first.");
  }
}

/**
 * Runs the suites and writes the report. Returns 1 when a measurement failed
 * its run check or did not run, and 0 otherwise.
 */
function main(): number {
  const options = parseOptions(process.argv.slice(2));
  requireHyperfine();
  const bench = benchEnvironment(BENCH_DIR, REPO_DIR);
  const resolveBuild = buildResolver(bench, options.work);
  const measures = (tool: string) => options.tools.includes(tool);
  const builds = {
    node: measures("async-pipeline-node") ? resolveBuild(options.nodeBuild, "node") : SOURCE,
    deno: measures("async-pipeline-deno") ? resolveBuild(options.denoBuild, "deno") : SOURCE,
  };
  const summary: BenchSummary = {
    started: new Date().toISOString(),
    options: {
      runs: options.runs,
      concurrency: options.concurrency,
      builds: {
        node: buildLabel(builds.node),
        deno: buildLabel(builds.deno),
      },
    },
    machine: machineInfo(bench),
    suites: [],
  };
  mkdirSync(options.out, { recursive: true });
  const save = () => {
    writeFileSync(
      join(options.out, "summary.json"),
      JSON.stringify(summary, null, 1) + "\n",
    );
    writeFileSync(join(options.out, "report.md"), renderReport(summary));
  };
  const log = (message: string) =>
    console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
  const context = {
    bench,
    adapters: createAdapters(bench, options, builds),
    runs: options.runs,
    concurrency: options.concurrency,
    workDir: options.work,
    rawDir: join(options.out, "raw"),
    env: measuredEnv(bench, options.work),
    save,
    log,
  };
  for (const label of options.suites) {
    const suite = SUITES[label]();
    const result: SuiteResult = {
      label,
      title: suite.title,
      stats: suite.graph.stats,
      scenarios: suite.scenarios,
      started: new Date().toISOString(),
      tools: {},
      results: {},
      floors: [],
    };
    summary.suites.push(result);
    runSuite(suite, context, result);
  }
  summary.finished = new Date().toISOString();
  save();
  log(`wrote ${join(options.out, "report.md")}`);
  const failures = listFailures(summary);
  if (failures.length === 0) return 0;
  console.error(`bench: ${failureSummaryLine(failures)} See ${join(options.out, "report.md")}.`);
  return 1;
}

if (import.meta.main) await runCommand("bench", main);
