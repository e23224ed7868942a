/**
 * The text presenter of runs: task output prefixed with the task id, one
 * status line per task, and a summary. Color is used only when enabled
 * (a terminal without `NO_COLOR`). The words are the same either way, so
 * CI logs read like the terminal.
 *
 * @module
 */

import { dirname, join, relative, sep } from "node:path";
import type {
  RunEvent,
  RunEventListener,
  RunStartedEvent,
  TaskRetriedEvent,
} from "../../node/runner/events.ts";
import { ErrorCode } from "../../core/errors.ts";
import { TaskLines } from "../../node/runner/lines.ts";
import type { ExecutionRecord, TaskResult } from "../../node/types.ts";
import type { TextSink } from "../io.ts";
import { formatDuration } from "./format.ts";
import { isReportedMiss, missSummary } from "./miss.ts";
import { projectCommand } from "../../node/cli_command.ts";
import { printableLine } from "../../node/printable.ts";

export { formatDuration };

/** ANSI styles, or identity functions without color. */
export interface Styles {
  readonly green: (text: string) => string;
  readonly red: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly cyan: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly bold: (text: string) => string;
}

const ansi = (open: number, close: number) => (text: string) =>
  `\x1b[${open}m${text}\x1b[${close}m`;

/** Returns ANSI styles when `color` is true, else styles that return the text unchanged. */
export function styles(color: boolean): Styles {
  if (!color) {
    const plain = (text: string) => text;
    return { green: plain, red: plain, yellow: plain, cyan: plain, dim: plain, bold: plain };
  }
  return {
    green: ansi(32, 39),
    red: ansi(31, 39),
    yellow: ansi(33, 39),
    cyan: ansi(36, 39),
    dim: ansi(2, 22),
    bold: ansi(1, 22),
  };
}

/**
 * Returns true when output to `sink` should be colored. A non-empty
 * `NO_COLOR` turns colors off, then `FORCE_COLOR` decides when it is set
 * and not empty (`0` or `false` for off, anything else for on, also in a
 * pipe). Otherwise output is colored on a terminal whose `TERM` is not `dumb`.
 */
export function useColor(
  sink: TextSink,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== "") return force !== "0" && force !== "false";
  return sink.isTTY === true && env.TERM !== "dumb";
}

