/**
 * Warm git checkouts of git sources under `.async/sources/<id>`: cloned on
 * first use, then fetched and moved to the source's ref on later runs. A ref
 * that is a full commit SHA the checkout already has needs no fetch, so such
 * a source works without its remote.
 *
 * A checkout with local changes is never reset silently. The runner writes a
 * marker into the checkout's `.git` directory while a run uses it and, when
 * the run ends, the fingerprint of the work tree it left. Changes that still
 * match that fingerprint were made by the run itself (prepare steps, task
 * outputs) and are discarded on the next sync, as are all changes after a
 * run that was killed before it released the checkout. Any other change
 * fails the run with `ASYNC_PIPELINE_SOURCE_FAILED`.
 *
 * @module
 */

import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { GitSource } from "../../core/sources.ts";
import { printablePath } from "../printable.ts";
import { readCandidate } from "../runner/candidate.ts";
import type { ProcessEnv } from "../types.ts";
import { sourceFailed } from "./failure.ts";
import { gitErrorText, type GitOptions, maskUrlCredentials, runGit } from "./git.ts";
import { projectCommand } from "../cli_command.ts";

/** Directory of git source checkouts, relative to the root pipeline's directory. */
export const SOURCES_DIR = ".async/sources";

/** Name of the marker file inside a checkout's `.git` directory. */
const MARKER_FILE = "async-pipeline-source.json";

/** The runner's last use of a checkout, stored in its `.git` directory. */
type CheckoutMarker =
  | { readonly state: "in-use"; readonly runId: string }
  | { readonly state: "released"; readonly runId: string; readonly fingerprint: string };

/** A checkout moved to its ref. */
export interface SyncedCheckout {
  readonly dir: string;
  /** Full SHA the checkout is at. */
  readonly commit: string;
}

/** Returns the checkout directory of git source `id`. */
export function checkoutDir(projectDir: string, id: string): string {
  return join(projectDir, SOURCES_DIR, id);
}

async function exists(path: string): Promise<boolean> {
  return await stat(path).then(() => true, () => false);
}

async function readMarker(dir: string): Promise<CheckoutMarker | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, ".git", MARKER_FILE), "utf8"));
  } catch {
    return undefined;
  }
}

async function writeMarker(dir: string, marker: CheckoutMarker): Promise<void> {
  await writeFile(join(dir, ".git", MARKER_FILE), `${JSON.stringify(marker)}\n`);
}

/** Clones into a temporary directory first, so a failed clone leaves no checkout behind. */
async function clone(id: string, source: GitSource, dir: string, options: GitOptions) {
  await mkdir(dirname(dir), { recursive: true });
  const temporary = join(dirname(dir), `.${id}.clone-${randomBytes(4).toString("hex")}`);
  const result = await runGit(
    ["clone", "--quiet", "--no-checkout", "--", source.url, temporary],
    { ...options, cwd: dirname(dir) },
  ).catch(async (error) => {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  });
  if (result.code !== 0) {
    await rm(temporary, { recursive: true, force: true });
    throw sourceFailed(
      id,
      `cloning ${maskUrlCredentials(source.url)} failed: ${gitErrorText(result)}`,
      { hint: `Check sources.${id}.url and that the repository is reachable from this machine.` },
    );
  }
  await rename(temporary, dir);
}

/** Lists the changed paths of a `git status --porcelain=v1 -z` output. */
function changedPaths(status: string): string[] {
  return status.split("\0").filter(Boolean).map((entry) => entry.slice(3));
}

/** Local changes of a checkout: none, or only changes the runner itself left. */
export type LocalChanges = "none" | "runner";

/**
 * Reads the local changes of the checkout `dir` without changing it.
 *
 * @throws {PipelineError} `ASYNC_PIPELINE_SOURCE_FAILED` when the checkout
 * has changes that no run left, or `git status` fails.
 */
