#!/usr/bin/env node
/**
 * The `async-pipeline` executable. Runs as a main module under Node and Deno
 * (`deno run -A cli/main.ts run verify`).
 *
 * @module
 */

import { realpathSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { runCli } from "./app.ts";
import type { TextSink } from "./io.ts";

/** Wraps a process stream; writes after the pipe closed are dropped. */
function processSink(stream: NodeJS.WriteStream): TextSink {
  return {
    isTTY: stream.isTTY === true,
    write(text: string) {
      if (!stream.destroyed) stream.write(text);
    },
  };
}

/** Runs the CLI with the process's arguments, streams and environment. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const controller = new AbortController();
  return await runCli(argv, {
    cwd: process.cwd(),
    env: process.env,
    stdout: processSink(process.stdout),
    stderr: processSink(process.stderr),
    signal: controller.signal,
    debug: argv.includes("--debug"),
  });
}

/**
 * Reports whether this module is the process's entry point. Deno and Node
 * 24.2+ set `import.meta.main`. Older Node compares the real path of the
 * entry script with this module's path, because Node loads ES modules from
 * their real path.
 */
function isEntryModule(): boolean {
  const flag = (import.meta as { main?: boolean }).main;
  if (typeof flag === "boolean") return flag;
  const entry = process.argv[1];
  if (!entry || !import.meta.url.startsWith("file:")) return false;
  try {
    return realpathSync(entry) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryModule()) {
  process.exitCode = await main();
}
