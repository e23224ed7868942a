/** Running one task: cache lookup, attempts with retry, logs and its result. @module */

import type { CandidateContext } from "../../core/context.ts";
import { ErrorCode, isPipelineError } from "../../core/errors.ts";
import type { NormalizedTask } from "../../core/model.ts";
import { uncachedFingerprint } from "../cache/task_cache.ts";
import type { CacheLookupInput, CacheLookupResult } from "../cache_seam.ts";
import type { AttemptRecord, TaskResult } from "../types.ts";
import { cacheLookupInput } from "./cache_input.ts";
import { withTaskOutput } from "./console_capture.ts";
import { taskDir } from "./context.ts";
import { TaskOutput } from "./output.ts";
import type { RunState } from "./state.ts";
import {
  type AttemptFailure,
  DeferredCallbackError,
  needsCandidate,
  type PreparedStep,
  prepareSteps,
  runAttempt,
} from "./steps.ts";
import { thrownHint, thrownMessage } from "../thrown.ts";
import { interruptError } from "./finalize.ts";
import { printableErrorMessage } from "../printable.ts";
import { maskMissText } from "../redact.ts";
import { retryAfter, stopsRetrying } from "./retry.ts";

async function lookupCache(
  state: RunState,
  task: NormalizedTask,
  steps: readonly PreparedStep[],
): Promise<{ input: CacheLookupInput; answer: CacheLookupResult }> {
  // A source task's key covers its source's commit or content, in a part of its own.
  const source = state.cache === undefined ? undefined : await state.sources?.keyInput(state, task);
  const input = cacheLookupInput(state, task, steps, { cwd: taskDir(state, task), source });
  if (state.cache === undefined) {
    return {
      input,
      answer: { status: "disabled", fingerprint: uncachedFingerprint(state.runId, task.id) },
    };
  }
  try {
    return { input, answer: await state.cache.lookup(input) };
  } catch (error) {
    const message = printableErrorMessage(error);
    return {
      input,
      answer: {
        status: "disabled",
        fingerprint: uncachedFingerprint(state.runId, task.id),
        warning: `Cache lookup failed, so the task ran uncached: ${message}`,
      },
    };
  }
}

function now(): { ms: number; iso: string } {
  const ms = Date.now();
  return { ms, iso: new Date(ms).toISOString() };
}

/** Stores logs and timings, masks the result, and emits the final event of a task. */
async function finish(
  state: RunState,
  result: TaskResult,
  output: TaskOutput,
  startedMs: number,
  cached: boolean,
): Promise<void> {
  output.flush();
  const end = now();
  result.finishedAt = end.iso;
  result.durationMs = end.ms - startedMs;
  try {
    result.logs = await state.store.writeLogs(
      result.id,
      output.stdout.stored(),
      output.stderr.stored(),
    );
  } catch (error) {
    // The task keeps its outcome, because a full disk under the run directory only loses its logs.
    const warning = `The task's logs could not be written: ${printableErrorMessage(error)}`;
    result.warnings = [...(result.warnings ?? []), warning];
  }
  state.live?.end(result.id);
  result.meta = state.redactor.redactValue(result.meta);
  if (result.error) {
    const { hint } = result.error;
    result.error = {
      ...result.error,
      message: state.redactor.redact(result.error.message),
      ...(hint === undefined ? {} : { hint: state.redactor.redact(hint) }),
    };
  }
  // Cache warnings and miss reasons name files, and a file name may contain a secret.
  const text = (value: string) => state.redactor.redact(value);
  if (result.warnings) result.warnings = result.warnings.map(text);
  if (result.cacheMiss) result.cacheMiss = maskMissText(result.cacheMiss, text);
  if (cached) state.emit({ type: "task-cached", taskId: result.id, result });
  else {
    state.emit({ type: "task-finished", taskId: result.id, result, outputTail: output.tail() });
  }
}

function attemptRecord(
  attempt: number,
  started: { ms: number; iso: string },
  failure: AttemptFailure | undefined,
): AttemptRecord {
  const end = now();
  return {
    attempt,
    startedAt: started.iso,
    finishedAt: end.iso,
    durationMs: end.ms - started.ms,
    exitCode: failure === undefined ? 0 : failure.exitCode,
    ...(failure?.signal ? { signal: failure.signal } : {}),
    ...(failure?.timedOut ? { timedOut: true } : {}),
    ...(failure ? { error: failure.error.message } : {}),
  };
}

/** A task's steps ready to run, or the failure of its last attempt when its deferred callbacks kept throwing. */
type EvaluatedSteps = { steps: PreparedStep[] } | { failure: AttemptFailure };