/** Select Graphic Rendition sequences (colors, bold): they cannot move the cursor. */
// deno-lint-ignore no-control-regex
const SGR_SEQUENCE = /\x1b\[[0-9;]*m/g;

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** Renders the status line of a task that ran or was restored. */
export function taskStatusLine(result: TaskResult, style: Styles): string {
  const id = style.bold(result.id);
  const duration = style.dim(`(${formatDuration(result.durationMs ?? 0)})`);
  if (result.cacheHit) return `${style.cyan("●")} ${id} cached ${duration}`;
  if (result.status === "passed") {
    const retried = result.attempts > 1 ? ` after ${result.attempts} attempts` : "";
    return `${style.green("✓")} ${id} passed${retried} ${duration}`;
  }
  const last = result.attemptLog[result.attemptLog.length - 1];
  if (last?.timedOut) return `${style.red("✗")} ${id} ${style.red("timed out")} ${duration}`;
  const detail = result.exitCode !== undefined ? `: exit code ${result.exitCode}` : "";
  return `${style.red("✗")} ${id} ${style.red("failed")} ${duration}${detail}`;
}

function countLine(record: ExecutionRecord): string {
  const count = (predicate: (result: TaskResult) => boolean) =>
    record.tasks.filter(predicate).length;
  const parts = [
    `${count((r) => r.status === "passed" && !r.cacheHit)} passed`,
    `${count((r) => r.cacheHit)} cached`,
    `${count((r) => r.status === "failed")} failed`,
    `${count((r) => r.status === "skipped")} skipped`,
  ];
  return parts.join(", ");
}

/** Options of {@link textPresenter}. */
export interface TextPresenterOptions {
  readonly color: boolean;
  /** Directory that paths are shown relative to. */
  readonly cwd: string;
}

function displayPath(path: string, cwd: string): string {
  const relativePath = relative(cwd, path);
  const outside = relativePath === "" || relativePath === ".." ||
    relativePath.startsWith(`..${sep}`);
  return outside ? path : relativePath;
}

function startLine(event: RunStartedEvent, style: Styles): string {
  const size = `(${plural(event.taskIds.length, "task")}, concurrency ${event.concurrency})`;
  return `${style.bold(`Running ${event.jobId}`)} ${style.dim(size)}`;
}

function retryLine(event: TaskRetriedEvent, style: Styles): string {
  const delay = event.delayMs > 0 ? ` in ${formatDuration(event.delayMs)}` : "";
  return `${style.yellow("↻")} ${style.bold(event.taskId)} attempt ${event.attempt} of ` +
    `${event.maxAttempts} failed, retrying${delay}: ${event.reason}`;
}

/** Returns a listener that renders run events as text on `sink`. */
export function textPresenter(sink: TextSink, options: TextPresenterOptions): RunEventListener {
  const style = styles(options.color);
  const tails = new Map<string, readonly string[]>();
  const lines = new TaskLines((taskId, _stream, line) => {
    sink.write(`${style.dim(`[${taskId}]`)} ${line}\n`);
  });

  return (event: RunEvent) => {
    switch (event.type) {
      case "run-started":
        return sink.write(`${startLine(event, style)}\n`);
      case "task-output":
        return lines.add(event.taskId, event.stream, event.text);
      case "task-retried":
        return sink.write(`${retryLine(event, style)}\n`);
      case "task-cached":
      case "task-finished":
        lines.flush(event.taskId);
        if (event.type === "task-finished") tails.set(event.taskId, event.outputTail);
        sink.write(`${taskStatusLine(event.result, style)}\n`);
        for (const warning of event.result.warnings ?? []) {
          sink.write(`  ${style.yellow("warning:")} ${warning}\n`);
        }
        return;
      case "task-skipped":
        return sink.write(
          `${style.dim("○")} ${style.bold(event.taskId)} skipped: ${event.reason}\n`,
        );
      case "warning":
        return sink.write(`${style.yellow("warning:")} ${event.message}\n`);
      case "run-finished":
        // The CLI reports the error of a run that stopped before its tasks itself.
        if (event.thrown) return;
        return sink.write(
          summary(event.record, event.durationMs, event.recordPath, tails, style, options),
        );
    }
  };
}

/** Codes that the summary leaves out, because "Failed:" or "timed out" already states them. */
const PLAIN_CODES: ReadonlySet<string> = new Set([ErrorCode.TASK_FAILED, ErrorCode.TASK_TIMEOUT]);

/** Returns a failed task's message, after its code when the code adds to "failed". */
/** Control characters other than tab and line feed, which could drive a terminal. */
// deno-lint-ignore no-control-regex
const CONTROL_CHARACTER = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/**
 * Returns a task's error message for the summary: colors dropped and other
 * control characters escaped, as a thrown message can carry a tool's output.
 */
function failureText(result: TaskResult): string {
  const error = result.error;
  if (error === undefined) return "";
  const message = error.message.replace(SGR_SEQUENCE, "").replace(
    CONTROL_CHARACTER,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return error.code && !PLAIN_CODES.has(error.code) ? `[${error.code}] ${message}` : message;
}

function summary(
  record: ExecutionRecord,
  durationMs: number,
  recordPath: string,
  tails: ReadonlyMap<string, readonly string[]>,
  style: Styles,
  options: TextPresenterOptions,
): string {
  const lines = [""];
  for (const result of record.tasks) {
    if (result.status !== "failed") continue;
    lines.push(`${style.red("Failed:")} ${style.bold(result.id)}: ${failureText(result)}`);
    const hint = result.error?.hint;
    if (hint && !result.error?.message.includes(hint)) lines.push(`  hint: ${hint}`);
    const tail = tails.get(result.id) ?? [];
    if (tail.length > 0) {
      const noun = tail.length === 1 ? "line" : `${tail.length} lines`;
      lines.push(style.dim(`  last ${noun} of output:`));
      // Task output may hold terminal escapes and binary bytes, so such lines are quoted.
      // Colors are dropped first, so a tool that colors its output stays readable here.
      for (const line of tail) {
        lines.push(`  ${style.dim("│")} ${printableLine(line.replace(SGR_SEQUENCE, ""))}`);
      }
    }
    const logs = [result.logs?.stdout, result.logs?.stderr]
      .filter((path): path is string => path !== undefined)
      .map((path) => displayPath(join(dirname(recordPath), path), options.cwd));
    if (logs.length > 0) lines.push(style.dim(`  logs: ${logs.join(", ")}`));
  }
  const misses = record.tasks.filter(isReportedMiss);
  if (misses.length > 0) {
    lines.push(style.bold("Cache misses:"));
    for (const result of misses) {
      lines.push(`  ${result.id}: ${missSummary(result.cacheMiss!)}`);
    }
    lines.push(style.dim(`  \`${projectCommand("explain <task>")}\` prints the full reason.`));
  }
  if (record.error) lines.push(`${style.red("Stopped:")} ${record.error.message}`);
  const status = record.status === "passed" ? style.green("passed") : style.red("failed");
  lines.push(
    `${style.bold(record.jobId)} ${status} in ${formatDuration(durationMs)}: ${countLine(record)}`,
    `${style.dim("record:")} ${displayPath(recordPath, options.cwd)}`,
  );
  return `${lines.join("\n")}\n`;
}
