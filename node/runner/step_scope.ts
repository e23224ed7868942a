/**
 * The time during which a function step's context accepts `ctx.command` and
 * `ctx.meta`: from the step's start until it returns, throws or its attempt
 * is aborted. A later call would run a command beside the next attempt, or
 * add meta that no record gets, so it fails with an error that gives the reason.
 *
 * @module
 */

import { ErrorCode, isPipelineError, PipelineError } from "../../core/errors.ts";
import { AFTER_STEP } from "../uncaught.ts";

/** Builds the error of a call made after the scope closed. `action` names what did not happen. */
type ClosedError = (action: string) => PipelineError;

/**
 * Marks an error of a call made after its step ended. Left uncaught, such an
 * error becomes a run warning and does not fail the attempt that runs at
 * that moment, which may be a retry of the same task.
 */
function markAfterStep(error: PipelineError): void {
  Object.defineProperty(error, AFTER_STEP, { value: true });
}

/** The open or closed state of one function step's context. */
export class StepScope {
  readonly #taskId: string;
  readonly #stepName: string;
  readonly #signal: AbortSignal;
  #closed: ClosedError | undefined;

  constructor(taskId: string, stepName: string, signal: AbortSignal) {
    this.#taskId = taskId;
    this.#stepName = stepName;
    this.#signal = signal;
  }

  /**
   * Closes the scope once the step settled or its attempt ended. The reason
   * is fixed here: a later abort of the attempt, while a next step runs,
   * does not change why this step's context closed.
   */
  close(): void {
    this.#closed ??= this.#signal.aborted ? this.#abortedError() : this.#returnedError();
  }

  /**
   * Returns the error for `action` (such as "ctx.command did not run `ls`")
   * when the step ended or its attempt was aborted, else undefined.
   */
  closedError(action: string): PipelineError | undefined {
    let error: PipelineError | undefined;
    if (this.#closed !== undefined) error = this.#closed(action);
    else if (this.#signal.aborted) error = this.#abortedError()(action);
    if (error !== undefined) markAfterStep(error);
    return error;
  }

  #returnedError(): ClosedError {
    return (action) =>
      new PipelineError(
        ErrorCode.INTERRUPTED,
        `Task "${this.#taskId}": ${action}, because function step ${this.#stepName}() had ` +
          "already returned.",
        { hint: "Await the work inside the step, so that the step returns after it ends." },
      );
  }

  #abortedError(): ClosedError {
    const reason: unknown = this.#signal.reason;
    const timedOut = reason instanceof DOMException && reason.name === "TimeoutError";
    const code = timedOut
      ? ErrorCode.TASK_TIMEOUT
      : isPipelineError(reason)
      ? reason.code
      : ErrorCode.INTERRUPTED;
    const reasonText = reason instanceof Error || reason instanceof DOMException
      ? reason.message
      : "The run was interrupted.";
    return (action) =>
      new PipelineError(
        code,
        `Task "${this.#taskId}": ${action}, because the attempt of function step ` +
          `${this.#stepName}() ended: ${reasonText}`,
        {
          hint: "Stop the step's work when ctx.signal aborts, or pass ctx.signal on to what " +
            "the step starts.",
        },
      );
  }
}
