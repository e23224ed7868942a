/** Preparing and running the steps of one task attempt. @module */

import type { CandidateContext } from "../../core/context.ts";
import { formatDurationLimit } from "../../core/duration.ts";
import { ErrorCode, isPipelineError, PipelineError } from "../../core/errors.ts";
import type { NormalizedTask } from "../../core/model.ts";
import { toShellCommand } from "../../core/sh.ts";
import { secretKeyTextDigest } from "../cache_seam.ts";
import { type RenderedShell, renderShell } from "../env.ts";
import type { FunctionStep } from "../../core/types.ts";
import { onTaskError, type UncaughtKind } from "../uncaught.ts";
import { deferredShellContext, taskDir } from "./context.ts";
import { runFunction } from "./function_step.ts";
import type { TaskOutput } from "./output.ts";
import type { RunState } from "./state.ts";
import { thrownCode, thrownHint, thrownMessage } from "../thrown.ts";

/** A step ready to run: deferred shells are evaluated and references resolved. */
export type PreparedStep =
  | {
    readonly kind: "shell";
    readonly script: string;
    readonly display: string;
    readonly keyText: string;
    /** Variables carrying interpolated secrets, added to the step's environment. */
    readonly secretEnv: Readonly<Record<string, string>>;
  }
  | {
    readonly kind: "function";
    readonly fn: FunctionStep;
    readonly name: string;
    readonly code: string;
  };

/** Digest standing in for a secret in cache key text. */
export const secretDigest: (value: string) => string = secretKeyTextDigest;

/** The parts of a run's state that preparing steps reads, and the secrets it adds to. */
export type StepState = Pick<
  RunState,
  "projectDir" | "env" | "renderedShells" | "redactor" | "secretValues" | "sources"
>;

/**
 * Error raised when a deferred `sh` callback of a task throws. Unlike other
 * errors of preparing steps, it fails an attempt of the task, so `retry`
 * applies to it. Its message is masked. Its code is the thrown value's own
 * `ASYNC_PIPELINE_*` code, as for a function step, else `ASYNC_PIPELINE_TASK_FAILED`.
 */
export class DeferredCallbackError extends PipelineError {
  constructor(redactor: StepState["redactor"], taskId: string, index: number, thrown: unknown) {
    const code = thrownCode(thrown);
    super(
      code !== undefined && code.startsWith("ASYNC_PIPELINE_")
        ? code as PipelineError["code"]
        : ErrorCode.TASK_FAILED,
      redactor.redact(
        `Task "${taskId}" failed: the sh callback of step ${index + 1} threw: ${
          thrownMessage(thrown)
        }`,
      ),
      { hint: maskedHint(redactor, thrownHint(thrown)) },
    );
  }
}

function maskedHint(redactor: StepState["redactor"], hint: string | undefined): string | undefined {
  return hint === undefined ? undefined : redactor.redact(hint);
}

/** Returns true when the task has steps that need the candidate context. */
export function needsCandidate(task: NormalizedTask): boolean {
  return task.steps.some((step) => step.kind !== "shell");
}

function shellStep(rendered: RenderedShell, display: string): PreparedStep {
  return {
    kind: "shell",
    script: rendered.script,
    display,
    keyText: rendered.keyText,
    secretEnv: rendered.secretEnv,
  };
}

/**
 * Prepares a task's steps. Deferred `sh` callbacks are called here, when the
 * task is about to run, never earlier, and secrets they resolve are added to
 * the run's redactor. Throws a {@link DeferredCallbackError} when a callback
 * throws, and a `PipelineError` when a callback returns no command or a
 * reference cannot resolve.
 */
