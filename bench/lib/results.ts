/** The shape of `summary.json`, written by the runner and read by the report. @module */

import type { DagStats } from "./graph.ts";
import type { RunCheck, Timing } from "./measure.ts";
import type { FloorKind, ScenarioName } from "./suites.ts";

/** One tool in one scenario. */
export interface ScenarioResult {
  readonly command: string;
  readonly prepare?: string;
  readonly timing?: Timing;
  /** Reason the timing is missing. */
  readonly error?: string;
  /** Maximum RSS of the largest process of each run, warmups included, in KB. */
  readonly maxRssKb: readonly number[];
  readonly check: RunCheck;
  /** One-minute load average before and after, to spot a busy machine. */
  readonly loadBefore: number;
  readonly loadAfter: number;
}

/** One floor measurement. */
export interface FloorResult {
  readonly kind: FloorKind;
  /** Runtime that ran the floor's helper, when it has one. */
  readonly runtime?: "node" | "deno";
  readonly name: string;
  readonly command: string;
  readonly timing?: Timing;
  readonly error?: string;
  /** Maximum RSS of the largest process of each run, in KB. */
  readonly maxRssKb: readonly number[];
}

/** A tool's status in a suite. */
export interface ToolStatus {
  readonly version?: string;
  /** Reason the tool was not measured. */
  readonly skipped?: string;
  /**
   * True when the tool was skipped because it does not support the suite,
   * a documented limitation rather than a failure.
   */
  readonly unsupported?: boolean;
}

/** Every measurement of one suite. */
export interface SuiteResult {
  readonly label: string;
  readonly title: string;
  readonly stats: DagStats;
  readonly scenarios: readonly ScenarioName[];
  readonly started: string;
  finished?: string;
  readonly tools: Record<string, ToolStatus>;
  readonly results: Record<
    string,
    Partial<Record<ScenarioName, ScenarioResult>>
  >;
  readonly floors: FloorResult[];
}

/** Facts about the machine and the software, recorded once per invocation. */
export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryMb: number;
  readonly kernel: string;
  readonly node: string;
  readonly deno: string;
  readonly npm: string;
  readonly hyperfine: string;
}

/** The whole `summary.json`. */
export interface BenchSummary {
  readonly started: string;
  finished?: string;
  readonly options: {
    readonly runs: number;
    readonly concurrency: number;
    /** The async-pipeline build each runtime ran: `source` or the packed npm package. */
    readonly builds: { readonly node: string; readonly deno: string };
  };
  readonly machine: MachineInfo;
  readonly suites: SuiteResult[];
}
