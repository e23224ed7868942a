/** The benchmark suites: which graph, which scenarios, which floors. @module */

import {
  type BenchGraph,
  type DagStats,
  makeNoopGraph,
  makePackageGraph,
  type PackageGraphOptions,
} from "./graph.ts";

/** A timed situation every tool is measured in. */
export type ScenarioName = "cold" | "cached" | "leaf" | "root" | "noop";

/** Human-readable scenario titles for the report. */
export const SCENARIO_TITLES: Readonly<Record<ScenarioName, string>> = {
  cold: "cold (no cache, no outputs)",
  cached: "fully cached, nothing changed",
  leaf: "one file of a leaf package edited",
  root: "one file of the root package edited",
  noop: "every no-op task (uncached)",
};

/** One suite: a generated graph and the scenarios run on it. */
export interface SuiteDefinition {
  readonly label: string;
  readonly title: string;
  readonly graph: BenchGraph;
  readonly scenarios: readonly ScenarioName[];
  /** Floors measured beside the tools. */
  readonly floors: readonly FloorKind[];
}

/**
 * Floors measured in the same invocation: runtime startup, the npm script
 * startup every Turborepo task pays, spawning the same number of shells, the
 * same commands spawned directly in dependency order, and those commands
 * again with their output read through pipes. The targets use `direct`;
 * `piped` shows what capturing a command's output costs any runner.
 */
export type FloorKind = "startup" | "npm" | "spawn" | "direct" | "piped";

const SEED = 42;

function packageOptions(
  overrides: Partial<PackageGraphOptions>,
): PackageGraphOptions {
  return {
    packages: 50,
    files: 20,
    fileSize: 3000,
    seed: SEED,
    bigFiles: 0,
    bigFileSize: 1024,
    ...overrides,
  };
}

function packageSuite(packages: number): SuiteDefinition {
  return {
    label: `p${packages}`,
    title: `${packages} packages, 20 source files each`,
    graph: makePackageGraph(packageOptions({ packages })),
    scenarios: ["cold", "cached", "leaf", "root"],
    floors: ["startup", "npm", "spawn", "direct", "piped"],
  };
}

/** Every suite by label, built lazily because the 20,000-file graph is large. */
export const SUITES: Readonly<Record<string, () => SuiteDefinition>> = {
  p50: () => packageSuite(50),
  p200: () => packageSuite(200),
  noop1000: () => ({
    label: "noop1000",
    title: "1,000 uncached no-op tasks",
    graph: makeNoopGraph(1000, SEED),
    scenarios: ["noop"],
    floors: ["startup", "spawn", "direct", "piped"],
  }),
  files20k: () => ({
    label: "files20k",
    title: "one package with 20,000 input files of 1 KB",
    graph: makePackageGraph(
      packageOptions({ packages: 1, bigFiles: 20000, bigFileSize: 1024 }),
    ),
    scenarios: ["cold", "cached", "leaf"],
    floors: ["direct"],
  }),
  files20: () => ({
    label: "files20",
    title: "one package with 20 input files (baseline of the 20,000-file set)",
    graph: makePackageGraph(packageOptions({ packages: 1 })),
    scenarios: ["cached"],
    floors: [],
  }),
};

/** Suites of a full run, in run order. */
export const FULL_SUITES = [
  "p50",
  "p200",
  "noop1000",
  "files20k",
  "files20",
] as const;

/** Suites of `--quick`. */
export const QUICK_SUITES = ["p50"] as const;

/** Number of commands a scenario must run on `stats`. */
export function expectedExecutions(
  scenario: ScenarioName,
  stats: DagStats,
): number {
  switch (scenario) {
    case "cold":
    case "noop":
      return stats.nodes;
    case "cached":
      return 0;
    case "leaf":
      return stats.rebuildOnLeafEdit;
    case "root":
      return stats.rebuildOnRootEdit;
  }
}
