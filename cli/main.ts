#!/usr/bin/env node
/**
 * The `async-pipeline` executable, a thin wrapper over the code path of
 * `runPipelineCli` that uses the process's arguments, streams and
 * environment. Runs as a main module under Node and Deno
 * (`deno run -A cli/main.ts run verify`).
 *
 * @module
 */

import process from "node:process";
import type { TextSink } from "./io.ts";
import { invokePipelineCli } from "./run_pipeline_cli.ts";

export { runPipelineCli } from "./run_pipeline_cli.ts";
export type { RunPipelineCliOptions, RunPipelineCliResult } from "./run_pipeline_cli.ts";

/** Wraps a process stream; writes after the pipe closed are dropped. */
function processSink(stream: NodeJS.WriteStream): TextSink {
  return {
    isTTY: stream.isTTY === true,
    write(text: string) {
      if (!stream.destroyed) stream.write(text);
    },
  };
}

/** Runs the CLI with the process's arguments, streams and environment; returns the exit code. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const controller = new AbortController();
  const { code } = await invokePipelineCli({
    args: argv,
    cwd: process.cwd(),
    env: process.env,
    stdout: processSink(process.stdout),
    stderr: processSink(process.stderr),
    signal: controller.signal,
  });
  return code;
}

if (
  import.meta.main ??
    (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? ""))
) {
  process.exitCode = await main();
}
