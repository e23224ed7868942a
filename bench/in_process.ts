/**
 * Times runs of one suite's workspace inside one process: the pipeline
 * module is imported once and `runJob` is called again and again, fully
 * cached (`--scenario cached`) or with the cache and outputs removed before
 * each run (`--scenario cold`). Compared with the CLI's runs, the difference
 * is what a fresh process pays: runtime startup, module loading and code
 * that V8 has not yet compiled or optimized. It is the lower bound of a
 * resident runner.
 *
 *   deno run -A bench/in_process.ts [--suite p200] [--scenario cached|cold] [--runs 30] [--work <dir>]
 *   node bench/in_process.ts [--suite p200] [--scenario cached|cold] [--runs 30] [--work <dir>]
 *
 * Node runs the TypeScript sources through its type stripping (Node 22.18+).
 *
 * @module
 */

import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { runJob } from "../mod.ts";
import { asyncPipelineAdapter } from "./lib/adapters/async_pipeline.ts";
import { checkChoice, parseCommandLine, positiveInteger, runCommand } from "./lib/options.ts";
import { waitOutRacyWindow } from "./lib/run_suite.ts";
import { SUITES } from "./lib/suites.ts";
import { generateWorkspace } from "./lib/workspace.ts";

const BENCH_DIR = new URL(".", import.meta.url).pathname.replace(/\/$/, "");
const REPO_DIR = resolve(BENCH_DIR, "..");

/** Suites whose graph is a set of packages, the only kind this tool runs. */
const PACKAGE_SUITES = Object.keys(SUITES).filter((name) =>
  SUITES[name]().graph.kind === "packages"
);

/** Parses the command line, or throws a `UsageError` naming the bad value. */
function parseOptions(argv: string[]) {
  const values = parseCommandLine(argv, {
    suite: { type: "string", default: "p200" },
    scenario: { type: "string", default: "cached" },
    runs: { type: "string", default: "30" },
    concurrency: { type: "string", default: "2" },
    work: {
      type: "string",
      default: join(tmpdir(), "async-pipeline-bench", "in-process"),
    },
  });
  return {
    suite: checkChoice("--suite", values.suite, PACKAGE_SUITES),
    scenario: checkChoice(
      "--scenario",
      values.scenario,
      ["cached", "cold"] as const,
    ),
    runs: positiveInteger("--runs", values.runs),
    concurrency: positiveInteger("--concurrency", values.concurrency),
    work: values.work,
  };
}

async function main(): Promise<number> {
  const values = parseOptions(process.argv.slice(2));
  const suite = SUITES[values.suite]();
  if (suite.graph.kind !== "packages") {
    throw new Error("Only package suites are supported.");
  }
  const graph = suite.graph;
  const cold = values.scenario === "cold";

  const adapter = asyncPipelineAdapter(
    { benchDir: BENCH_DIR, repoDir: REPO_DIR, node: "node", deno: "deno" },
    "deno",
    { kind: "source" },
  );
  const dir = join(values.work, suite.label);
  generateWorkspace(dir, graph, [adapter], [adapter]);
  const pipeline = (await import(pathToFileURL(join(dir, "pipeline.ts")).href)).default;
  const options = {
    id: "build",
    cwd: dir,
    concurrency: values.concurrency,
  };

  // The first run fills the cache. The second, after the racy window, hashes
  // its outputs once more, so every timed run finds its files trusted.
  await runJob(pipeline, options);
  waitOutRacyWindow();
  await runJob(pipeline, options);

  /** Removes the cache, the records and every package's outputs. */
  function clean(): void {
    rmSync(join(dir, ".async"), { recursive: true, force: true });
    for (const pkg of graph.packages) {
      rmSync(join(dir, pkg.dir, "dist"), { recursive: true, force: true });
    }
  }

  const times: number[] = [];
  for (let run = 0; run < values.runs; run++) {
    if (cold) clean();
    const started = performance.now();
    const record = await runJob(pipeline, options);
    times.push(performance.now() - started);
    const hits = record.tasks.filter((task) => task.cacheHit).length;
    const expected = cold ? 0 : record.tasks.length;
    if (record.status !== "passed" || hits !== expected) {
      throw new Error(
        `run ${run + 1}: ${record.status}, ${hits} of ${record.tasks.length} hits.`,
      );
    }
  }
  times.sort((a, b) => a - b);
  const runtime = process.versions.deno
    ? `Deno ${process.versions.deno}`
    : `Node ${process.version}`;
  console.log(
    `${suite.label}, ${runtime}, ${times.length} ${values.scenario} runs in one process: ` +
      `median ${times[times.length >> 1].toFixed(1)} ms, ` +
      `min ${times[0].toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms`,
  );
  return 0;
}

await runCommand("in_process", main);