/**
 * Calls the task's deferred `sh` callbacks and prepares its steps. A callback
 * that throws fails an attempt, and the next attempt calls the callbacks
 * again. Once they return, every later attempt reuses their commands, because
 * the task's cache key covers them. Other errors are thrown.
 */
async function evaluateSteps(
  state: RunState,
  task: NormalizedTask,
  output: TaskOutput,
  result: TaskResult,
  candidate: CandidateContext | undefined,
): Promise<EvaluatedSteps> {
  const maxAttempts = task.retry.attempts;
  for (let attempt = 1;; attempt++) {
    const started = now();
    let error: DeferredCallbackError;
    try {
      // Deferred `sh` callbacks run here, so their console output is the task's output too.
      return { steps: withTaskOutput(output, () => prepareSteps(state, task, candidate)) };
    } catch (thrown) {
      if (!(thrown instanceof DeferredCallbackError)) throw thrown;
      error = thrown;
    }
    // `task-started` comes only now, because `runAttempts` starts an attempt whose callbacks return.
    state.emit({ type: "task-started", taskId: task.id, attempt, maxAttempts });
    output.flush();
    const failure: AttemptFailure = {
      error: {
        code: error.code,
        message: error.message,
        ...(error.hint === undefined ? {} : { hint: error.hint }),
      },
    };
    result.attemptLog.push(attemptRecord(attempt, started, failure));
    result.attempts = attempt;
    if (attempt >= maxAttempts || state.signal.aborted) return { failure };
    if (stopsRetrying(state, task, result, attempt)) return { failure };
    await retryAfter(state, task, attempt, failure);
    if (state.signal.aborted) return { failure };
    if (stopsRetrying(state, task, result, attempt)) return { failure };
  }
}

/**
 * Runs the attempts of a task until one passes or `retry.attempts` are used.
 * The first one follows the attempts whose deferred callbacks threw, if any.
 */
async function runAttempts(
  state: RunState,
  task: NormalizedTask,
  steps: readonly PreparedStep[],
  output: TaskOutput,
  result: TaskResult,
  candidate: CandidateContext | undefined,
): Promise<AttemptFailure | undefined> {
  const maxAttempts = task.retry.attempts;
  for (let attempt = result.attempts + 1;; attempt++) {
    state.emit({ type: "task-started", taskId: task.id, attempt, maxAttempts });
    const started = now();
    state.live?.attemptStarted(task.id, {
      attempt,
      startedMs: started.ms,
      startedAt: started.iso,
    });
    const failure = await runAttempt({
      state,
      task,
      steps,
      output,
      meta: result.meta,
      candidate,
      warn: (warning) => {
        if (!result.warnings?.includes(warning)) (result.warnings ??= []).push(warning);
      },
    });
    state.live?.attemptEnded(task.id);
    result.attemptLog.push(attemptRecord(attempt, started, failure));
    result.attempts = attempt;
    if (failure === undefined) return undefined;
    if (attempt >= maxAttempts || failure.interrupted || failure.noRetry) return failure;
    if (state.signal.aborted) return failure;
    if (stopsRetrying(state, task, result, attempt)) return failure;
    await retryAfter(state, task, attempt, failure);
    // An interrupt during the delay ends the task before another attempt starts.
    if (state.signal.aborted) {
      const { exitCode, signal } = failure;
      return {
        ...(exitCode !== undefined ? { exitCode } : {}),
        ...(signal !== undefined ? { signal } : {}),
        interrupted: true,
        error: interruptError(state.signal.reason),
      };
    }
    if (stopsRetrying(state, task, result, attempt)) return failure;
  }
}

/** Records a task as failed before its first attempt, because its steps or its source could not be prepared. */
async function failBeforeAttempts(
  state: RunState,
  result: TaskResult,
  output: TaskOutput,
  startedMs: number,
  error: unknown,
  fallbackCode: string,
): Promise<void> {
  result.status = "failed";
  const hint = thrownHint(error);
  result.error = {
    code: isPipelineError(error) ? error.code : fallbackCode,
    message: state.redactor.redact(thrownMessage(error)),
    ...(hint === undefined ? {} : { hint }),
  };
  await finish(state, result, output, startedMs, false);
}

/** Records a task as failed by its last attempt, before any of its steps ran. */
async function failWithoutSteps(
  state: RunState,
  result: TaskResult,
  output: TaskOutput,
  startedMs: number,
  failure: AttemptFailure,
): Promise<void> {
  result.status = "failed";
  result.error = failure.error;
  await finish(state, result, output, startedMs, false);
}

/** A task's claim on a scheduler slot, as `schedule` hands it out. */
export interface TaskSlot {
  /** Waits for a slot; false means the run stopped starting tasks meanwhile. */
  acquire(): Promise<boolean>;
  release(): void;
}

