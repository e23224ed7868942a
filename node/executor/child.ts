/**
 * Starting a child process with piped output, behind a runtime seam.
 *
 * Under Deno, `node:child_process` spends more of the main thread on each
 * spawn than `Deno.Command` does: it normalizes its arguments, resolves the
 * program's path and builds its stream objects in JavaScript. So this module
 * spawns with `Deno.Command` under Deno and with `node:child_process`
 * elsewhere, and reports both the same way.
 *
 * @module
 */

import { spawn } from "node:child_process";
import type { ProcessEnv } from "../types.ts";

/** Options of {@link startChild}. */
export interface ChildOptions {
  readonly cwd: string;
  readonly env: ProcessEnv;
  /** Whether the spawn itself makes the child the leader of a new session and group. */
  readonly detached: boolean;
  /** Text written to stdin, which is then closed. Without it stdin is empty. */
  readonly input?: string;
}

/** Callbacks that receive a started child's output and end. Output is decoded as UTF-8. */
export interface ChildHandlers {
  readonly onStdout: (chunk: string) => void;
  readonly onStderr: (chunk: string) => void;
  /** The child exited: `code` is null when a signal ended it. */
  readonly onExit: (code: number | null, signal: NodeJS.Signals | null) => void;
  /** The child exited and its stdout and stderr reached their end. Called after `onExit`. */
  readonly onClose: (code: number | null, signal: NodeJS.Signals | null) => void;
  /** The child could not be started. No other handler is called after it. */
  readonly onError: (error: Error) => void;
}

/** A started child. */
export interface Child {
  /** Undefined only when the spawn failed and `onError` is due. */
  readonly pid?: number;
}

/** The part of `Deno.ChildProcess` used here. */
interface DenoChild {
  readonly pid: number;
  readonly status: Promise<{ code: number; signal: string | null }>;
  readonly stdin: WritableStream<Uint8Array>;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
}

interface DenoCommandApi {
  Command: new (file: string, options: Record<string, unknown>) => { spawn(): DenoChild };
}

const deno = (globalThis as { Deno?: Partial<DenoCommandApi> }).Deno;

/** True when children start through `Deno.Command`. */
export const usesDenoCommand: boolean = typeof deno?.Command === "function";

/** Returns `env` without its undefined values. */
export function definedEnv(env: ProcessEnv): Record<string, string> {
  const result: Record<string, string> = {};
  for (const key in env) {
    const value = env[key];
    if (value !== undefined) result[key] = value;
  }
  return result;
}

/**
 * Spawns `file` with `args`, stdout and stderr piped, in `options.cwd` with
 * exactly `options.env`. Under Deno a spawn that fails throws here. Under
 * Node it calls `onError` later.
 */
export function startChild(
  file: string,
  args: readonly string[],
  options: ChildOptions,
  handlers: ChildHandlers,
): Child {
  return usesDenoCommand
    ? startDenoChild(file, args, options, handlers)
    : startNodeChild(file, args, options, handlers);
}

/** Starts a child through `node:child_process`, the seam's choice outside Deno. */
export function startNodeChild(
  file: string,
  args: readonly string[],
  options: ChildOptions,
  handlers: ChildHandlers,
): Child {
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: definedEnv(options.env),
    detached: options.detached,
    stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  if (options.input !== undefined && child.stdin) {
    // A command may exit without reading its input, which is not an error here.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input);
  }
  child.stdout!.setEncoding("utf8");
  child.stderr!.setEncoding("utf8");
  child.stdout!.on("data", handlers.onStdout);
  child.stderr!.on("data", handlers.onStderr);
  child.on("error", handlers.onError);
  child.on("exit", handlers.onExit);
  child.on("close", handlers.onClose);
  return child;
}

/** Reads `stream` to its end, passing on decoded text. Read errors end it early. */
async function pump(stream: ReadableStream<Uint8Array>, onText: (text: string) => void) {
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      const text = decoder.decode(value, { stream: true });
      if (text !== "") onText(text);
    }
  } catch {
    // The pipe broke: what was read is all there is.
  }
  const rest = decoder.decode();
  if (rest !== "") onText(rest);
}

async function writeInput(stdin: WritableStream<Uint8Array>, input: string): Promise<void> {
  const writer = stdin.getWriter();
  try {
    await writer.write(new TextEncoder().encode(input));
    await writer.close();
  } catch {
    // A command may exit without reading its input, which is not an error here.
  }
}

/** Starts a child through `Deno.Command`, the seam's choice under Deno. */
export function startDenoChild(
  file: string,
  args: readonly string[],
  options: ChildOptions,
  handlers: ChildHandlers,
): Child {
  const child = new deno!.Command!(file, {
    args: [...args],
    cwd: options.cwd,
    clearEnv: true,
    env: definedEnv(options.env),
    detached: options.detached,
    stdin: options.input === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.input !== undefined) void writeInput(child.stdin, options.input);
  const exited = child.status.then((status) => {
    const signal = status.signal as NodeJS.Signals | null;
    const code = signal === null ? status.code : null;
    handlers.onExit(code, signal);
    return [code, signal] as const;
  });
  void Promise.all([
    exited,
    pump(child.stdout, handlers.onStdout),
    pump(child.stderr, handlers.onStderr),
  ]).then(([[code, signal]]) => handlers.onClose(code, signal));
  return child;
}
