/** Running a run's tasks through the scheduler into its record. @module */

import type { NormalizedTask } from "../../core/model.ts";
import { thrownMessage } from "../thrown.ts";
import type { ExecutionRecord, TaskResult } from "../types.ts";
import { schedule } from "./scheduler.ts";
import type { RunState } from "./state.ts";
import { runTask } from "./task.ts";

/**
 * Runs `tasks` (in an order where each comes after its dependencies) with at
 * most `concurrency` running commands, filling in their results in `record`
 * and writing its progress. Tasks that never ran a command end `skipped`,
 * with the reason in a warning and a `task-skipped` event.
 */
export async function executeTasks(
  state: RunState,
  tasks: readonly NormalizedTask[],
  concurrency: number,
  record: ExecutionRecord,
): Promise<void> {
  const results = new Map(record.tasks.map((result) => [result.id, result]));
  const byId = new Map(tasks.map((task) => [task.id, task]));
  // With one slot, a task keeps it until its entry is stored, so the next
  // task cannot change its outputs while they are copied.
  const sequential = concurrency === 1;
  const release = () => {};
  const started = await schedule({
    nodes: tasks,
    concurrency,
    // With one slot, a task's lookup waits for the task before it to finish,
    // so tasks run strictly one after another, as `--concurrency 1` promises.
    lookahead: concurrency > 1,
    stopped: () => state.signal.aborted,
    run: async (id, slot) => {
      const result = results.get(id) as TaskResult;
      let outcome: boolean | "unstarted";
      // Recording the start lets `doctor` tell a task that was running from one that was pending
      // when a run crashed.
      result.status = "running";
      state.store.writeProgress(record);
      try {
        outcome = await runTask(
          state,
          byId.get(id)!,
          result,
          sequential ? { ...slot, release } : slot,
        );
      } catch (error) {
        outcome = false;
        result.status = "failed";
        result.error = {
          code: "ASYNC_PIPELINE_INTERNAL",
          message: state.redactor.redact(thrownMessage(error)),
        };
        // The task still gets its status line, as every task that started does.
        state.emit({ type: "task-finished", taskId: id, result, outputTail: [] });
      }
      if (outcome === "unstarted") result.status = "pending";
      // Tasks in the middle of their retries start no further attempt.
      if (outcome === false && !state.failed.signal.aborted) state.failed.abort(id);
      state.store.writeProgress(record);
      return outcome;
    },
  });
  markSkipped(state, tasks, record, started);
}

function markSkipped(
  state: RunState,
  tasks: readonly NormalizedTask[],
  record: ExecutionRecord,
  started: Set<string>,
) {
  const byId = new Map(record.tasks.map((result) => [result.id, result]));
  for (const task of tasks) {
    if (started.has(task.id)) continue;
    const blocker = task.dependsOn.find((dep) => byId.get(dep)?.status !== "passed");
    const reason = state.signal.aborted
      ? "the run was interrupted"
      : blocker !== undefined
      ? `dependency "${blocker}" did not pass`
      : "an earlier task failed";
    const result = byId.get(task.id) as TaskResult;
    result.status = "skipped";
    result.warnings = [...(result.warnings ?? []), `Skipped: ${reason}.`];
    state.emit({ type: "task-skipped", taskId: task.id, reason });
  }
}
