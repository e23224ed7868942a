/** Spawning `ctx.command(...)` argv directly, without a shell: what an allowed governed command runs. @module */

import { findOnPath } from "../executor/group_launcher.ts";
import { pathWithoutPackageBins, withPackageBins } from "../executor/package_bins.ts";
import { runInProcessGroup } from "../executor/process_group.ts";
import type { GovernedCommandRunner } from "../types.ts";

/**
 * Spawns `args[0]` with the remaining arguments in its own process group and
 * returns its exit code and output. `args[0]` is also found in the
 * `node_modules/.bin` directories of the working directory and above it. A command that cannot be started
 * returns exit code 127 with the reason on stderr, as a shell would.
 */
export const directCommandRunner: GovernedCommandRunner = async (args, options) => {
  if (args.length === 0) return { code: 127, stdout: "", stderr: "ctx.command: empty argv\n" };
  try {
    const env = withPackageBins(options.env, options.cwd);
    // The program is found with the step's bins; `setsid` under Deno without them.
    const file = args[0].includes("/") ? args[0] : findOnPath(args[0], env.PATH ?? "") ?? args[0];
    return await runInProcessGroup(file, args.slice(1), {
      cwd: options.cwd,
      env,
      lookupPath: pathWithoutPackageBins(options.env.PATH),
      signal: options.signal,
    });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT"
      ? `${args[0]}: command not found`
      : `${args[0]}: ${error instanceof Error ? error.message : String(error)}`;
    return { code: 127, stdout: "", stderr: `${reason}\n` };
  }
};
