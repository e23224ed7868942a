/**
 * The candidate context of function steps: the root pipeline's directory,
 * a fingerprint of its current state, and git facts when it is a work tree.
 *
 * @module
 */

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { CandidateContext, GitFacts } from "../../core/context.ts";
import { IGNORED_DIRECTORIES } from "../../core/normalize_patterns.ts";
import type { ProcessEnv } from "../types.ts";

/**
 * Settings that would change what git prints for the same work tree, fixed
 * to git's defaults, so a user's git config cannot decide what the
 * fingerprint hashes. The diff flags in {@link DIFF_ARGS} cover the rest.
 */
const FIXED_CONFIG = [
  "core.quotePath=true",
  "color.ui=false",
  "color.diff=false",
  "color.status=false",
  "diff.noprefix=false",
  "diff.mnemonicPrefix=false",
  "diff.relative=false",
  "diff.suppressBlankEmpty=false",
  "status.relativePaths=false",
].flatMap((setting) => ["-c", setting]);

/**
 * Variables that change git's diff output whatever its arguments are:
 * `GIT_DIFF_OPTS` takes precedence over `--unified`, and `GIT_EXTERNAL_DIFF`
 * hands the diff to another program.
 */
const DROPPED_VARIABLES = ["GIT_DIFF_OPTS", "GIT_EXTERNAL_DIFF", "GIT_DIFF_PATH_COUNTER"];

/** Returns the environment for git: `env` without {@link DROPPED_VARIABLES}. */
function gitEnv(env: ProcessEnv): ProcessEnv {
  const result: ProcessEnv = { ...env, GIT_OPTIONAL_LOCKS: "0" };
  for (const name of DROPPED_VARIABLES) delete result[name];
  return result;
}

/** Runs git in `dir` and resolves its stdout, or undefined when git fails or is missing. */
function git(dir: string, args: string[], env: ProcessEnv): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      "git",
      [...FIXED_CONFIG, ...args],
      { cwd: dir, env: gitEnv(env), maxBuffer: 256 * 1024 * 1024 },
      (error, stdout) => resolve(error ? undefined : stdout),
    );
  });
}

/**
 * Flags that make `git diff` print the changes themselves, the same way
 * whatever the user's config. An external diff program or a textconv filter
 * could print the same text for different contents, so both are off. The
 * other flags fix colour, renames, prefixes, context, algorithm, file order
 * and submodule output.
 */
const DIFF_ARGS = [
  "--binary",
  "--no-ext-diff",
  "--no-textconv",
  "--no-color",
  "--no-renames",
  "--no-relative",
  "--ignore-submodules=none",
  "--submodule=short",
  "--src-prefix=a/",
  "--dst-prefix=b/",
  "--unified=3",
  "--inter-hunk-context=0",
  "--diff-algorithm=myers",
  "--indent-heuristic",
  "-O/dev/null",
];

/**
 * Pathspecs that leave runner state and installed packages out of status,
 * diff and untracked listings, so a run's own `.async/` never changes the
 * candidate's fingerprint or makes it dirty.
 */
const STATE_PATHSPECS = [
  "--",
  ".",
  ":(exclude,glob)**/.async/**",
  ":(exclude,glob)**/node_modules/**",
];

/** Reads HEAD, the branch and whether the work tree has changes. Resolves undefined outside one. */
export async function readGitFacts(
  dir: string,
  env: ProcessEnv,
): Promise<{ facts: GitFacts; status: string } | undefined> {
  const inside = await git(dir, ["rev-parse", "--is-inside-work-tree"], env);
  if (inside?.trim() !== "true") return undefined;
  const commit = (await git(dir, ["rev-parse", "--verify", "-q", "HEAD"], env))?.trim();
  if (!commit) return undefined;
  const branch = (await git(dir, ["symbolic-ref", "--short", "-q", "HEAD"], env))?.trim();
  const status = await git(
    dir,
    [
      "status",
      "--porcelain=v1",
      "-z",
      "--untracked-files=all",
      "--no-renames",
      "--ignore-submodules=none",
      ...STATE_PATHSPECS,
    ],
    env,
  ) ??
    "";
  return {
    facts: { commit, ...(branch ? { branch } : {}), dirty: status !== "" },
    status,
  };
}

/**
 * Hashes a work tree's state: HEAD, the status, the diff of tracked files
 * and the contents of untracked files, so two states with the same commit
 * but different local edits get different fingerprints.
 */
async function gitFingerprint(dir: string, env: ProcessEnv, commit: string, status: string) {
  const hash = createHash("sha256").update(`git\0${commit}\0${status}\0`);
  if (status !== "") {
    hash.update((await git(dir, ["diff", "HEAD", ...DIFF_ARGS, ...STATE_PATHSPECS], env)) ?? "");
    const untracked = await git(dir, [
      "ls-files",
      "--others",
      "--exclude-standard",
      "-z",
      ...STATE_PATHSPECS,
    ], env);
    for (const path of (untracked ?? "").split("\0").filter(Boolean).sort()) {
      hash.update(`\0${path}\0`);
      hash.update(await readFile(join(dir, path)).catch(() => ""));
    }
  }
  return hash.digest("hex");
}

/** Error codes of a listed file that was removed, or replaced by a directory or a link loop. */
const VANISHED_CODES = new Set(["ENOENT", "ENOTDIR", "EISDIR", "ELOOP"]);

/**
 * Reads the regular file at `path`, or resolves undefined when it is gone or
 * no longer a regular file, because another task may change files after the
 * listing. The open does not block, so a FIFO put in a file's place cannot
 * stall it.
 */
async function readListedFile(path: string): Promise<Uint8Array | undefined> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    if (VANISHED_CODES.has((error as NodeJS.ErrnoException).code ?? "")) return undefined;
    throw error;
  }
  try {
    if (!(await handle.stat()).isFile()) return undefined;
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * Hashes every file under `dir` except `.git`, `.async` and `node_modules`,
 * by path and content. A file that is gone, or no longer a file, by the time
 * it is read counts as absent.
 */
async function directoryFingerprint(dir: string): Promise<string> {
  // Imported here, because only a directory outside git needs it: a run that
  // never reads such a directory does not load the glob walker.
  const { glob } = await import("tinyglobby");
  const ignore = IGNORED_DIRECTORIES.map((name) => `**/${name.replace(/\/$/, "")}/**`);
  const files = (await glob(["**/*"], { cwd: dir, dot: true, ignore, onlyFiles: true })).sort();
  const hash = createHash("sha256").update("files\0");
  for (const path of files) {
    const content = await readListedFile(join(dir, path));
    if (content === undefined) continue;
    hash.update(`${path}\0`);
    hash.update(createHash("sha256").update(content).digest());
  }
  return hash.digest("hex");
}

/** Builds the candidate context of `dir`. */
export async function readCandidate(dir: string, env: ProcessEnv): Promise<CandidateContext> {
  const repository = await readGitFacts(dir, env);
  if (repository === undefined) return { dir, fingerprint: await directoryFingerprint(dir) };
  return {
    dir,
    fingerprint: await gitFingerprint(dir, env, repository.facts.commit, repository.status),
    git: repository.facts,
  };
}
