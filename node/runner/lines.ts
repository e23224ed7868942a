/** Splitting streamed task output into whole lines per task and stream. @module */

/** Buffers partial lines per task and stream, and passes on each completed line. */
export class TaskLines {
  readonly #partial = new Map<string, string>();
  readonly #write: (taskId: string, stream: "stdout" | "stderr", line: string) => void;

  constructor(write: (taskId: string, stream: "stdout" | "stderr", line: string) => void) {
    this.#write = write;
  }

  /** Adds output text and writes every line it completes. */
  add(taskId: string, stream: "stdout" | "stderr", text: string): void {
    const key = `${taskId}\0${stream}`;
    const lines = ((this.#partial.get(key) ?? "") + text).split("\n");
    this.#partial.set(key, lines.pop() ?? "");
    for (const line of lines) this.#write(taskId, stream, line);
  }

  /** Writes a task's unfinished lines. Call it when the task ends. */
  flush(taskId: string): void {
    for (const stream of ["stdout", "stderr"] as const) {
      const key = `${taskId}\0${stream}`;
      const rest = this.#partial.get(key);
      this.#partial.delete(key);
      if (rest) this.#write(taskId, stream, rest);
    }
  }
}
