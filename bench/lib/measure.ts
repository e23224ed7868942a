/**
 * Timing through hyperfine, with every run's peak memory and a check that the
 * runs executed exactly the expected commands.
 *
 * Each measured command runs as `/usr/bin/time -f %M sh -c COMMAND`, so GNU
 * time records the maximum resident set size of the largest process of the
 * run (getrusage RUSAGE_CHILDREN), normally the task runner itself. The
 * wrapper adds about 1 ms per run (measured with hyperfine on `sh -c true`),
 * the same for every tool and floor.
 *
 * @module
 */

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
export interface MeasureRequest {
  readonly name: string;
  readonly command: string;
  /** Shell command hyperfine runs before every run, untimed. */
  readonly prepare?: string;
  readonly runs: number;
  readonly warmup: number;
  readonly cwd: string;
  readonly env: Record<string, string>;
  /** Path of hyperfine's JSON export; the memory log goes beside it. */
  readonly exportPath: string;
}

/** Timing and memory of one measured command, or the reason they are missing. */
export interface Measurement {
  readonly timing?: Timing;
  /** Maximum RSS of the largest process, in KB, for every run including warmups. */
  readonly maxRssKb: readonly number[];
  readonly error?: string;
}

/** Quotes `text` as one POSIX shell word. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function readMemoryLog(path: string): number[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8").split("\n")
    .map((line) => Number(line.trim()))
    .filter((value) => Number.isFinite(value) && value > 0);
}

/** Runs hyperfine on the wrapped command and returns its timing and memory. */
export function measure(request: MeasureRequest): Measurement {
  const memoryPath = request.exportPath.replace(/\.json$/, ".rss");
  rmSync(memoryPath, { force: true });
  const wrapped = `/usr/bin/time -f %M -a -o ${shellQuote(memoryPath)} sh -c ${
    shellQuote(request.command)
  }`;

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
  args.push(wrapped);

  const result = spawnSync("hyperfine", args, {
    cwd: request.cwd,
    env: request.env,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });

  const maxRssKb = readMemoryLog(memoryPath);
  if (result.status !== 0) {
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
    return { maxRssKb, error: `hyperfine exit code ${result.status}: ${output.slice(-1500)}` };
  }
  const exported = JSON.parse(readFileSync(request.exportPath, "utf8")).results[0];
  const { median, mean, min, max, stddev, times } = exported;
  return { timing: { median, mean, min, max, stddev, times }, maxRssKb };
}

/** Whether the measured runs did exactly the expected work. */
export interface RunCheck {
  /** Commands that wrote to `.bench-exec.log` over all runs, warmups included. */
  readonly executed: number;
  readonly expected: number;
  /** `dist/out.txt` files present after the last run. */
  readonly outputs: number;
  readonly expectedOutputs: number;
  readonly ok: boolean;
  /** Last part of the tool's output from a separate run, when the check failed. */
  readonly outputTail?: string;
}

/** Clears the workspace's execution log before a measurement. */
export function resetExecutionLog(workspace: string): void {
  writeFileSync(join(workspace, ".bench-exec.log"), "");
}

function countOutputs(workspace: string): number {
  const packages = join(workspace, "packages");
  if (!existsSync(packages)) return 0;
  return readdirSync(packages)
    .filter((name) => existsSync(join(packages, name, "dist", "out.txt")))
    .length;
}

/**
 * Compares the execution log and the outputs with what the runs should have
 * produced. When they differ, runs the command once more, untimed, to keep
 * the tool's own output for the report.
 */
export function checkRuns(
  workspace: string,
  command: string,
  env: Record<string, string>,
  expected: { executed: number; outputs: number },
): RunCheck {
  const log = readFileSync(join(workspace, ".bench-exec.log"), "utf8");
  const executed = log.split("\n").filter(Boolean).length;
  const outputs = countOutputs(workspace);
  const ok = executed === expected.executed && outputs === expected.outputs;
  const check = {
    executed,
    expected: expected.executed,
    outputs,
    expectedOutputs: expected.outputs,
    ok,
  };
  if (ok) return check;

  const rerun = spawnSync("sh", ["-c", `${command} 2>&1`], {
    cwd: workspace,
    env,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return { ...check, outputTail: `exit code ${rerun.status}: ${rerun.stdout.slice(-1500)}` };
}
