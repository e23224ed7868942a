/** Finding the measurements of a summary that failed or did not run. @module */

import type { BenchSummary, SuiteResult } from "./results.ts";

/** One failed or missing measurement, named by suite, scenario and tool. */
export interface Failure {
  readonly suite: string;
  /** The scenario, or `floor <name>` for a floor; absent when a whole tool did not run. */
  readonly scenario?: string;
  readonly tool?: string;
  /** Description of the problem, such as `ran 0/250 commands, 0/50 outputs`. */
  readonly reason: string;
}

function suiteFailures(suite: SuiteResult): Failure[] {
  const failures: Failure[] = [];
  for (const [tool, status] of Object.entries(suite.tools)) {
    // A documented limitation of the tool, such as Turborepo on the no-op graph, is no failure.
    if (status.unsupported) continue;
    if (status.skipped !== undefined) {
      failures.push({
        suite: suite.label,
        tool,
        reason: `not run: ${status.skipped}`,
      });
      continue;
    }
    for (const scenario of suite.scenarios) {
      const result = suite.results[tool]?.[scenario];
      if (!result) {
        // A suite still running has not reached its later scenarios yet.
        if (suite.finished) {
          failures.push({
            suite: suite.label,
            scenario,
            tool,
            reason: "did not run",
          });
        }
      } else if (!result.check.ok) {
        const { executed, expected, outputs, expectedOutputs } = result.check;
        const reason =
          `ran ${executed}/${expected} commands, ${outputs}/${expectedOutputs} outputs`;
        failures.push({ suite: suite.label, scenario, tool, reason });
      } else if (!result.timing) {
        failures.push({
          suite: suite.label,
          scenario,
          tool,
          reason: "hyperfine failed",
        });
      }
    }
  }
  for (const floor of suite.floors) {
    if (floor.timing) continue;
    const runtime = floor.runtime ? ` (${floor.runtime})` : "";
    failures.push({
      suite: suite.label,
      scenario: `floor ${floor.name}${runtime}`,
      reason: "hyperfine failed",
    });
  }
  return failures;
}

/**
 * Lists every failed run check, failed measurement and tool or scenario that
 * did not run, in run order. A tool skipped as unsupported on a suite does
 * not count.
 */
export function listFailures(summary: BenchSummary): Failure[] {
  return summary.suites.flatMap(suiteFailures);
}

/** Formats a failure as `suite scenario tool: reason`. */
export function describeFailure(failure: Failure): string {
  const where = [failure.suite, failure.scenario, failure.tool].filter(Boolean)
    .join(" ");
  return `${where}: ${failure.reason}`;
}

/**
 * Returns the one-line stderr summary of `failures`: how many, and the
 * suite, scenario and tool of the first `maxNamed` of them.
 */
export function failureSummaryLine(
  failures: readonly Failure[],
  maxNamed = 4,
): string {
  const names = failures.slice(0, maxNamed)
    .map((failure) => [failure.suite, failure.scenario, failure.tool].filter(Boolean).join(" "));
  const more = failures.length > maxNamed ? `, and ${failures.length - maxNamed} more` : "";
  const noun = failures.length === 1 ? "measurement" : "measurements";
  return `${failures.length} ${noun} failed or did not run: ${names.join(", ")}${more}.`;
}
