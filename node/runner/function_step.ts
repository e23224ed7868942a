/** Running one function step of a task attempt. @module */

import type { CandidateContext } from "../../core/context.ts";
import { ErrorCode } from "../../core/errors.ts";
import { isDeferredShell, isShellCommand } from "../../core/sh.ts";
import { thrownCode, thrownHint, thrownMessage } from "../thrown.ts";
import { withTaskOutput } from "./console_capture.ts";
import { taskContext } from "./context.ts";
import { StepScope } from "./step_scope.ts";
import type { AttemptFailure, AttemptOptions, PreparedStep } from "./steps.ts";

/** Maximum length of the command text that the error of a step returning a command quotes. */
const MAX_QUOTED_COMMAND = 200;

/** Rejects when `signal` aborts. The rejection is marked handled, because it may come after a race ended. */
function abortPromise(signal: AbortSignal): Promise<never> {
  const promise = new Promise<never>((_, reject) => {
    const fail = () => reject(signal.reason);
    if (signal.aborted) fail();
    else signal.addEventListener("abort", fail, { once: true });
  });
  promise.catch(() => undefined);
  return promise;
}

/**
 * Returns the text of a shell command that a step returned, such as
 * `` sh`npm test` ``, or undefined for any other value. A function step's
 * result is ignored, so a returned command would never run.
 */
function returnedCommand(value: unknown): string | undefined {
  if (isDeferredShell(value)) return "sh((ctx) => ...)";
  if (!isShellCommand(value)) return undefined;
  const text = value.text.length > MAX_QUOTED_COMMAND
    ? `${value.text.slice(0, MAX_QUOTED_COMMAND)}...`
    : value.text;
  return `sh\`${text}\``;
}

/**
 * Runs a function step until it settles or the attempt's `signal` aborts.
 * Its context closes then, so later `ctx.command` and `ctx.meta` calls fail.
 * A step that returns a shell command fails, because nothing would run it.
 */
export async function runFunction(
  options: AttemptOptions,
  step: Extract<PreparedStep, { kind: "function" }>,
  signal: AbortSignal,
): Promise<AttemptFailure | undefined> {
  const { state, task, output, meta } = options;
  const scope = new StepScope(task.id, step.name, signal);
  const candidate = options.candidate as CandidateContext;
  const ctx = taskContext(state, task, candidate, output, meta, signal, scope);
  let value: unknown;
  try {
    // Console output of the step and of the work it starts is the task's output.
    const running = withTaskOutput(output, () => Promise.resolve().then(() => step.fn(ctx)));
    value = await Promise.race([running, abortPromise(signal)]);
  } catch (error) {
    const message = thrownMessage(error);
    const code = thrownCode(error);
    // The fix a thrown pipeline error suggests, such as that of a command policy denial, stays with it.
    const hint = thrownHint(error);
    return {
      error: {
        code: code !== undefined && code.startsWith("ASYNC_PIPELINE_")
          ? code
          : ErrorCode.TASK_FAILED,
        message: state.redactor.redact(
          `Task "${task.id}" failed: function step ${step.name}() threw: ${message}`,
        ),
        ...(hint === undefined ? {} : { hint: state.redactor.redact(hint) }),
      },
    };
  } finally {
    scope.close();
  }

  const command = returnedCommand(value);
  if (command === undefined) return undefined;
  return {
    noRetry: true,
    error: {
      code: ErrorCode.INVALID_FIELD,
      message: state.redactor.redact(
        `Task "${task.id}" failed: function step ${step.name}() returned ${command}, but a ` +
          "function step's return value is ignored, so the command did not run.",
      ),
      hint: "Return nothing from the step. Run the command in it with await ctx.command([...]), " +
        "make it a step of its own (task({ ... }, sh`...`)), or build it when the task runs " +
        "with sh((ctx) => sh`...`).",
    },
  };
}
