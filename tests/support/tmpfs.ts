/** Runs the CLI with one of its directories on a small tmpfs, for real full-disk errors. */

import { join } from "node:path";
import { baseEnv, cliArgs, type CliResult, decodedOutput, REPO_DIR } from "./projects.ts";

/** True when this process may mount a tmpfs in a private user and mount namespace. */
export function canMountTmpfs(): boolean {
  try {
    const probe = new Deno.Command("unshare", {
      args: ["-rm", "sh", "-c", "mount -t tmpfs -o size=4k tmpfs /tmp"],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    return probe.success;
  } catch {
    return false;
  }
}

/** Mount point and size of the tmpfs, and the filler written into it before the CLI starts. */
export interface TmpfsOptions {
  /** Existing directory to mount the tmpfs on. */
  readonly mountPoint: string;
  readonly sizeKiB: number;
  /** Bytes of a `filler` file written into the tmpfs first. */
  readonly fillerBytes?: number;
}

/**
 * Runs the CLI from the repository's sources under `runtime`, in `cwd`, with
 * a tmpfs mounted at `tmpfs.mountPoint`. The mount lives in a private mount
 * namespace and goes away with the process.
 */
export async function runCliOnTmpfs(
  runtime: "deno" | "node",
  cwd: string,
  args: string[],
  tmpfs: TmpfsOptions,
): Promise<CliResult> {
  const cli = runtime === "deno"
    ? [join(REPO_DIR, "node_modules/.bin/deno"), ...cliArgs(args)]
    : [join(REPO_DIR, "node_modules/.bin/node"), join(REPO_DIR, "cli/main.ts"), ...args];
  const filler = tmpfs.fillerBytes === undefined
    ? ""
    : `head -c ${tmpfs.fillerBytes} /dev/zero > "$0/filler" && `;
  const script = `mount -t tmpfs -o size=${tmpfs.sizeKiB}k tmpfs "$0" && ${filler}exec "$@"`;
  const output = await new Deno.Command("unshare", {
    args: ["-rm", "sh", "-c", script, tmpfs.mountPoint, ...cli],
    cwd,
    env: baseEnv(),
    clearEnv: true,
    stdin: "null",
  }).output();
  return decodedOutput(output);
}
