/**
 * The text form of a dry run: one block per task in execution order with
 * its dependencies, the predicted cache outcome, its key and the reason it
 * would run. Keys are shortened to 12 digits, as `--format json` gives them
 * whole.
 *
 * @module
 */

import type { JobPlan, PlannedEnv, PlannedTask } from "../../node/runner/dry_run.ts";
import { printablePath } from "../../node/printable.ts";
import { missSummary } from "./miss.ts";
import type { Styles } from "./text.ts";

/** Digits of a key shown in text output. */
const SHORT_KEY = 12;

/** Paths of removals shown in text output; `--format json` lists them all. */
const SHOWN_REMOVALS = 5;

/** Returns the line that lists what a hit would remove, such as `would remove: dist/b.js`. */
function removalLine(paths: readonly string[]): string {
  const shown = paths.slice(0, SHOWN_REMOVALS).map(printablePath).join(", ");
  const more = paths.length > SHOWN_REMOVALS ? ` (+${paths.length - SHOWN_REMOVALS} more)` : "";
  return `would remove: ${shown}${more}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** The outcome a run would have for a task. */
type Outcome = "hit" | "miss" | "uncached" | "fail" | "skip";

function outcomeOf(task: PlannedTask): Outcome {
  if (task.error !== undefined) return "fail";
  if (task.skipped) return "skip";
  if (task.cacheHit) return "hit";
  const kind = task.cacheMiss?.kind;
  return kind === undefined || kind === "uncacheable" ? "uncached" : "miss";
}

function outcomeLine(task: PlannedTask, style: Styles): string {
  const id = style.bold(task.id);
  const guess = task.certain ? "" : " (uncertain)";
  const reason = task.cacheMiss && task.cacheMiss.kind !== "uncacheable"
    ? `: ${missSummary(task.cacheMiss)}`
    : "";
  switch (outcomeOf(task)) {
    case "fail":
      return `${style.red("✗")} ${id} would fail: ${task.error?.message ?? ""}`;
    case "skip":
      return `${style.dim("○")} ${id} would be skipped`;
    case "hit":
      return `${style.cyan("●")} ${id} cache hit${guess}`;
    case "uncached": {
      const summary = task.cacheMiss ? missSummary(task.cacheMiss) : "not cached";
      return `${style.yellow("▶")} ${id} would run: ${summary}`;
    }
    case "miss":
      return `${style.yellow("▶")} ${id} cache miss${guess}${reason}`;
  }
}

function taskLines(task: PlannedTask, style: Styles): string[] {
  const lines = [outcomeLine(task, style)];
  const details: string[] = [];
  if (task.dependsOn.length > 0) details.push(`after ${task.dependsOn.join(", ")}`);
  if (task.cacheKey !== undefined) details.push(`key ${task.cacheKey.slice(0, SHORT_KEY)}`);
  if (details.length > 0) lines.push(`    ${style.dim(details.join(", "))}`);
  if (task.removes !== undefined) lines.push(`    ${removalLine(task.removes)}`);
  if (task.note !== undefined) lines.push(`    ${style.dim(`note: ${task.note}`)}`);
  for (const warning of task.warnings ?? []) {
    lines.push(`    ${style.yellow("warning:")} ${warning}`);
  }
  return lines;
}

function envLine(env: readonly PlannedEnv[]): string | undefined {
  if (env.length === 0) return undefined;
  const items = env.map((entry) =>
    entry.kind === "secret" ? `${entry.name} (secret)` : `${entry.name}=${entry.value ?? ""}`
  );
  return `env: ${items.join(", ")}`;
}

function countLine(plan: JobPlan): string {
  const count = (outcome: Outcome) =>
    plan.tasks.filter((task) => outcomeOf(task) === outcome).length;
  const parts = [
    `${count("miss") + count("uncached")} would run`,
    `${count("hit")} from the cache`,
  ];
  if (count("fail") > 0) parts.push(`${count("fail")} would fail`);
  if (count("skip") > 0) parts.push(`${count("skip")} would be skipped`);
  return parts.join(", ");
}

/** Renders a dry run's plan as text lines ending with a newline. */
export function renderPlan(plan: JobPlan, style: Styles): string {
  const target = plan.jobId.startsWith("task:") ? `task ${plan.jobId.slice(5)}` : plan.jobId;
  const lines = [
    style.bold(`Dry run of ${target}`) +
    style.dim(` (${plural(plan.tasks.length, "task")} in execution order; nothing runs)`),
  ];
  for (const task of plan.tasks) lines.push(...taskLines(task, style));
  const env = envLine(plan.env);
  if (env !== undefined) lines.push(style.dim(env));
  for (const warning of plan.warnings) lines.push(`${style.yellow("warning:")} ${warning}`);
  if (plan.activeRun) {
    const { pid, runId, startedAt } = plan.activeRun;
    lines.push(
      `${style.yellow("note:")} run ${runId} (pid ${pid}, started ${startedAt}) holds the run ` +
        "lock; what it changes before this job runs may change this plan.",
    );
  }
  lines.push(`${style.bold(plan.jobId)}: ${countLine(plan)}`);
  return `${lines.join("\n")}\n`;
}
