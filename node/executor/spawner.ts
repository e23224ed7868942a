/**
 * A small Node process that spawns commands for the runner.
 *
 * Under Node, `spawn` is synchronous and forks the calling process, so its cost
 * grows with the caller's memory, and the runner uses far more than a fresh
 * Node process. Once a run has spawned a few commands, the runner starts this
 * helper and sends it each command over the IPC channel. The helper spawns it,
 * reports its pid, streams its output back and reports its exit. The runner's
 * main thread then only exchanges messages, and it still signals the process
 * groups itself, by pid, for timeouts and aborts.
 *
 * When the runner's end of the channel closes, or the runner's pid no longer
 * exists (the runner exited or was killed), the helper kills the process
 * groups it still runs and those the runner handed over (see
 * {@link Spawner.adopt}), then exits. When the helper dies, the commands it
 * was running fail and later commands are spawned directly again.
 *
 * NOTE: a helper killed with SIGKILL after spawning a command but before
 * reporting its pid leaves that command running, because the runner cannot name it.
 *
 * @module
 */

import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import process from "../process.ts";
import type { Child, ChildHandlers, ChildOptions } from "./child.ts";
import { definedEnv } from "./child.ts";

/** The helper's program, run with `node -e`. Kept small so its heap stays small. */
const HELPER_SOURCE = String.raw`"use strict";
const { spawn } = require("node:child_process");
const envs = new Map();
const children = new Map();
// Process groups the runner spawned itself and handed over, stopped with the helper's own.
const adopted = new Set();
// Once the runner is gone, a send can fail with EPIPE before "disconnect"
// arrives. The callback then stops the commands instead of crashing the helper.
const send = (message) => { if (process.connected) process.send(message, (error) => { if (error) stopAll(); }); };
process.on("message", (m) => {
  if (m.t === "env") { envs.set(m.e, m.env); return; }
  if (m.t === "drop") { envs.delete(m.e); return; }
  if (m.t === "adopt") { adopted.add(m.p); return; }
  if (m.t === "disown") { adopted.delete(m.p); return; }
  if (m.t === "release") { release(children.get(m.i)); return; }
  if (m.t !== "spawn") return;
  const id = m.i;
  let child;
  try {
    child = spawn(m.f, m.a, {
      cwd: m.c, env: envs.get(m.e), detached: m.d,
      stdio: [m.n === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
  } catch (error) {
    send({ t: "error", i: id, code: error.code, message: String(error.message) });
    return;
  }
  child.on("error", (error) => {
    children.delete(id);
    send({ t: "error", i: id, code: error.code, message: String(error.message) });
  });
  if (child.pid === undefined) return;
  children.set(id, child);
  send({ t: "pid", i: id, p: child.pid });
  if (m.n !== undefined) { child.stdin.on("error", () => {}); child.stdin.end(m.n); }
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  // A full channel pauses the command's output until the runner catches up.
  const forward = (stream, t) => stream.on("data", (d) => {
    if (process.connected && !process.send({ t, i: id, d }, () => stream.resume())) stream.pause();
  });
  forward(child.stdout, "out");
  forward(child.stderr, "err");
  child.on("exit", (c, g) => send({ t: "exit", i: id, c, g }));
  child.on("close", (c, g) => { children.delete(id); send({ t: "close", i: id, c, g }); });
});
// The command exited while another process keeps its output pipes open: what they
// hold is read, then they are closed, which ends the command with "close".
const release = (child) => {
  if (child === undefined) return;
  child.stdout.resume();
  child.stderr.resume();
  setImmediate(() => { child.stdout.destroy(); child.stderr.destroy(); });
};
const stopAll = () => {
  for (const pid of [...[...children.values()].map((child) => child.pid), ...adopted]) {
    try { process.kill(-pid, "SIGKILL"); } catch {}
    try { process.kill(pid, "SIGKILL"); } catch {}
  }
  process.exit(0);
};
process.on("disconnect", stopAll);
process.on("error", stopAll);
process.on("uncaughtException", stopAll);
// The runner may be gone while its end of the channel stays open in another process.
const runner = process.ppid;
setInterval(() => { try { process.kill(runner, 0); } catch { stopAll(); } }, 500).unref();
send({ t: "ready" });
`;

/** A message from the helper. */
interface HelperMessage {
  readonly t: "ready" | "pid" | "out" | "err" | "exit" | "close" | "error";
  readonly i: number;
  readonly p?: number;
  readonly d?: string;
  readonly c?: number | null;
  readonly g?: NodeJS.Signals | null;
  readonly code?: string;
  readonly message?: string;
}

/** The runner's record of a command that runs in the helper. */
class HelperChild implements Child {
  pid?: number;
  readonly handlers: ChildHandlers;
  readonly releaseOutput: () => void;

  constructor(handlers: ChildHandlers, releaseOutput: () => void) {
    this.handlers = handlers;
    this.releaseOutput = releaseOutput;
  }
}

/** Number of environments the helper keeps. Older ones are dropped. */
const ENV_LIMIT = 16;

/** The runner's end of one helper process. */
export class Spawner {
  readonly #process: ChildProcess;
  readonly #running = new Map<number, HelperChild>();
  readonly #envs = new Map<string, number>();
  /** Keys of the shared copies of frozen environments. */
  readonly #keys = new WeakMap<object, string>();
  #nextId = 1;
  #ready = false;
  #dead = false;
  #onReady: (ready: boolean) => void = () => undefined;
  readonly #started: Promise<boolean>;