export async function readLocalChanges(
  id: string,
  dir: string,
  options: GitOptions,
): Promise<LocalChanges> {
  const status = await runGit(
    ["status", "--porcelain=v1", "-z", "--untracked-files=all"],
    options,
  );
  if (status.code !== 0) {
    throw sourceFailed(id, `git status failed in ${dir}: ${gitErrorText(status)}`);
  }
  if (status.stdout === "") return "none";

  const marker = await readMarker(dir);
  // NOTE: an "in-use" marker means the last run was killed before it released the checkout,
  // so every change counts as the runner's, including edits made after that run.
  const leftByRunner = marker?.state === "in-use" ||
    (marker?.state === "released" &&
      marker.fingerprint === (await readCandidate(dir, options.env)).fingerprint);
  if (!leftByRunner) {
    const paths = changedPaths(status.stdout);
    const listed = paths.slice(0, 10).map(printablePath).join(", ") +
      (paths.length > 10 ? ", ..." : "");
    throw sourceFailed(
      id,
      `the checkout ${dir} has local changes (${listed}), so it was not moved to its ref.`,
      { hint: `Commit or discard them (git -C ${dir} stash), or delete ${dir} to clone it again.` },
    );
  }
  return "runner";
}

/**
 * Discards changes the runner itself left in the checkout, or fails when
 * the checkout has changes that no run recorded.
 */
async function checkLocalChanges(id: string, dir: string, options: GitOptions): Promise<void> {
  if (await readLocalChanges(id, dir, options) === "none") return;
  for (const args of [["reset", "--quiet", "--hard", "HEAD"], ["clean", "--quiet", "-fd"]]) {
    const result = await runGit(args, options);
    if (result.code !== 0) {
      throw sourceFailed(id, `git ${args[0]} failed in ${dir}: ${gitErrorText(result)}`);
    }
  }
}

async function fetch(id: string, source: GitSource, dir: string, options: GitOptions) {
  const remote = await runGit(["remote", "get-url", "origin"], options);
  if (remote.code !== 0 || remote.stdout.trim() !== source.url) {
    const args = remote.code === 0
      ? ["remote", "set-url", "origin", source.url]
      : ["remote", "add", "origin", source.url];
    const result = await runGit(args, options);
    if (result.code !== 0) {
      throw sourceFailed(id, `setting the remote of ${dir} failed: ${gitErrorText(result)}`);
    }
  }
  const result = await runGit(
    ["fetch", "--quiet", "--prune", "--force", "--tags", "origin"],
    options,
  );
  if (result.code !== 0) {
    throw sourceFailed(
      id,
      `fetching ${maskUrlCredentials(source.url)} failed: ${gitErrorText(result)}`,
      { hint: `Check sources.${id}.url and that the repository is reachable from this machine.` },
    );
  }
}

async function listBranches(options: GitOptions): Promise<string[]> {
  const result = await runGit(
    ["for-each-ref", "--format=%(refname:lstrip=3)", "refs/remotes/origin"],
    options,
  );
  return result.stdout.split("\n").filter((name) => name !== "" && name !== "HEAD");
}

/** Matches a full commit SHA: 40 hex digits (SHA-1) or 64 (SHA-256 repositories). */
const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

/**
 * Returns the commit of a ref that is a full commit SHA already in the
 * checkout, or undefined when the ref is anything else or the commit is
 * missing. Such a commit cannot change, so it needs no fetch.
 */
async function localPinnedCommit(
  source: GitSource,
  options: GitOptions,
): Promise<string | undefined> {
  if (!FULL_SHA.test(source.ref)) return undefined;
  const result = await runGit(
    ["rev-parse", "--verify", "--quiet", `${source.ref}^{commit}`],
    options,
  );
  return result.code === 0 ? result.stdout.trim() : undefined;
}

/** Resolves `ref` as a remote branch, a tag or a commit, in that order. */
async function resolveRef(id: string, source: GitSource, options: GitOptions): Promise<string> {
  if (source.ref.startsWith("-")) {
    throw sourceFailed(id, `ref "${source.ref}" is not a valid git ref.`);
  }
  for (const name of [`refs/remotes/origin/${source.ref}`, `refs/tags/${source.ref}`, source.ref]) {
    const result = await runGit(["rev-parse", "--verify", "--quiet", `${name}^{commit}`], options);
    if (result.code === 0) return result.stdout.trim();
  }
  const branches = await listBranches(options);
  throw sourceFailed(
    id,
    `ref "${source.ref}" was not found in ${maskUrlCredentials(source.url)}.`,
    {
      hint: `Set sources.${id}.ref to a branch, tag or commit of that repository${
        branches.length > 0 ? ` (branches: ${branches.slice(0, 10).join(", ")})` : ""
      }.`,
    },
  );
}

