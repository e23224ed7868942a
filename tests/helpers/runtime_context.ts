/** A runtime context for tests that call tasks and middleware directly. */

import type { RuntimeContext } from "../../runtime/mod.ts";

/** Returns the context of a task `probe` in run `run-1`, with `overrides` applied. */
export function context(overrides: Partial<RuntimeContext> = {}): RuntimeContext {
  return {
    taskId: "probe",
    runId: "run-1",
    input: undefined,
    state: {},
    dependencies: {},
    signal: new AbortController().signal,
    ...overrides,
  };
}
