/**
 * Doctor's check that git keeps the state directory out of commits. Without
 * an ignore rule, `git add -A` commits run records, logs and the
 * secret-digest key, which keeps secret digests in cache entries from being
 * checked against guesses.
 *
 * @module
 */

import { execFile } from "node:child_process";

/** A state directory that git would commit, or already tracks, with its fix. */
export interface GitStateProblem {
  readonly message: string;
  readonly fix: string;
}

/** Paths inside the state directory: git matches `.async/` patterns against them whether or not they exist. */
const PROBES = ["run.lock", "runs/run/execution.json", "cache/secret.key"];

/** Runs git in `cwd`. Resolves undefined when git is missing or `cwd` is not in a work tree. */
function git(cwd: string, args: string[]): Promise<{ status: number; stdout: string } | undefined> {
  return new Promise((resolve) => {
    execFile("git", args, { cwd, maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => {
      if (error === null) {
        resolve({ status: 0, stdout });
        return;
      }
      const status = (error as { code?: unknown }).code;
      // 128 is git's status outside a work tree; a missing git has no numeric status.
      resolve(typeof status === "number" && status !== 128 ? { status, stdout } : undefined);
    });
  });
}

/**
 * Returns the problem of the state directory `stateDir` (relative to
 * `projectDir`) in a git work tree: files of it that git tracks, or paths
 * in it that no ignore rule covers. Returns undefined when git ignores all of
 * it, and outside a work tree or without git.
 */
export async function gitStateProblem(
  projectDir: string,
  stateDir: string,
): Promise<GitStateProblem | undefined> {
  const tracked = await git(projectDir, ["ls-files", "-z", "--", stateDir]);
  if (tracked === undefined) return undefined;
  const trackedFiles = tracked.stdout.split("\0").filter((path) => path !== "");
  if (trackedFiles.length > 0) {
    const secretKey = trackedFiles.some((path) => path.endsWith("cache/secret.key"));
    return {
      message: `git tracks ${trackedFiles.length} file${trackedFiles.length === 1 ? "" : "s"} ` +
        `under ${stateDir}/${secretKey ? ", the secret-digest key among them" : ""}, so ` +
        "commits carry run records and cache files" +
        (secretKey ? ", and the key that protects the secret digests in cache entries." : "."),
      fix: `git rm -r --cached ${stateDir} and add ${stateDir}/ to .gitignore` +
        (secretKey
          ? `, then delete ${stateDir}/cache/secret.key so the next run makes a new key.`
          : "."),
    };
  }
  const probes = PROBES.map((path) => `${stateDir}/${path}`);
  const ignored = await git(projectDir, ["check-ignore", "--", ...probes]);
  if (ignored === undefined) return undefined;
  const listed = new Set(ignored.stdout.split("\n").filter((line) => line !== ""));
  if (probes.every((path) => listed.has(path))) return undefined;
  return {
    message: `git does not ignore all of ${stateDir}/, so \`git add -A\` would commit run ` +
      "records, logs or the key that protects the secret digests in cache entries.",
    fix: `echo ${stateDir}/ >> .gitignore`,
  };
}
