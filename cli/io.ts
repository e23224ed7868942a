/** Output streams and environment handed to every CLI command. @module */

/** A minimal writable text sink. */
export interface TextSink {
  write(text: string): void;
  /**
   * Writes `text` completely before it returns, for the process's `exit`
   * event. Only sinks over a process's own output have it.
   */
  writeNow?(text: string): void;
  /**
   * Sets a line to print on stderr if the reader of this sink's pipe leaves
   * before it took all output, such as where to find the whole record. Only
   * the sink over the process's stdout has it.
   */
  onClosedNote?(line: string): void;
  /** True when the sink is an interactive terminal. */
  readonly isTTY?: boolean;
}

/** Resources a CLI command may use; it touches nothing global. */
export interface CliContext {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  /** Aborted on SIGINT, SIGTERM or a closed stdout pipe. */
  readonly signal: AbortSignal;
  /** Print stack traces for unexpected errors. */
  readonly debug: boolean;
}

/** A sink that collects text, for in-process runs and tests. */
export class BufferSink implements TextSink {
  #chunks: string[] = [];
  readonly isTTY = false;

  write(text: string): void {
    this.#chunks.push(text);
  }

  text(): string {
    return this.#chunks.join("");
  }
}
