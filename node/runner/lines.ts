/** Splitting streamed task output into whole lines per task and stream. @module */

/**
 * Buffers partial lines per task and stream, and passes on each completed
 * line. Only new text is searched for line ends, and a partial line is kept
 * as its chunks, so a long line without a newline costs time in proportion
 * to its length.
 */
export class TaskLines {
  readonly #partial = new Map<string, string[]>();
  readonly #write: (taskId: string, stream: "stdout" | "stderr", line: string) => void;

  constructor(write: (taskId: string, stream: "stdout" | "stderr", line: string) => void) {
    this.#write = write;
  }

  /** Adds output text and writes every line it completes. */
  add(taskId: string, stream: "stdout" | "stderr", text: string): void {
    const key = `${taskId}\0${stream}`;
    const end = text.indexOf("\n");
    if (end < 0) {
      if (text === "") return;
      const partial = this.#partial.get(key);
      if (partial === undefined) this.#partial.set(key, [text]);
      else partial.push(text);
      return;
    }
    const partial = this.#partial.get(key);
    this.#partial.delete(key);
    const lines = text.split("\n");
    const rest = lines.pop() as string;
    if (partial !== undefined) lines[0] = partial.join("") + lines[0];
    if (rest !== "") this.#partial.set(key, [rest]);
    for (const line of lines) this.#write(taskId, stream, line);
  }

  /** Writes a task's unfinished lines. Call it when the task ends. */
  flush(taskId: string): void {
    for (const stream of ["stdout", "stderr"] as const) {
      const key = `${taskId}\0${stream}`;
      const rest = this.#partial.get(key)?.join("");
      this.#partial.delete(key);
      if (rest) this.#write(taskId, stream, rest);
    }
  }
}
