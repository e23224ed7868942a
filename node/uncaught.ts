/**
 * Uncaught exceptions and unhandled rejections raised by task code while a
 * run lasts.
 *
 * Function steps run in the runner's process, so an error thrown from a
 * step's timer or a promise it dropped reaches the process, not the step.
 * The task is found by async context, as console output is, through the
 * locator that a run passes to {@link guardUncaught}. The attempt that is
 * running for that task fails at once (see {@link onTaskError}). An error
 * whose task is not running any more, or that no task started, goes to the
 * innermost active guard, which reports it and lets the run go on. This
 * module imports nothing of the runner, so the CLI can guard its whole
 * process without loading the runner.
 *
 * Under Deno the async context is lost before a timer's error reaches the
 * process's `uncaughtException` listeners. So while a guard is active, the
 * global `setTimeout`, `setInterval` and `setImmediate` wrap the callbacks
 * that a step schedules and report their errors with the step's target.
 *
 * @module
 */

import process from "./process.ts";
import { thrownMessage } from "./thrown.ts";

/** The output target of a task, as the console capture finds it by async context. */
export type TaskTarget = object;

/** Returns the target of the task whose code is running now, or undefined outside any task. */
export type TargetLocator = () => TaskTarget | undefined;

/** The origin of an error: a thrown exception, or a rejected promise that nothing handled. */
export type UncaughtKind = "exception" | "rejection";

/** Receives an error of a task's code. */
export type TaskErrorHandler = (error: unknown, kind: UncaughtKind) => void;

/** Receives an error that no running attempt took, with the target it came from, if any. */
export type FallbackHandler = (
  error: unknown,
  kind: UncaughtKind,
  target: TaskTarget | undefined,
) => void;

interface Guard {
  readonly fallback: FallbackHandler;
  readonly locate?: TargetLocator;
}

/** A replaced global timer function, and its own property before, if any. */
interface TimerPatch {
  readonly name: string;
  readonly wrapper: unknown;
  readonly own: PropertyDescriptor | undefined;
}

const attempts = new Map<TaskTarget, TaskErrorHandler>();
const guards: Guard[] = [];
let timerPatches: TimerPatch[] = [];

/** Returns the running task's target, through the innermost guard that can locate one. */
function currentTarget(): TaskTarget | undefined {
  for (let index = guards.length - 1; index >= 0; index--) {
    const locate = guards[index].locate;
    if (locate !== undefined) return locate();
  }
  return undefined;
}

/**
 * Property set on an error of a call that a function step's context made
 * after the step ended. Such an error goes to the fallback, never to the
 * attempt of the same task that runs at that moment.
 */
export const AFTER_STEP: unique symbol = Symbol("async-pipeline.after-step");

/** Returns true for an error marked with {@link AFTER_STEP}. */
function afterStep(error: unknown): boolean {
  return typeof error === "object" && error !== null &&
    (error as { [AFTER_STEP]?: unknown })[AFTER_STEP] === true;
}

/** Hands an error to its attempt or to the innermost fallback; false when no guard is active. */
function dispatch(error: unknown, kind: UncaughtKind, target: TaskTarget | undefined): boolean {
  const handler = target === undefined || afterStep(error) ? undefined : attempts.get(target);
  const fallback = guards.at(-1)?.fallback;
  if (handler !== undefined) handler(error, kind);
  else if (fallback !== undefined) fallback(error, kind, target);
  else return false;
  return true;
}

const onException = (error: unknown) => dispatch(error, "exception", currentTarget());
const onRejection = (reason: unknown) => dispatch(reason, "rejection", currentTarget());

type Timer = (this: unknown, callback: unknown, ...rest: unknown[]) => unknown;

