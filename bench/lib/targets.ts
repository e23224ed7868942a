/** The speed targets of @async/pipeline, checked against one summary. @module */

import type { BenchSummary, FloorResult, SuiteResult } from "./results.ts";
import type { ScenarioName } from "./suites.ts";

/** The outcome of one target for one tool. */
interface Verdict {
  /** The measured value as text, such as `×0.42` or `131 ms`. */
  readonly measured: string;
  /** True when met, false when missed, undefined when not measurable. */
  readonly met?: boolean;
  /** How far from the limit, such as `1.8× over`. */
  readonly margin: string;
}

interface Target {
  readonly description: string;
  readonly limit: string;
  /** Suites the target is measured on. A run without all of them cannot check it. */
  readonly suites: readonly string[];
  evaluate(summary: BenchSummary, tool: string): Verdict;
}

const NOT_MEASURED: Verdict = { measured: "not measured", margin: "—" };

function suite(summary: BenchSummary, label: string): SuiteResult | undefined {
  return summary.suites.find((s) => s.label === label);
}

function median(
  s: SuiteResult | undefined,
  tool: string,
  scenario: ScenarioName,
) {
  const result = s?.results[tool]?.[scenario];
  if (!result?.timing || !result.check.ok) return undefined;
  return result.timing.median;
}

function runtimeOf(tool: string): "node" | "deno" {
  return tool.endsWith("-deno") ? "deno" : "node";
}

function directFloor(
  s: SuiteResult | undefined,
  tool: string,
): FloorResult | undefined {
  return s?.floors.find((f) => f.kind === "direct" && f.runtime === runtimeOf(tool));
}

/** Compares `value / reference` with the maximum ratio `limit`. */
function ratioVerdict(
  value: number | undefined,
  reference: number | undefined,
  limit: number,
): Verdict {
  if (value === undefined || reference === undefined) return NOT_MEASURED;
  const ratio = value / reference;
  const met = ratio <= limit;
  const margin = met
    ? `met with ${(limit / ratio).toFixed(2)}× headroom`
    : `${(ratio / limit).toFixed(2)}× over`;
  return { measured: `×${ratio.toFixed(2)}`, met, margin };
}

function ratioToTool(
  label: string,
  scenario: ScenarioName,
  peer: string,
  limit: number,
): Target["evaluate"] {
  return (summary, tool) => {
    const s = suite(summary, label);
    return ratioVerdict(
      median(s, tool, scenario),
      median(s, peer, scenario),
      limit,
    );
  };
}

function ratioToFloor(
  label: string,
  scenario: ScenarioName,
  limit: number,
): Target["evaluate"] {
  return (summary, tool) => {
    const s = suite(summary, label);
    return ratioVerdict(
      median(s, tool, scenario),
      directFloor(s, tool)?.timing?.median,
      limit,
    );
  };
}

/**
 * Warm hashing of 20,000 unchanged files: the fully cached run of the
 * 20,000-file package minus the fully cached run of a 20-file package, which
 * removes startup, loading and the cache lookup from the figure.
 */
function warmHashing(summary: BenchSummary, tool: string): Verdict {
  const big = median(suite(summary, "files20k"), tool, "cached");
  const small = median(suite(summary, "files20"), tool, "cached");
  if (big === undefined || small === undefined) return NOT_MEASURED;
  const ms = (big - small) * 1000;
  const met = ms < 150;
  const whole = `${(big * 1000).toFixed(0)} ms whole run`;
  const margin = met
    ? `${(150 - ms).toFixed(0)} ms under`
    : `${(ms - 150).toFixed(0)} ms over (${(ms / 150).toFixed(2)}×)`;
  return { measured: `${ms.toFixed(0)} ms (${whole})`, met, margin };
}

/** The large suites, over whose scenarios the peak memory target is measured. */
const MEMORY_SUITES = ["p200", "noop1000", "files20k"];

