/**
 * Output echo for programmatic runs with `echo: true` and no presenter:
 * task output goes to the process's stdout and stderr, each line prefixed
 * with the task id.
 *
 * @module
 */

import process from "node:process";
import type { RunEventListener } from "./events.ts";

/** Returns a listener that writes `task-output` events line by line with a `[task]` prefix. */
export function processEcho(): RunEventListener {
  const partial = new Map<string, string>();
  const write = (key: string, stream: "stdout" | "stderr", taskId: string, text: string) => {
    const lines = ((partial.get(key) ?? "") + text).split("\n");
    partial.set(key, lines.pop() ?? "");
    const target = stream === "stdout" ? process.stdout : process.stderr;
    for (const line of lines) target.write(`[${taskId}] ${line}\n`);
  };
  return (event) => {
    if (event.type === "task-output") {
      write(`${event.taskId}\0${event.stream}`, event.stream, event.taskId, event.text);
    } else if (event.type === "task-finished" || event.type === "task-cached") {
      for (const stream of ["stdout", "stderr"] as const) {
        const key = `${event.taskId}\0${stream}`;
        const rest = partial.get(key);
        if (rest) write(key, stream, event.taskId, "\n");
        partial.delete(key);
      }
    }
  };
}