function notACheckout(id: string, dir: string) {
  return sourceFailed(id, `${dir} exists but is not a git checkout.`, {
    hint: `Delete ${dir} so the source can be cloned there.`,
  });
}

/** A git source's checkout as it is on disk. */
export interface CheckoutOnDisk {
  readonly dir: string;
  /** Full SHA of the checkout's HEAD. */
  readonly commit: string;
  /** True when the source's ref is a full commit SHA, which a run does not fetch when present. */
  readonly pinned: boolean;
  readonly changes: LocalChanges;
}

/**
 * Reads the checkout of git source `id` as a run would find it, without
 * cloning, fetching, moving it or touching its marker.
 *
 * @throws {PipelineError} `ASYNC_PIPELINE_SOURCE_FAILED` naming the source
 * when the checkout does not exist yet, is not a git checkout, has no
 * commit, or has local changes that no run left (which fail a run too).
 */
export async function readCheckout(
  id: string,
  source: GitSource,
  projectDir: string,
  env: ProcessEnv,
): Promise<CheckoutOnDisk> {
  const dir = checkoutDir(projectDir, id);
  const options: GitOptions = { cwd: dir, env };
  if (!(await exists(join(dir, ".git")))) {
    if (await exists(dir)) throw notACheckout(id, dir);
    throw sourceFailed(
      id,
      `its checkout ${dir} does not exist yet. A run clones it, but a dry run clones nothing.`,
      {
        hint: "Run a job that uses the source once, so that its checkout exists, then dry-run " +
          `again. \`${projectCommand("graph")}\` shows the graph without a checkout.`,
      },
    );
  }
  const changes = await readLocalChanges(id, dir, options);
  const head = await runGit(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], options);
  if (head.code !== 0) {
    throw sourceFailed(id, `the checkout ${dir} has no commit checked out.`, {
      hint: `Delete ${dir} so the next run clones the source again.`,
    });
  }
  return { dir, commit: head.stdout.trim(), pinned: FULL_SHA.test(source.ref), changes };
}

/**
 * Clones or updates the checkout of git source `id` and moves it to the
 * source's ref, detached. A ref that is a full commit SHA present in the
 * checkout is used without fetching. Marks the checkout as in use by `runId` until
 * {@link releaseCheckout} records the state the run left.
 *
 * @throws {PipelineError} `ASYNC_PIPELINE_SOURCE_FAILED` naming the source
 * when cloning or fetching fails, the ref does not exist, or the checkout
 * has local changes that no run left.
 */
export async function syncCheckout(
  id: string,
  source: GitSource,
  projectDir: string,
  context: { readonly env: ProcessEnv; readonly runId: string; readonly signal?: AbortSignal },
): Promise<SyncedCheckout> {
  const dir = checkoutDir(projectDir, id);
  const options: GitOptions = { cwd: dir, env: context.env, signal: context.signal };

  let pinned: string | undefined;
  if (!(await exists(join(dir, ".git")))) {
    if (await exists(dir)) throw notACheckout(id, dir);
    await clone(id, source, dir, options);
  } else {
    await checkLocalChanges(id, dir, options);
    pinned = await localPinnedCommit(source, options);
    if (pinned === undefined) await fetch(id, source, dir, options);
  }

  const commit = pinned ?? await resolveRef(id, source, options);
  const checkout = await runGit(["checkout", "--quiet", "--force", "--detach", commit], options);
  if (checkout.code !== 0) {
    throw sourceFailed(id, `checking out ${commit} failed: ${gitErrorText(checkout)}`);
  }
  await writeMarker(dir, { state: "in-use", runId: context.runId });
  return { dir, commit };
}

/** Records the work tree a run left, so the next sync can tell its changes from a user's. */
export async function releaseCheckout(dir: string, runId: string, env: ProcessEnv): Promise<void> {
  const { fingerprint } = await readCandidate(dir, env);
  await writeMarker(dir, { state: "released", runId, fingerprint });
}