/** Peak RSS of the runner process over every scenario of the large suites. */
function peakMemory(summary: BenchSummary, tool: string): Verdict {
  let peakKb = 0;
  let where = "";
  for (const label of MEMORY_SUITES) {
    for (
      const [scenario, result] of Object.entries(
        suite(summary, label)?.results[tool] ?? {},
      )
    ) {
      const kb = Math.max(0, ...(result?.maxRssKb ?? []));
      if (kb > peakKb) {
        peakKb = kb;
        where = `${label} ${scenario}`;
      }
    }
  }
  if (peakKb === 0) return NOT_MEASURED;
  const mb = peakKb / 1024;
  const met = mb < 120;
  const margin = met ? `${(120 - mb).toFixed(0)} MB under` : `${(mb - 120).toFixed(0)} MB over`;
  return { measured: `${mb.toFixed(0)} MB (${where})`, met, margin };
}

const TARGETS: readonly Target[] = [
  {
    description: "p200 fully cached vs Turborepo",
    limit: "≤ ×0.5",
    suites: ["p200"],
    evaluate: ratioToTool("p200", "cached", "turbo", 0.5),
  },
  {
    description: "p200 fully cached vs wireit",
    limit: "≤ ×0.25",
    suites: ["p200"],
    evaluate: ratioToTool("p200", "cached", "wireit", 0.25),
  },
  {
    description: "p200 one leaf edited vs Turborepo",
    limit: "≤ ×0.6",
    suites: ["p200"],
    evaluate: ratioToTool("p200", "leaf", "turbo", 0.6),
  },
  {
    description: "p200 cold vs direct-spawn floor (same runtime)",
    limit: "≤ ×1.1",
    suites: ["p200"],
    evaluate: ratioToFloor("p200", "cold", 1.1),
  },
  {
    description: "1,000 no-op tasks vs direct-spawn floor (same runtime)",
    limit: "≤ ×1.3",
    suites: ["noop1000"],
    evaluate: ratioToFloor("noop1000", "noop", 1.3),
  },
  {
    description: "warm hashing of 20,000 unchanged files",
    limit: "< 150 ms",
    suites: ["files20k", "files20"],
    evaluate: warmHashing,
  },
  {
    description: "peak memory of the runner process",
    limit: "< 120 MB",
    suites: MEMORY_SUITES,
    evaluate: peakMemory,
  },
];

/**
 * Renders the targets table for every async-pipeline tool in the summary.
 * Targets whose suites the run did not include get one line that names them
 * instead of rows without a measurement.
 */
export function evaluateTargets(summary: BenchSummary): string[] {
  const tools = [
    ...new Set(summary.suites.flatMap((s) => Object.keys(s.tools))),
  ]
    .filter((tool) => tool.startsWith("async-pipeline"));
  if (tools.length === 0) return [];
  const ran = new Set(summary.suites.map((s) => s.label));
  const checkable = TARGETS.filter((target) => target.suites.every((label) => ran.has(label)));
  const lines = ["## Targets", ""];
  if (checkable.length === 0) {
    const needed = [...new Set(TARGETS.flatMap((target) => target.suites))];
    lines.push(
      `This run checked no target. The targets are measured on the suites ${needed.join(", ")}, ` +
        "which only a full run (`deno task bench` without `--quick`) includes.",
    );
    return lines;
  }
  lines.push(
    "| target | limit | tool | measured | verdict |",
    "|---|---|---|---|---|",
  );
  for (const target of checkable) {
    for (const tool of tools) {
      const verdict = target.evaluate(summary, tool);
      let cell = "— (run check failed or not run)";
      if (verdict.met === true) cell = `met: ${verdict.margin}`;
      if (verdict.met === false) cell = `MISSED: ${verdict.margin}`;
      lines.push(
        `| ${target.description} | ${target.limit} | ${tool} | ${verdict.measured} | ${cell} |`,
      );
    }
  }
  const unchecked = TARGETS.filter((target) => !checkable.includes(target));
  if (unchecked.length > 0) {
    const names = unchecked.map((target) => `${target.description} (${target.suites.join(", ")})`);
    lines.push(
      "",
      `Not checked, because this run did not include their suites: ${names.join("; ")}.`,
    );
  }
  return lines;
}
