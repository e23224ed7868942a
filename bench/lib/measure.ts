/**
 * Timing through hyperfine, and the separate probe run that records peak
 * memory and how many builds really ran.
 *
 * @module
 */

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Wall-clock statistics of one command, in seconds. */
export interface Timing {
  readonly median: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly stddev: number;
  /** Every timed run, in run order. */
  readonly times: readonly number[];
}

/** One hyperfine measurement request. */
export interface HyperfineRequest {
  readonly name: string;
  readonly command: string;
  /** Shell command hyperfine runs before every timed run, untimed. */
  readonly prepare?: string;
  readonly runs: number;
  readonly warmup: number;
  readonly cwd: string;
  readonly env: Record<string, string>;
  /** Path of hyperfine's JSON export. */
  readonly exportPath: string;
}

/** Quotes `text` as one POSIX shell word. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Runs hyperfine and returns the timing, or the reason it failed. */
export function hyperfine(
  request: HyperfineRequest,
): { timing?: Timing; error?: string } {
  const args = [
    "--runs",
    String(request.runs),
    "--warmup",
    String(request.warmup),
    "--export-json",
    request.exportPath,
    "--command-name",
    request.name,
    "--style",
    "basic",
  ];
  if (request.prepare) args.push("--prepare", request.prepare);
  args.push(request.command);
  const result = spawnSync("hyperfine", args, {
    cwd: request.cwd,
    env: request.env,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
    return {
      error: `hyperfine exit code ${result.status}: ${output.slice(-1500)}`,
    };
  }
  const exported = JSON.parse(readFileSync(request.exportPath, "utf8")).results[0];
  const { median, mean, min, max, stddev, times } = exported;
  return { timing: { median, mean, min, max, stddev, times } };
}

/** Observations of the probe run of a scenario. */
export interface Probe {
  readonly exit: number | null;
  readonly wallMs: number;
  /** Peak sum of RSS over the whole process tree, sampled every 20 ms. */
  readonly peakTreeRssKb: number;
  readonly peakProcesses: number;
  /** Maximum RSS of the largest single process, from GNU time. */
  readonly maxSingleRssKb: number | null;
  /** Commands that wrote to `.bench-exec.log`. */
  readonly executed: number;
  readonly expected: number;
  /** `dist/out.txt` files present after the run. */
  readonly outputs: number;
  readonly expectedOutputs: number;
  /** Exit 0, the expected number of commands ran and every output is present. */
  readonly ok: boolean;
  /** Last lines of the tool's output when the probe failed. */
  readonly outputTail?: string;
}

/** The probe's request: the command, its setup and the expected counts. */
export interface ProbeRequest {
  readonly command: string;
  readonly prepare?: string;
  readonly cwd: string;
  readonly env: Record<string, string>;
  readonly memtree: string;
  readonly expected: number;
  readonly expectedOutputs: number;
}

function countOutputs(workspace: string): number {
  const packages = join(workspace, "packages");
  if (!existsSync(packages)) return 0;
  return readdirSync(packages)
    .filter((name) => existsSync(join(packages, name, "dist", "out.txt")))
    .length;
}

/**
 * Runs the scenario once more, outside the timing, under the memory sampler,
 * and checks that exactly the expected commands ran and every output exists.
 */
export function probe(request: ProbeRequest): Probe {
  const shell = (command: string) =>
    spawnSync("sh", ["-c", command], {
      cwd: request.cwd,
      env: request.env,
      encoding: "utf8",
    });
  if (request.prepare) shell(request.prepare);
  const log = join(request.cwd, ".bench-exec.log");
  writeFileSync(log, "");

  const wrapped = `${request.command} > .bench-probe.out 2>&1`;
  const sampled = shell(
    `node ${shellQuote(request.memtree)} -- ${shellQuote(wrapped)}`,
  );
  const lastLine = sampled.stdout.trim().split("\n").pop() ?? "";
  let memory;
  try {
    memory = JSON.parse(lastLine);
  } catch {
    throw new Error(
      `Memory sampler printed no result: ${sampled.stdout}${sampled.stderr}`,
    );
  }
  const executed = readFileSync(log, "utf8").split("\n").filter(Boolean).length;
  const outputs = countOutputs(request.cwd);
  const ok = memory.exit === 0 && executed === request.expected &&
    outputs === request.expectedOutputs;
  const outputTail = ok
    ? undefined
    : readFileSync(join(request.cwd, ".bench-probe.out"), "utf8").slice(-1500);
  return {
    ...memory,
    executed,
    expected: request.expected,
    outputs,
    expectedOutputs: request.expectedOutputs,
    ok,
    outputTail,
  };
}
