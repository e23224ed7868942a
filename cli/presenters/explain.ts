/** The text of `async-pipeline explain`: what a recorded run did with one task, and why. @module */

import type { RecordedTask } from "../../node/run_history.ts";
import type { ExecutionRecord, TaskResult } from "../../node/types.ts";
import { missDetails } from "./miss.ts";
import type { Styles } from "./text.ts";

function outcomeLines(result: TaskResult, record: ExecutionRecord): string[] {
  if (result.cacheHit) return ["It was restored from the cache instead of running."];
  if (result.status === "skipped") {
    const reason = (result.warnings ?? []).find((warning) => warning.startsWith("Skipped:"));
    if (reason !== undefined) return [`It did not run. ${reason}`];
    if (record.error !== undefined) {
      return [
        `It did not run: the run stopped first. ${record.error.code}: ${record.error.message}`,
      ];
    }
    return ["It did not run."];
  }
  if (result.cacheMiss !== undefined) {
    const uncached = record.tasks.filter((task) => task.cacheMiss?.kind === "uncacheable");
    return missDetails(result.cacheMiss, new Set(uncached.map((task) => task.id)));
  }
  if (result.status === "failed" && result.error !== undefined) {
    return [`It failed before its cache lookup: ${result.error.message}`];
  }
  if (result.status === "pending" || result.status === "running") {
    return ["It has not finished in this run yet."];
  }
  return ["It ran without the cache: the run had no task cache."];
}

/** Renders the explanation of a recorded task as text lines ending with a newline. */
export function renderExplanation(recorded: RecordedTask, style: Styles): string {
  const { record, result } = recorded;
  const lines = [
    `${style.bold(result.id)} in run ${record.id} ${
      style.dim(`(${record.jobId}, ${record.status}, started ${record.startedAt})`)
    }`,
    `Status: ${result.status}${result.cacheHit ? " (cache hit)" : ""}`,
    ...outcomeLines(result, record),
  ];
  if (result.cacheKey !== undefined) lines.push(`Key: ${result.cacheKey}`);
  for (const warning of result.warnings ?? []) {
    if (!warning.startsWith("Skipped:")) lines.push(`${style.yellow("warning:")} ${warning}`);
  }
  return `${lines.join("\n")}\n`;
}
