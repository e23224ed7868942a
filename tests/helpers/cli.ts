/** Runs the CLI in-process against a project directory, capturing its output. */

import { runCli } from "../../cli/app.ts";
import { BufferSink, type CliContext } from "../../cli/io.ts";

/** Exit code and captured output of one CLI invocation. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Builds a CLI context for `cwd` with `env`, writing into buffers. */
export function cliContext(
  cwd: string,
  env: Record<string, string | undefined> = {},
): { ctx: CliContext; stdout: BufferSink; stderr: BufferSink } {
  const stdout = new BufferSink();
  const stderr = new BufferSink();
  const ctx = { cwd, env, stdout, stderr, signal: new AbortController().signal, debug: false };
  return { ctx, stdout, stderr };
}

/** Runs `async-pipeline <args>` in `cwd`. */
export async function cli(
  cwd: string,
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<CliResult> {
  const { ctx, stdout, stderr } = cliContext(cwd, env);
  const code = await runCli(args, ctx);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** The URL of the package's `mod.ts`, for pipeline files written by tests. */
export const MOD_URL = new URL("../../mod.ts", import.meta.url).href;
