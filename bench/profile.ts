/**
 * Profiles one scenario of the async-pipeline CLI, run from this repository's
 * sources, with the V8 CPU profiler, and prints where the runner's own time
 * went. Child processes (the task commands) are not part of the profile.
 *
 *   deno task bench:profile --suite p200 --scenario cached --runtime node
 *     [--work <dir>] [--out <dir>] [--reuse]
 *
 * @module
 */

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { asyncPipelineAdapter } from "./lib/adapters/async_pipeline.ts";
import type { BenchEnvironment } from "./lib/adapters/types.ts";
import { renderProfileSummary, summarizeProfile } from "./lib/cpuprofile.ts";
import { shellQuote } from "./lib/measure.ts";
import { waitOutRacyWindow } from "./lib/run_suite.ts";
import { type ScenarioName, SUITES } from "./lib/suites.ts";
import { generateWorkspace } from "./lib/workspace.ts";

const BENCH_DIR = new URL(".", import.meta.url).pathname.replace(/\/$/, "");
const REPO_DIR = resolve(BENCH_DIR, "..");
const SCENARIOS: readonly ScenarioName[] = [
  "cold",
  "cached",
  "leaf",
  "root",
  "noop",
];

function parseOptions() {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      suite: { type: "string", default: "p200" },
      scenario: { type: "string", default: "cached" },
      runtime: { type: "string", default: "node" },
      concurrency: { type: "string", default: "2" },
      work: {
        type: "string",
        default: join(tmpdir(), "async-pipeline-bench", "profile"),
      },
      out: {
        type: "string",
        default: join(BENCH_DIR, "results", "raw", "profiles"),
      },
      reuse: { type: "boolean", default: false },
    },
  });
  if (!SUITES[values.suite]) {
    throw new Error(`Unknown suite "${values.suite}".`);
  }
  const scenario = values.scenario as ScenarioName;
  if (!SCENARIOS.includes(scenario)) {
    throw new Error(
      `Unknown scenario "${values.scenario}"; valid: ${SCENARIOS.join(", ")}.`,
    );
  }
  if (values.runtime !== "node" && values.runtime !== "deno") {
    throw new Error(`--runtime must be node or deno, got "${values.runtime}".`);
  }
  return { ...values, scenario, runtime: values.runtime as "node" | "deno" };
}

function main(): void {
  const options = parseOptions();
  const bench: BenchEnvironment = {
    benchDir: BENCH_DIR,
    repoDir: REPO_DIR,
    node: process.env.BENCH_NODE ??
      join(REPO_DIR, "node_modules", ".bin", "node"),
    deno: process.env.BENCH_DENO ??
      join(REPO_DIR, "node_modules", ".bin", "deno"),
  };
  const suite = SUITES[options.suite]();
  const adapter = asyncPipelineAdapter(bench, options.runtime, {
    kind: "source",
  });
  const dir = join(options.work, suite.label);
  if (!(options.reuse && existsSync(join(dir, "pipeline.ts")))) {
    generateWorkspace(dir, suite.graph, [adapter], [adapter]);
  }
  const shell = (command: string) =>
    execFileSync("sh", ["-c", command], { cwd: dir, stdio: "inherit" });
  const cli = adapter.command(suite.graph, Number(options.concurrency), dir);

  // Bring the workspace to the scenario's starting state.
  if (options.scenario === "cold") shell(adapter.clean);
  else if (options.scenario !== "noop") {
    // The second run hashes the first run's outputs after the racy window,
    // so the profiled run finds every file trusted.
    shell(`${cli} > /dev/null`);
    waitOutRacyWindow();
    shell(`${cli} > /dev/null`);
  }
  if (
    suite.graph.kind === "packages" &&
    (options.scenario === "leaf" || options.scenario === "root")
  ) {
    const edited = options.scenario === "leaf"
      ? suite.graph.packages.at(-1)!
      : suite.graph.packages[0];
    const touch = join(BENCH_DIR, "helpers", "touch.sh");
    shell(`sh ${shellQuote(touch)} ${shellQuote(edited.firstFile)}`);
  }

  mkdirSync(options.out, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const out = join(
    options.out,
    `${suite.label}-${options.scenario}-${options.runtime}-${stamp}.cpuprofile`,
  );
  const launcher = options.runtime === "node"
    ? [bench.node]
    : [bench.deno, "run", "-A", "--config", join(REPO_DIR, "deno.json")];
  const job = suite.graph.kind === "packages" ? "build" : "noop";
  const args = [
    ...launcher.slice(1),
    join(BENCH_DIR, "helpers", "profile_cli.mjs"),
    out,
    "--",
    "run",
    job,
    "--concurrency",
    options.concurrency,
  ];
  const started = performance.now();
  const result = spawnSync(launcher[0], args, {
    cwd: dir,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const wallMs = performance.now() - started;
  if (result.status !== 0) {
    throw new Error(`The profiled run exited with code ${result.status}.`);
  }

  const summary = summarizeProfile(
    JSON.parse(readFileSync(out, "utf8")),
    `${REPO_DIR}/`,
  );
  const text = `# ${suite.label} ${options.scenario} (${options.runtime})\n\n` +
    `Wall time of the profiled run: ${wallMs.toFixed(0)} ms. Profile: ${out}\n\n` +
    renderProfileSummary(summary);
  writeFileSync(out.replace(/\.cpuprofile$/, ".md"), text);
  console.log(text);
}

main();