export function prepareSteps(
  state: StepState,
  task: NormalizedTask,
  candidate: CandidateContext | undefined,
): PreparedStep[] {
  return task.steps.map((step, index): PreparedStep => {
    const at = `tasks.${task.id}.steps[${index}]`;
    if (step.kind === "function") {
      return { kind: "function", fn: step.fn, name: step.name, code: step.code };
    }
    if (step.kind === "shell") {
      const rendered = state.renderedShells.get(task.id)?.get(index);
      if (rendered === undefined) throw new Error(`shell step ${at} was not rendered`);
      return shellStep(rendered, step.command.text);
    }
    let value: ReturnType<typeof step.callback>;
    try {
      value = step.callback(deferredShellContext(state, task, candidate as CandidateContext));
    } catch (error) {
      throw new DeferredCallbackError(state.redactor, task.id, index, error);
    }
    const command = toShellCommand(
      value,
      `Task "${task.id}": the sh callback of step ${index + 1}`,
    );
    // A secret value of the run interpolated as a string, such as
    // `ctx.env.TOKEN`, is passed like `env.secret(...)`: off the command line.
    const rendered = renderShell(command, state.env, at, secretDigest, state.secretValues);
    if ("issues" in rendered) throw PipelineError.fromIssues(rendered.issues, "deferred sh step");
    state.redactor.add(rendered.secretValues);
    for (const value of rendered.secretValues) {
      if (!state.secretValues.includes(value)) state.secretValues.push(value);
    }
    return shellStep(rendered, state.redactor.redact(rendered.display));
  });
}

/** Outcome of a failed attempt. */
export interface AttemptFailure {
  readonly exitCode?: number;
  readonly signal?: string;
  readonly timedOut?: boolean;
  readonly interrupted?: boolean;
  /** Set when every attempt would fail the same way, so `retry` does not apply. */
  readonly noRetry?: boolean;
  readonly error: { code: string; message: string; hint?: string };
}

/** Options of one attempt. */
export interface AttemptOptions {
  readonly state: RunState;
  readonly task: NormalizedTask;
  readonly steps: readonly PreparedStep[];
  readonly output: TaskOutput;
  readonly meta: Record<string, unknown>;
  readonly candidate?: CandidateContext;
  /** Adds a warning to the task's result. */
  readonly warn?: (warning: string) => void;
}

/** Returns the abort reason used for a task timeout: a `TimeoutError` DOMException, as `AbortSignal.timeout` uses. */
function timeoutReason(task: NormalizedTask): DOMException {
  return new DOMException(
    `Task "${task.id}" timed out after ${formatDurationLimit(task.timeoutMs!)}.`,
    "TimeoutError",
  );
}

/**
 * Runs the steps in order until one fails. The task's timeout covers the
 * whole attempt. When it expires, or the run is interrupted, the running
 * step is stopped. Returns undefined when every step passed.
 */
export async function runAttempt(options: AttemptOptions): Promise<AttemptFailure | undefined> {
  const { state, task } = options;
  const controller = new AbortController();
  const onRunAbort = () => controller.abort(state.signal.reason);
  if (state.signal.aborted) onRunAbort();
  else state.signal.addEventListener("abort", onRunAbort, { once: true });
  const deadline = task.timeoutMs === undefined ? undefined : Date.now() + task.timeoutMs;
  const timer = task.timeoutMs === undefined
    ? undefined
    : setTimeout(() => controller.abort(timeoutReason(task)), task.timeoutMs);

  // An uncaught error of the task's code fails the attempt at once: the running step is stopped.
  let uncaught: AttemptFailure | undefined;
  const stopWatching = onTaskError(options.output, (error, kind) => {
    uncaught ??= uncaughtFailure(state, task, error, kind);
    controller.abort(new PipelineError(ErrorCode.TASK_FAILED, uncaught.error.message));
  });

  try {
    for (const step of options.steps) {
      const failure = step.kind === "shell"
        ? await runShell(options, step, controller.signal, deadline)
        : await runFunction(options, step, controller.signal);
      options.output.flush();
      if (uncaught !== undefined) return uncaught;
      if (failure === undefined) continue;
      return classify(failure, task, controller.signal, state);
    }
    return uncaught;
  } finally {
    stopWatching();
    clearTimeout(timer);
    state.signal.removeEventListener("abort", onRunAbort);
  }
}

