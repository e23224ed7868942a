/** Rendering `summary.json` as Markdown tables. @module */

import { describeFailure, listFailures } from "./failures.ts";
import type { BenchSummary, FloorResult, SuiteResult } from "./results.ts";
import { SCENARIO_TITLES } from "./suites.ts";
import { evaluateTargets } from "./targets.ts";

/** Formats seconds as milliseconds below one second. */
export function formatSeconds(seconds: number | undefined): string {
  if (seconds === undefined) return "—";
  return seconds < 1 ? `${(seconds * 1000).toFixed(0)} ms` : `${seconds.toFixed(2)} s`;
}

/** Returns the largest value, or undefined for an empty list. */
export function peak(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : Math.max(...values);
}

function megabytes(kb: number | null | undefined): string {
  return kb === null || kb === undefined ? "—" : `${Math.round(kb / 1024)}`;
}

function timeTable(suite: SuiteResult): string[] {
  const header = `| tool | version | ${
    suite.scenarios.map((s) => SCENARIO_TITLES[s]).join(" | ")
  } |`;
  const lines = [
    header,
    `|---|---|${suite.scenarios.map(() => "---").join("|")}|`,
  ];
  const turbo = suite.results.turbo ?? {};
  for (const [tool, status] of Object.entries(suite.tools)) {
    if (status.skipped) continue;
    const cells = suite.scenarios.map((scenario) => {
      const result = suite.results[tool]?.[scenario];
      if (!result) return "not measured";
      if (!result.timing) return "FAILED";
      const { median, min, max } = result.timing;
      const reference = turbo[scenario]?.timing?.median;
      const ratio = reference && tool !== "turbo" ? ` ×${(median / reference).toFixed(2)}` : "";
      const warning = result.check.ok ? "" : " ⚠";
      return `${formatSeconds(median)} (${formatSeconds(min)}–${
        formatSeconds(max)
      })${ratio}${warning}`;
    });
    lines.push(`| ${tool} | ${status.version} | ${cells.join(" | ")} |`);
  }
  return lines;
}

function memoryTable(suite: SuiteResult): string[] {
  const lines = [
    `| tool | ${suite.scenarios.map((s) => SCENARIO_TITLES[s]).join(" | ")} |`,
    `|---|${suite.scenarios.map(() => "---").join("|")}|`,
  ];
  for (const [tool, status] of Object.entries(suite.tools)) {
    if (status.skipped) continue;
    const cells = suite.scenarios.map((scenario) => {
      const result = suite.results[tool]?.[scenario];
      if (!result) return "—";
      const check = result.check.ok ? "" : " ⚠ check failed";
      return `${megabytes(peak(result.maxRssKb))} MB; ran ${result.check.executed}/` +
        `${result.check.expected}${check}`;
    });
    lines.push(`| ${tool} | ${cells.join(" | ")} |`);
  }
  return lines;
}

function floorTable(floors: readonly FloorResult[]): string[] {
  const lines = ["| floor | runtime | median (min–max) |", "|---|---|---|"];
  for (const floor of floors) {
    const timing = floor.timing
      ? `${formatSeconds(floor.timing.median)} (${formatSeconds(floor.timing.min)}–${
        formatSeconds(floor.timing.max)
      })`
      : "FAILED";
    lines.push(`| ${floor.name} | ${floor.runtime ?? "—"} | ${timing} |`);
  }
  return lines;
}

/** Returns the last lines of `text` on one line, at most `max` characters. */
function tail(text: string | undefined, lines: number, max: number): string {
  return (text ?? "").trim().split("\n").slice(-lines).join(" ").slice(-max);
}

function problems(suite: SuiteResult): string[] {
  const lines: string[] = [];
  for (const [tool, status] of Object.entries(suite.tools)) {
    if (status.unsupported) {
      lines.push(`- ${tool} skipped, unsupported: ${status.skipped}`);
    } else if (status.skipped) {
      lines.push(`- ${tool} not run: ${status.skipped}`);
    }
  }
  for (const [tool, byScenario] of Object.entries(suite.results)) {
    for (const [scenario, result] of Object.entries(byScenario)) {
      const check = result?.check;
      if (check && !check.ok) {
        // The tool's own output explains a failure better than hyperfine's message.
        const counts = `ran ${check.executed}/${check.expected}, ` +
          `outputs ${check.outputs}/${check.expectedOutputs}`;
        lines.push(`- ${tool} ${scenario}: ${counts}: ${tail(check.outputTail, 3, 300)}`);
      } else if (result?.error) {
        lines.push(`- ${tool} ${scenario}: ${tail(result.error, 4, 400)}`);
      }
    }
  }
  return lines;
}

function renderSuite(suite: SuiteResult): string[] {
  const s = suite.stats;
  const lines = [
    `## ${suite.label}: ${suite.title}`,
    "",
    `Graph: ${s.nodes} nodes, ${s.edges} edges, ${s.leaves} leaves, longest chain ${s.maxDepth}; ` +
    `a root edit rebuilds ${s.rebuildOnRootEdit}, a leaf edit ${s.rebuildOnLeafEdit}.`,
    "",
    "Wall time: median (min–max), and ×ratio to Turborepo's median in the same invocation. " +
    "⚠ marks a scenario whose runs did not execute exactly the expected commands.",
    "",
    ...timeTable(suite),
    "",
    "Peak memory: the highest maximum RSS of the largest process (normally the runner) over " +
    "all runs, in MB; commands executed over all runs / expected.",
    "",
    ...memoryTable(suite),
  ];
  if (suite.floors.length > 0) {
    lines.push("", "Floors:", "", ...floorTable(suite.floors));
  }
  const issues = problems(suite);
  if (issues.length > 0) lines.push("", "Not run or failed:", "", ...issues);
  return lines;
}

/** Lists every failed or missing measurement, so the report opens with them. */
function failureSection(summary: BenchSummary): string[] {
  const failures = listFailures(summary);
  if (failures.length === 0) return [];
  return [
    "",
    "## Failures",
    "",
    "These measurements failed their run check, failed to run or did not run. Their numbers are not valid.",
    "",
    ...failures.map((failure) => `- ${describeFailure(failure)}`),
  ];
}

/** Renders the whole summary as a Markdown report. */
export function renderReport(summary: BenchSummary): string {
  const m = summary.machine;
  const lines = [
    "# Benchmark results",
    "",
    `Started ${summary.started}, finished ${summary.finished ?? "(unfinished)"}. ` +
    `${summary.options.runs} timed runs per scenario, concurrency ${summary.options.concurrency}, ` +
    `async-pipeline under Node: ${summary.options.builds.node}; under Deno: ${summary.options.builds.deno}.`,
    "",
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryMb} MB, Linux ${m.kernel}; Node ${m.node}, ` +
    `${m.deno}, npm ${m.npm}, ${m.hyperfine}.`,
    ...failureSection(summary),
    "",
    ...evaluateTargets(summary),
  ];
  for (const suite of summary.suites) lines.push("", ...renderSuite(suite));
  return lines.join("\n") + "\n";
}
