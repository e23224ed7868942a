/**
 * Output echo for programmatic runs with `echo: true` and no presenter:
 * task output goes to the process's stdout and stderr, each line prefixed
 * with the task id.
 *
 * @module
 */

import process from "../process.ts";
import type { RunEventListener } from "./events.ts";
import { TaskLines } from "./lines.ts";

/** Returns a listener that writes `task-output` events line by line with a `[task]` prefix. */
export function processEcho(): RunEventListener {
  const lines = new TaskLines((taskId, stream, line) => {
    const target = stream === "stdout" ? process.stdout : process.stderr;
    target.write(`[${taskId}] ${line}\n`);
  });
  return (event) => {
    if (event.type === "task-output") lines.add(event.taskId, event.stream, event.text);
    else if (event.type === "task-finished" || event.type === "task-cached") {
      lines.flush(event.taskId);
    }
  };
}