  /** Starts the helper with `node` (default: the running Node). */
  constructor(node: string = process.execPath) {
    this.#started = new Promise((resolve) => this.#onReady = resolve);
    // The helper gets no environment of its own: NODE_OPTIONS could load code into it.
    // Its own process group keeps a signal to the runner's whole group, such
    // as `timeout -s KILL` or a cancelled CI job, from killing the helper
    // before it has stopped the commands it started.
    this.#process = spawn(node, ["-e", HELPER_SOURCE], {
      env: {},
      stdio: ["ignore", "ignore", "inherit", "ipc"],
      serialization: "json",
      detached: true,
      windowsHide: true,
    });
    this.#process.on("message", (message: HelperMessage) => this.#receive(message));
    this.#process.on("error", () => this.#fail());
    this.#process.on("exit", () => this.#fail());
    this.#idle();
  }

  /** True once the helper runs and accepts commands. */
  get ready(): boolean {
    return this.#ready && !this.#dead;
  }

  /**
   * Resolves true once the helper accepts commands, or false when it failed
   * to start. The helper keeps the process alive until then.
   */
  whenStarted(): Promise<boolean> {
    this.#busy();
    return this.#started.finally(() => {
      if (this.#running.size === 0) this.#idle();
    });
  }

  /** Resolves like {@link whenStarted}, but does not keep the process alive meanwhile. */
  get started(): Promise<boolean> {
    return this.#started;
  }

  /** The helper's pid. */
  get pid(): number | undefined {
    return this.#process.pid;
  }

  /** Stops the helper. Commands it still runs are killed. */
  close(): void {
    if (this.#process.connected) this.#process.disconnect();
  }

  /** Sends a command to the helper. Its pid arrives later, through `onSpawn`. */
  start(
    file: string,
    args: readonly string[],
    options: ChildOptions,
    handlers: ChildHandlers,
  ): Child {
    const id = this.#nextId++;
    const child = new HelperChild(handlers, () => {
      if (this.#running.has(id) && this.#process.connected) {
        this.#process.send({ t: "release", i: id });
      }
    });
    this.#running.set(id, child);
    if (this.#running.size === 1) this.#busy();
    this.#process.send({
      t: "spawn",
      i: id,
      f: file,
      a: args,
      c: options.cwd,
      e: this.#envId(options.env),
      d: options.detached,
      ...(options.input !== undefined ? { n: options.input } : {}),
    });
    return child;
  }

  /**
   * Hands over the process group of a command the runner spawned itself, so
   * the helper stops it too when the runner dies. {@link disown} takes it back
   * once the command ended.
   */
  adopt(pid: number): void {
    if (this.ready) this.#process.send({ t: "adopt", p: pid });
  }

  /** Takes back a group handed over with {@link adopt}, because its command ended. */
  disown(pid: number): void {
    if (this.ready) this.#process.send({ t: "disown", p: pid });
  }

  #envId(env: ChildOptions["env"]): number {
    const copy = definedEnv(env);
    const cached = this.#keys.get(copy);
    const key = cached ?? JSON.stringify(copy);
    if (cached === undefined && Object.isFrozen(env)) this.#keys.set(copy, key);
    const known = this.#envs.get(key);
    if (known !== undefined) return known;
    const id = this.#nextId++;
    if (this.#envs.size >= ENV_LIMIT) {
      const [oldKey, oldId] = this.#envs.entries().next().value!;
      this.#envs.delete(oldKey);
      this.#process.send({ t: "drop", e: oldId });
    }
    this.#envs.set(key, id);
    this.#process.send({ t: "env", e: id, env: copy });
    return id;
  }

  #receive(message: HelperMessage): void {
    if (message.t === "ready") {
      this.#ready = true;
      this.#onReady(true);
      return;
    }
    const child = this.#running.get(message.i);
    if (child === undefined) return;
    const { handlers } = child;
    switch (message.t) {
      case "pid":
        child.pid = message.p;
        handlers.onSpawn?.(message.p!);
        break;
      case "out":
        handlers.onStdout(message.d!);
        break;
      case "err":
        handlers.onStderr(message.d!);
        break;
      case "exit":
        handlers.onExit(message.c ?? null, message.g ?? null);
        break;
      case "close":
        this.#finish(message.i);
        handlers.onClose(message.c ?? null, message.g ?? null);
        break;
      case "error": {
        this.#finish(message.i);
        const error = new Error(message.message) as NodeJS.ErrnoException;
        if (message.code !== undefined) error.code = message.code;
        handlers.onError(error);
        break;
      }
    }
  }

  #finish(id: number): void {
    this.#running.delete(id);
    if (this.#running.size === 0) this.#idle();
  }

  /** The helper is gone: its commands are killed and fail, and it takes no more. */
  #fail(): void {
    if (this.#dead) return;
    this.#dead = true;
    this.#onReady(false);
    const running = [...this.#running.values()];
    this.#running.clear();
    for (const child of running) {
      if (child.pid !== undefined) killGroup(child.pid);
      child.handlers.onError(
        new Error(
          "the helper process that spawns commands exited unexpectedly, so the command was " +
            "stopped. Run the task again: later commands are spawned without the helper.",
        ),
      );
    }
  }

  /** Keeps the runner alive while commands run in the helper. */
  #busy(): void {
    this.#process.ref();
    (this.#process.channel as { ref?: () => void } | undefined)?.ref?.();
  }

  /** Lets the runner exit while the helper waits for work. */
  #idle(): void {
    this.#process.unref();
    (this.#process.channel as { unref?: () => void } | undefined)?.unref?.();
  }
}

function killGroup(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}