/** Returns the failure of an attempt whose code raised an error that nothing caught. */
function uncaughtFailure(
  state: RunState,
  task: NormalizedTask,
  error: unknown,
  kind: UncaughtKind,
): AttemptFailure {
  const origin = kind === "exception" ? "uncaught exception" : "unhandled rejection";
  return {
    error: {
      code: ErrorCode.TASK_FAILED,
      message: state.redactor.redact(
        `Task "${task.id}" failed: ${origin} in task code: ${thrownMessage(error)}`,
      ),
    },
  };
}

/** Turns a step failure into a timeout or an interrupt when that is what stopped it. */
function classify(
  failure: AttemptFailure,
  task: NormalizedTask,
  signal: AbortSignal,
  state: RunState,
): AttemptFailure {
  const timedOutBySignal = signal.reason instanceof DOMException &&
    signal.reason.name === "TimeoutError";
  if (timedOutBySignal || failure.timedOut) {
    const limit = task.timeoutMs === undefined
      ? ""
      : ` after ${formatDurationLimit(task.timeoutMs)}`;
    return {
      exitCode: 124,
      timedOut: true,
      error: { code: ErrorCode.TASK_TIMEOUT, message: `Task "${task.id}" timed out${limit}.` },
    };
  }
  if (state.signal.aborted) {
    const reason = state.signal.reason;
    return {
      ...failure,
      interrupted: true,
      error: {
        code: ErrorCode.INTERRUPTED,
        message: reason instanceof Error ? reason.message : "The run was interrupted.",
      },
    };
  }
  return failure;
}

function hasKeys(record: Readonly<Record<string, string>>): boolean {
  for (const _ in record) return true;
  return false;
}

async function runShell(
  options: AttemptOptions,
  step: Extract<PreparedStep, { kind: "shell" }>,
  signal: AbortSignal,
  deadline: number | undefined,
): Promise<AttemptFailure | undefined> {
  const { state, task, output } = options;
  if (signal.aborted) return { error: { code: ErrorCode.INTERRUPTED, message: "Stopped." } };
  let streamed = false;
  let result;
  try {
    result = await state.executor.runShell(step.script, {
      cwd: taskDir(state, task),
      env: hasKeys(step.secretEnv) ? { ...state.env, ...step.secretEnv } : state.env,
      task,
      declaredEnv: [
        ...state.declaredEnv,
        ...task.requires.secrets,
        ...Object.keys(step.secretEnv),
      ],
      ...(deadline !== undefined ? { timeoutMs: Math.max(1, deadline - Date.now()) } : {}),
      signal,
      onStdout: (chunk) => {
        streamed = true;
        output.write("stdout", chunk);
      },
      onStderr: (chunk) => {
        streamed = true;
        output.write("stderr", chunk);
      },
    });
  } catch (error) {
    // A sandbox that cannot start reports its own code and fix, such as a missing docker command.
    const known = isPipelineError(error);
    const message = error instanceof Error ? error.message : String(error);
    const hint = known ? thrownHint(error) : undefined;
    return {
      error: {
        code: known ? error.code : ErrorCode.TASK_FAILED,
        message: state.redactor.redact(
          `Task "${task.id}" failed: the ${state.executor.name} executor could not run \`${step.display}\`: ${message}`,
        ),
        ...(hint === undefined ? {} : { hint: state.redactor.redact(hint) }),
      },
    };
  }
  if (!streamed) {
    output.write("stdout", result.stdout);
    output.write("stderr", result.stderr);
  }
  if (result.warning !== undefined) options.warn?.(result.warning);
  if (result.code === 0 && !result.timedOut) return undefined;
  return {
    exitCode: result.code,
    ...(result.signal ? { signal: result.signal } : {}),
    ...(result.timedOut ? { timedOut: true } : {}),
    error: {
      code: ErrorCode.TASK_FAILED,
      message: `Task "${task.id}" failed: \`${step.display}\` exited with code ${result.code}.`,
    },
  };
}