function wrapTimer(original: Timer): Timer {
  return function (this: unknown, callback: unknown, ...rest: unknown[]) {
    const target = currentTarget();
    if (target === undefined || typeof callback !== "function") {
      return original.call(this, callback, ...rest);
    }
    const guarded = function (this: unknown, ...args: unknown[]) {
      try {
        return (callback as (...values: unknown[]) => unknown).apply(this, args);
      } catch (error) {
        // A timer that fires after every guard was released fails as it would without one.
        if (!dispatch(error, "exception", target)) throw error;
      }
    };
    return original.call(this, guarded, ...rest);
  };
}

function install(): void {
  process.on("uncaughtException", onException);
  process.on("unhandledRejection", onRejection);
  if (!("Deno" in globalThis)) return;
  const global = globalThis as unknown as Record<string, unknown>;
  for (const name of ["setTimeout", "setInterval", "setImmediate"]) {
    const original = global[name];
    if (typeof original !== "function") continue;
    const own = Object.getOwnPropertyDescriptor(global, name);
    const wrapper = wrapTimer(original as Timer);
    Object.defineProperty(global, name, { value: wrapper, writable: true, configurable: true });
    timerPatches.push({ name, wrapper, own });
  }
}

function uninstall(): void {
  process.off("uncaughtException", onException);
  process.off("unhandledRejection", onRejection);
  const global = globalThis as unknown as Record<string, unknown>;
  // A timer function that other code replaced meanwhile keeps that replacement.
  for (const { name, wrapper, own } of timerPatches.reverse()) {
    if (global[name] !== wrapper) continue;
    if (own === undefined) delete global[name];
    else Object.defineProperty(global, name, own);
  }
  timerPatches = [];
}

/**
 * Catches uncaught exceptions and unhandled rejections until the returned
 * function is called. `locate` finds the task whose code raised an error.
 * Errors that no running attempt takes go to `fallback`; when guards nest,
 * the innermost one gets them. Releasing twice does nothing.
 */
export function guardUncaught(fallback: FallbackHandler, locate?: TargetLocator): () => void {
  if (guards.length === 0) install();
  const guard: Guard = { fallback, ...(locate ? { locate } : {}) };
  guards.push(guard);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    guards.splice(guards.lastIndexOf(guard), 1);
    if (guards.length === 0) uninstall();
  };
}

/**
 * Sends the errors of the code running for `target` to `handler` until the
 * returned function is called. One attempt of a task registers at a time,
 * and so does one run of a source's prepare steps.
 */
export function onTaskError(target: TaskTarget, handler: TaskErrorHandler): () => void {
  attempts.set(target, handler);
  return () => {
    if (attempts.get(target) === handler) attempts.delete(target);
  };
}

/**
 * The fields of a target that name the code it runs: the `taskId` of a task,
 * or the `sourceId` and `prepareStep` number of a source's prepare step.
 */
interface TargetNames {
  readonly taskId?: unknown;
  readonly sourceId?: unknown;
  readonly prepareStep?: unknown;
}

/** Returns the phrase that names the origin of an error whose target's code was no longer running. */
function lateOrigin(target: TaskTarget | undefined): string {
  const { taskId, sourceId, prepareStep } = (target ?? {}) as TargetNames;
  if (typeof sourceId === "string" && typeof prepareStep === "number") {
    return `in the code of prepare step ${prepareStep} of source "${sourceId}", after the source's prepare steps ended,`;
  }
  if (typeof taskId === "string") return `in the code of task "${taskId}", after its step ended,`;
  return "outside any task";
}

/**
 * Returns the warning for an error that no running attempt took: one from a
 * task whose steps were not running any more, from a source's prepare step
 * after the prepare steps ended, or from code outside any task.
 */
export function uncaughtWarning(
  error: unknown,
  kind: UncaughtKind,
  target: TaskTarget | undefined,
): string {
  const subject = kind === "exception" ? "An uncaught exception" : "An unhandled rejection";
  return `${subject} ${lateOrigin(target)} was ignored; the run goes on: ${thrownMessage(error)}`;
}
