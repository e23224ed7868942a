/**
 * Output that function steps write through `console`, `process.stdout.write`
 * or `process.stderr.write`, captured as the output of the task that wrote it.
 *
 * Function steps run in the runner's process, and tasks run concurrently, so
 * the writer is found by async context: each step runs inside
 * {@link withTaskOutput}, and while a run is active the console methods and
 * the two stream `write` methods are wrapped. A wrapped method called inside a
 * step hands the text to the task's output, where it is masked and stored like
 * `ctx.log` and command output. Called outside any step, it does what it did
 * before the run. Wrapping is counted, so overlapping runs in one process
 * share it, and the last run to end restores the original methods.
 *
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";
import { Buffer } from "node:buffer";
import { Console } from "node:console";
import { StringDecoder } from "node:string_decoder";
import process from "../process.ts";
import { type Method, type Patch, patch, sharedPatches } from "./method_patches.ts";

/** The destination of captured text: the task's output. */
export interface OutputTarget {
  write(stream: "stdout" | "stderr", text: string): void;
  /**
   * The code that writes here, in words, when it is not a task's step code,
   * such as `prepare step 2 of source "lib"`.
   */
  readonly origin?: string;
}

/**
 * Console methods that are captured inside a step. Each one behaves as the
 * Node console does: `warn`, `error`, `trace` and a failed `assert` write to
 * stderr, the others to stdout. Counters, timers and group indentation are
 * kept per task. `clear` does nothing inside a step.
 */
export const CAPTURED_CONSOLE_METHODS = [
  "log",
  "info",
  "debug",
  "warn",
  "error",
  "trace",
  "dir",
  "dirxml",
  "table",
  "assert",
  "count",
  "countReset",
  "group",
  "groupCollapsed",
  "groupEnd",
  "time",
  "timeEnd",
  "timeLog",
  "clear",
] as const;

type Stream = "stdout" | "stderr";

/** A task's capture state: its target, and a console and decoders made on first use. */
interface Scope {
  readonly target: OutputTarget;
  console?: Console;
  decoders?: Record<Stream, StringDecoder>;
}

const storage = new AsyncLocalStorage<Scope>();
const scopes = new WeakMap<OutputTarget, Scope>();

/** Sends text to the target outside any step, so its listeners' own writes are not captured again. */
function deliver(scope: Scope, stream: Stream, text: string): void {
  if (text !== "") storage.exit(() => scope.target.write(stream, text));
}

function scopeConsole(scope: Scope): Console {
  return scope.console ??= new Console(
    {
      stdout: { write: (text: string) => deliver(scope, "stdout", text) },
      stderr: { write: (text: string) => deliver(scope, "stderr", text) },
      ignoreErrors: false,
      colorMode: false,
    } as unknown as ConstructorParameters<typeof Console>[0],
  );
}

function decode(scope: Scope, stream: Stream, chunk: unknown, encoding: unknown): string {
  if (typeof chunk === "string") {
    const plain = typeof encoding !== "string" || /^utf-?8$/i.test(encoding);
    return plain ? chunk : Buffer.from(chunk, encoding as BufferEncoding).toString("utf8");
  }
  if (chunk instanceof Uint8Array) {
    const decoders = scope.decoders ??= {
      stdout: new StringDecoder("utf8"),
      stderr: new StringDecoder("utf8"),
    };
    return decoders[stream].write(chunk as Buffer);
  }
  return String(chunk);
}

function wrapConsoleMethod(name: string, original: Method): Method {
  return function (this: unknown, ...args: unknown[]) {
    const scope = storage.getStore();
    if (scope === undefined) return original.apply(this, args);
    const method = (scopeConsole(scope) as unknown as Record<string, Method>)[name];
    if (typeof method === "function") method.apply(scope.console, args);
  };
}

function wrapWrite(stream: Stream, original: Method): Method {
  return function (this: unknown, ...args: unknown[]) {
    const scope = storage.getStore();
    if (scope === undefined) return original.apply(this, args);
    const [chunk, encoding, callback] = args;
    deliver(scope, stream, decode(scope, stream, chunk, encoding));
    const done = typeof encoding === "function" ? encoding : callback;
    if (typeof done === "function") queueMicrotask(() => done(null));
    return true;
  };
}

function install(): (Patch | undefined)[] {
  const patches: (Patch | undefined)[] = [];
  const target = console as unknown as Record<string, unknown>;
  for (const name of CAPTURED_CONSOLE_METHODS) {
    patches.push(patch(target, name, (original) => wrapConsoleMethod(name, original)));
  }
  for (const stream of ["stdout", "stderr"] as const) {
    const owner = process[stream] as unknown as Record<string, unknown> | undefined;
    if (owner) patches.push(patch(owner, "write", (original) => wrapWrite(stream, original)));
  }
  return patches;
}

// Under Node 20, disabling the storage also turns off the async hooks that it enabled.
const consolePatches = sharedPatches(install, () => storage.disable());

/**
 * Wraps the console and stream methods until the returned function is
 * called. Calls nest: the methods are restored when every caller released.
 * Releasing twice does nothing.
 */
export function captureConsole(): () => void {
  return consolePatches();
}

/** Calls `fn` so that what it, and the work it starts, writes to the console goes to `target`. */
export function withTaskOutput<T>(target: OutputTarget, fn: () => T): T {
  let scope = scopes.get(target);
  if (scope === undefined) scopes.set(target, scope = { target });
  return storage.run(scope, fn);
}

/**
 * Returns the target of the step whose code is running now, found by async
 * context as console output is, or undefined outside any step.
 */
export function currentTarget(): OutputTarget | undefined {
  return storage.getStore()?.target;
}

/** Calls `fn` outside any task, so its console output is not captured. */
export function outsideTasks<T>(fn: () => T): T {
  return storage.exit(fn);
}
