/** Running the CLI inside the test process, with its output collected. */

import { runCli } from "../../cli/app.ts";
import { BufferSink } from "../../cli/io.ts";

/** Exit code and collected output of one in-process CLI call. */
export interface CliCallResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Settings of {@link cliCall}. Each defaults to an empty or inactive value. */
export interface CliCallOptions {
  env?: Record<string, string>;
  debug?: boolean;
  signal?: AbortSignal;
}

/** Runs the CLI with `args` in `cwd` inside this process and returns its code and output. */
export async function cliCall(
  cwd: string,
  args: string[],
  options: CliCallOptions = {},
): Promise<CliCallResult> {
  const stdout = new BufferSink();
  const stderr = new BufferSink();
  const code = await runCli(args, {
    cwd,
    env: options.env ?? {},
    stdout,
    stderr,
    signal: options.signal ?? new AbortController().signal,
    debug: options.debug ?? false,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
