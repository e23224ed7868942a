/** Small benchmark summaries for the tests of the report and the exit code. @module */

import type { RunCheck, Timing } from "../../bench/lib/measure.ts";
import type { BenchSummary, ScenarioResult, SuiteResult } from "../../bench/lib/results.ts";
import type { ScenarioName } from "../../bench/lib/suites.ts";

/** Returns a timing whose median, minimum and maximum are all `seconds`. */
export function timing(seconds: number): Timing {
  return { median: seconds, mean: seconds, min: seconds, max: seconds, stddev: 0, times: [] };
}

/** Returns a run check that executed `executed` of `expected` commands. */
export function check(executed: number, expected: number): RunCheck {
  return { executed, expected, outputs: 1, expectedOutputs: 1, ok: executed === expected };
}

/** Returns one scenario's result: timed in `seconds`, with `runCheck` as its run check. */
export function scenarioResult(seconds: number | undefined, runCheck: RunCheck): ScenarioResult {
  return {
    command: "true",
    timing: seconds === undefined ? undefined : timing(seconds),
    error: seconds === undefined ? "hyperfine exit code 1" : undefined,
    maxRssKb: [40_000],
    check: runCheck,
    loadBefore: 0,
    loadAfter: 0,
  };
}

/** Returns a finished suite in which every tool of `tools` passed every scenario in 0.1 s. */
export function passingSuite(
  label: string,
  scenarios: readonly ScenarioName[],
  tools: readonly string[],
): SuiteResult {
  const suite: SuiteResult = {
    label,
    title: label,
    stats: {
      nodes: 1,
      edges: 0,
      leaves: 1,
      maxDepth: 1,
      rebuildOnRootEdit: 1,
      rebuildOnLeafEdit: 1,
    },
    scenarios,
    started: "2026-01-01T00:00:00.000Z",
    finished: "2026-01-01T00:01:00.000Z",
    tools: {},
    results: {},
    floors: [],
  };
  for (const tool of tools) {
    suite.tools[tool] = { version: "1.0.0" };
    suite.results[tool] = Object.fromEntries(
      scenarios.map((scenario) => [scenario, scenarioResult(0.1, check(5, 5))]),
    );
  }
  return suite;
}

/** Returns a finished summary of `suites`. */
export function summaryOf(suites: SuiteResult[]): BenchSummary {
  return {
    started: "2026-01-01T00:00:00.000Z",
    finished: "2026-01-01T00:02:00.000Z",
    options: { runs: 5, concurrency: 2, builds: { node: "source", deno: "source" } },
    machine: {
      cpus: 2,
      cpuModel: "test CPU",
      memoryMb: 4096,
      kernel: "6.0",
      node: "v24.9.0",
      deno: "deno 2.9.6",
      npm: "11.0.0",
      hyperfine: "hyperfine 1.15.0",
    },
    suites,
  };
}
