/** Capture of one task's output: masked, capped, and streamed as events. @module */

import { lastLines, LogBuffer } from "../logs.ts";
import { type Redactor, StreamRedactor } from "../redact.ts";
import type { RunEventListener } from "./events.ts";

/** Bytes of combined output kept to show the last lines of a failed task. */
const TAIL_BYTES = 64 * 1024;

/** Lines shown from a failed task's output. */
export const TAIL_LINES = 20;

/** One task's stdout and stderr. Secrets are masked before anything is kept or emitted. */
export class TaskOutput {
  /** The id of the task whose output this is. */
  readonly taskId: string;
  readonly stdout: LogBuffer;
  readonly stderr: LogBuffer;
  readonly #combined = new LogBuffer(TAIL_BYTES);
  /**
   * The unfinished last line of each stream. It joins the combined output
   * only once its newline arrives, so a line of one stream is never glued
   * onto an unfinished line of the other.
   */
  readonly #partial: Record<"stdout" | "stderr", string> = { stdout: "", stderr: "" };
  readonly #streams: Record<"stdout" | "stderr", StreamRedactor>;

  /** `echo` false keeps output out of events, but it is still captured and stored. */
  constructor(
    taskId: string,
    redactor: Redactor,
    maxBytes: number,
    emit: RunEventListener,
    echo: boolean,
  ) {
    this.taskId = taskId;
    this.stdout = new LogBuffer(maxBytes);
    this.stderr = new LogBuffer(maxBytes);
    const sink = (stream: "stdout" | "stderr") => (text: string) => {
      this[stream].append(text);
      this.#appendCombined(stream, text);
      if (echo) emit({ type: "task-output", taskId, stream, text });
    };
    this.#streams = {
      stdout: new StreamRedactor(redactor, sink("stdout")),
      stderr: new StreamRedactor(redactor, sink("stderr")),
    };
  }

  write(stream: "stdout" | "stderr", chunk: string): void {
    this.#streams[stream].write(chunk);
  }

  /** Emits text held back while it could still turn into a secret. Call it after each step. */
  flush(): void {
    this.#streams.stdout.flush();
    this.#streams.stderr.flush();
  }

  /**
   * Returns the text to store for `stream` so far, the masked text held back
   * for a secret that the next chunk could complete included, without
   * emitting anything. For the process's `exit` event, where the stream ends.
   */
  captured(stream: "stdout" | "stderr"): string {
    return this[stream].stored() + this.#streams[stream].held;
  }

  /**
   * Returns the last lines of stdout and stderr together, in the order their
   * lines were completed. Unfinished last lines come at the end, stdout first.
   */
  tail(count = TAIL_LINES): string[] {
    const unfinished = [this.#partial.stdout, this.#partial.stderr]
      .filter((line) => line !== "")
      .map((line) => `${line}\n`)
      .join("");
    return lastLines(this.#combined.content() + unfinished, count);
  }

  #appendCombined(stream: "stdout" | "stderr", text: string): void {
    const pending = this.#partial[stream] + text;
    const end = pending.lastIndexOf("\n") + 1;
    if (end > 0) this.#combined.append(pending.slice(0, end));
    this.#partial[stream] = pending.slice(end);
    // A stream that never ends its line is cut into lines of the tail's size,
    // so the unfinished part stays bounded.
    if (this.#partial[stream].length >= TAIL_BYTES) {
      this.#combined.append(`${this.#partial[stream]}\n`);
      this.#partial[stream] = "";
    }
  }
}
