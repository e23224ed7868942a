/**
 * Runs `deno test` with a private temporary directory as `TMPDIR` and fails
 * when the tests leave anything in it, so a test that leaves temporary
 * files behind fails the build instead of filling the machine's temp
 * directory.
 *
 * ./node_modules/.bin/deno run -A scripts/test_tmpdir.ts -A --parallel tests/
 *
 * Arguments go to `deno test` unchanged. The exit code is the tests' own
 * when they fail, 1 when they pass but left files behind, and 0 otherwise.
 */

import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** How many leftover entries the report names before it summarizes. */
const SHOWN = 20;

/** Runs `deno test args` with `TMPDIR` set to `tmp` and returns its exit code. */
async function runTests(args: string[], tmp: string): Promise<number> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", ...args],
    env: { TMPDIR: tmp },
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  // Ctrl-C reaches the tests too, so wait for them and remove the directory after.
  const ignore = () => {};
  Deno.addSignalListener("SIGINT", ignore);
  try {
    return (await child.status).code;
  } finally {
    Deno.removeSignalListener("SIGINT", ignore);
  }
}

/** Describes what the tests left in `tmp`, or returns undefined when it is empty. */
export async function describeLeftovers(tmp: string): Promise<string | undefined> {
  const names = (await readdir(tmp)).sort();
  if (names.length === 0) return undefined;
  const listed = names.slice(0, SHOWN).map((name) => `  ${name}\n`).join("");
  const more = names.length > SHOWN ? `  ... and ${names.length - SHOWN} more\n` : "";
  return `error: the tests left ${names.length} entries in their temporary directory:\n` +
    listed + more +
    "Remove them in the test that creates them, for example with tempDir() from " +
    "tests/support/temp_files.ts.";
}

if (import.meta.main) {
  const tmp = await mkdtemp(join(tmpdir(), "async-pipeline-tests-"));
  let code: number;
  try {
    code = await runTests(Deno.args, tmp);
    const leftovers = await describeLeftovers(tmp);
    if (leftovers) {
      console.error(leftovers);
      if (code === 0) code = 1;
    }
  } finally {
    await rm(tmp, { recursive: true, force: true, maxRetries: 5 });
  }
  Deno.exit(code);
}