/** A slot that is always granted, for a task that runs on its own. */
const FREE_SLOT: TaskSlot = { acquire: () => Promise.resolve(true), release: () => {} };

/**
 * Runs one task and fills in `result`. Resolves true when the task passed or
 * was restored from the cache, false when it failed, and `unstarted` when it
 * was denied a slot: `result` is then as it was, and nothing ran. Never
 * rejects because of the task itself.
 *
 * The task takes its slot before the first command it runs: before its
 * source's prepare steps for a source task, else after a cache miss. A
 * cache hit never takes one. The slot is released once the steps passed:
 * storing the cache entry and the logs comes after, outside the slot.
 */
export async function runTask(
  state: RunState,
  task: NormalizedTask,
  result: TaskResult,
  slot: TaskSlot = FREE_SLOT,
): Promise<boolean | "unstarted"> {
  // `attemptLog` is copied, because attempts whose deferred callbacks threw add to it before the
  // task may be denied a slot.
  const before = { ...result, attemptLog: [...result.attemptLog] };
  const unstarted = (): "unstarted" => {
    for (const key of Object.keys(result)) {
      delete (result as unknown as Record<string, unknown>)[key];
    }
    Object.assign(result, before);
    state.live?.end(task.id);
    return "unstarted";
  };
  const started = now();
  result.status = "running";
  result.startedAt = started.iso;
  const output = new TaskOutput(task.id, state.redactor, state.maxLogBytes, state.emit, state.echo);
  state.live?.start(result, output);

  let candidate: CandidateContext | undefined;
  let evaluated: EvaluatedSteps;
  try {
    candidate = needsCandidate(task) ? await state.candidate() : undefined;
    evaluated = await evaluateSteps(state, task, output, result, candidate);
  } catch (error) {
    await failBeforeAttempts(state, result, output, started.ms, error, ErrorCode.TASK_FAILED);
    return false;
  }
  if ("failure" in evaluated) {
    await failWithoutSteps(state, result, output, started.ms, evaluated.failure);
    return false;
  }
  const { steps } = evaluated;

  // A source's prepare steps run before the cache lookup, so a source task's
  // key covers the inputs it will actually see after prepare changed them.
  // They run commands, so the task takes its slot first.
  if (task.source !== undefined && !await slot.acquire()) return unstarted();
  const waits = state.sources?.preparing(task) === true;
  try {
    await state.sources?.prepare(state, task);
  } catch (error) {
    // A task that only waited for another task's prepare steps ran no command, so an
    // interrupt leaves it unstarted, and the run records it skipped.
    if (waits && state.signal.aborted) return unstarted();
    await failBeforeAttempts(state, result, output, started.ms, error, ErrorCode.SOURCE_FAILED);
    return false;
  }

  const { input, answer } = await lookupCache(state, task, steps);
  state.fingerprints.set(task.id, answer.fingerprint);
  if (answer.status !== "disabled") result.cacheKey = answer.key;
  if (answer.status !== "hit" && answer.reason) result.cacheMiss = answer.reason;
  if (answer.warning) (result.warnings ??= []).push(answer.warning);

  if (answer.status === "hit") {
    slot.release();
    output.write("stdout", answer.stdout);
    output.write("stderr", answer.stderr);
    result.status = "passed";
    result.cacheHit = true;
    result.meta = { ...answer.meta };
    await finish(state, result, output, started.ms, true);
    return true;
  }

  // A task that held its slot from the start (a source task, or any task with one slot) is not
  // denied it, so an interrupt before its first command leaves it unstarted here.
  if (!await slot.acquire() || state.signal.aborted) return unstarted();
  const failure = await runAttempts(state, task, steps, output, result, candidate);
  // A failed task keeps its slot until it settles, so no other task starts after the failure.
  if (failure === undefined) slot.release();
  result.status = failure === undefined ? "passed" : "failed";
  result.exitCode = failure === undefined ? 0 : failure.exitCode;
  if (result.exitCode === undefined) delete result.exitCode;
  if (failure !== undefined) result.error = failure.error;
  output.flush();

  if (failure === undefined && answer.status === "miss") {
    const saved = await state.cache?.save({
      task,
      cwd: input.cwd,
      key: answer.key,
      lookup: input,
      stdout: output.stdout.stored(),
      stderr: output.stderr.stored(),
      meta: state.redactor.redactValue(result.meta),
      durationMs: Date.now() - started.ms,
    }).catch((error) => ({
      stored: false,
      warning: `Cache save failed: ${printableErrorMessage(error)}`,
    }));
    if (saved?.warning) (result.warnings ??= []).push(saved.warning);
  }
  await finish(state, result, output, started.ms, false);
  return failure === undefined;
}
