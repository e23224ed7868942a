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
import process from "../process.ts";
import type { ProcessEnv } from "../types.ts";
import { Spawner } from "./spawner.ts";

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
  /** The child's pid became known after {@link startChild} returned without it. */
  readonly onSpawn?: (pid: number) => void;
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
  /**
   * Undefined when the spawn failed and `onError` is due, or while a spawner
   * process has not reported it yet (then `onSpawn` brings it).
   */
  readonly pid?: number;
  /**
   * Stops waiting for the end of stdout and stderr: output that is ready to
   * read is still passed on, then both pipes are closed and `onClose`
   * follows. For a child that exited while another process keeps its output
   * pipes open.
   */
  releaseOutput(): void;
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

/** Copies of frozen environments, which cannot change, made once per object. */
const frozenCopies = new WeakMap<ProcessEnv, Record<string, string>>();

/**
 * Returns `env` without its undefined values. For a frozen `env` the same
 * copy is returned every time, so callers must not change it.
 */
export function definedEnv(env: ProcessEnv): Record<string, string> {
  const frozen = Object.isFrozen(env);
  if (frozen) {
    const known = frozenCopies.get(env);
    if (known !== undefined) return known;
  }
  const result: Record<string, string> = {};
  for (const key in env) {
    const value = env[key];
    if (value !== undefined) result[key] = value;
  }
  if (frozen) frozenCopies.set(env, Object.freeze(result));
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
  if (policy.denoCommand) return startDenoChild(file, args, options, handlers);
  const spawner = readySpawner();
  return spawner === undefined
    ? startNodeChild(file, args, options, handlers)
    : spawner.start(file, args, options, handlers);
}

/** Settings that choose how {@link startChild} starts children. */
export interface ChildPolicy {
  /** Whether to use `Deno.Command` (default: under Deno). */
  readonly denoCommand: boolean;
  /**
   * Direct spawns before the spawner process starts (default 16, and
   * Infinity under Bun). Infinity never starts it. Ignored with `denoCommand`.
   */
  readonly spawnerAfter: number;
  /** The `node` that runs the spawner (default: the running Node). */
  readonly node?: string;
}

/** The spawner runs the helper with Node's own `-e` and IPC channel, so it stays off under Bun. */
const DEFAULT_POLICY: ChildPolicy = {
  denoCommand: usesDenoCommand,
  spawnerAfter: process.versions.bun === undefined ? 16 : Infinity,
};

let policy: ChildPolicy = DEFAULT_POLICY;
let spawned = 0;
let spawner: Spawner | undefined;
/** Leaders of the detached groups spawned directly that still run, handed to the spawner once it is ready. */
const directGroups = new Set<number>();
let handedOver = false;

/**
 * Sets how children start, and stops the current spawner process (commands
 * it still runs are killed). With `spawnerAfter` 0, a new spawner starts at
 * once and the returned promise resolves when it accepts commands. For tests.
 */
export async function setChildPolicy(next: Partial<ChildPolicy> = {}): Promise<void> {
  spawner?.close();
  spawner = undefined;
  spawned = 0;
  handedOver = false;
  policy = { ...DEFAULT_POLICY, ...next };
  if (!policy.denoCommand && policy.spawnerAfter === 0) {
    spawner = new Spawner(policy.node);
    if (await spawner.whenStarted()) handOver(spawner);
  }
}

/**
 * Returns the spawner once it accepts commands, and starts it after enough
 * direct spawns. When it cannot start (a permission model may forbid
 * spawning `node`), commands keep being spawned directly.
 */
function readySpawner(): Spawner | undefined {
  if (spawner?.ready) return spawner;
  if (spawner !== undefined || ++spawned <= policy.spawnerAfter) return undefined;
  try {
    const started = new Spawner(policy.node);
    spawner = started;
    void started.started.then((ready) => {
      if (ready && spawner === started) handOver(started);
    });
  } catch {
    policy = { ...policy, spawnerAfter: Infinity };
  }
  return undefined;
}

/**
 * Hands the groups spawned directly that still run to the ready spawner, so
 * it stops them too if the runner dies. Those that end later are taken back.
 */
function handOver(ready: Spawner): void {
  handedOver = true;
  for (const pid of directGroups) ready.adopt(pid);
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
  const pid = child.pid;
  if (options.detached && pid !== undefined) directGroups.add(pid);
  child.on("close", (code, signal) => {
    if (pid !== undefined && directGroups.delete(pid) && handedOver) spawner?.disown(pid);
    handlers.onClose(code, signal);
  });
  return {
    pid,
    releaseOutput() {
      // The poll phase before the check phase reads what the pipes hold, then they close.
      setImmediate(() => {
        child.stdout!.destroy();
        child.stderr!.destroy();
      });
    },
  };
}

/** Size of the buffers that children's output is read into. */
const OUTPUT_CHUNK = 16 * 1024;

/**
 * Output buffers of children that finished, for the next ones. Deno's default
 * reader allocates 64 KiB for every read of a pipe, even the last one that
 * finds it closed, and that memory is only freed by a later garbage
 * collection: a run of a thousand short commands grew by tens of megabytes.
 */
const spareOutputBuffers: ArrayBuffer[] = [];

/**
 * Reads `stream` to its end, passing on decoded text. Read errors end it
 * early, and so does `release` once it is called: the read waiting for data
 * is cancelled and the pipe closed.
 */
async function pump(
  stream: ReadableStream<Uint8Array>,
  onText: (text: string) => void,
  release: Promise<void>,
) {
  const decoder = new TextDecoder();
  const reader = stream.getReader({ mode: "byob" });
  void release.then(() => reader.cancel().catch(() => undefined));
  let buffer = spareOutputBuffers.pop() ?? new ArrayBuffer(OUTPUT_CHUNK);
  try {
    while (true) {
      const { done, value } = await reader.read(new Uint8Array(buffer));
      // The read takes the buffer over and hands it back through its result.
      if (value === undefined) break;
      buffer = value.buffer as ArrayBuffer;
      if (done) break;
      const text = decoder.decode(value, { stream: true });
      if (text !== "") onText(text);
    }
  } catch {
    // The pipe broke: what was read is all there is.
  }
  if (buffer.byteLength === OUTPUT_CHUNK && spareOutputBuffers.length < 8) {
    spareOutputBuffers.push(buffer);
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
  let releaseOutput = () => {};
  const released = new Promise<void>((resolve) => releaseOutput = resolve);
  const exited = child.status.then((status) => {
    const signal = status.signal as NodeJS.Signals | null;
    const code = signal === null ? status.code : null;
    handlers.onExit(code, signal);
    return [code, signal] as const;
  });
  void Promise.all([
    exited,
    pump(child.stdout, handlers.onStdout, released),
    pump(child.stderr, handlers.onStderr, released),
  ]).then(([[code, signal]]) => handlers.onClose(code, signal));
  return {
    pid: child.pid,
    // A timer turn first lets reads of output that is ready complete.
    releaseOutput: () => void setTimeout(releaseOutput, 0),
  };
}
