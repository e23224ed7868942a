/** Local git repositories for source tests: bare remotes reached by `file://` URLs. */

import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { baseEnv, MOD_URL } from "./projects.ts";
import { tempDir } from "./temp_files.ts";

/**
 * Environment for git in tests and for runs that call git: a commit
 * identity, and no user or system configuration.
 */
export function gitTestEnv(extra: Record<string, string> = {}): Record<string, string> {
  return baseEnv({
    GIT_AUTHOR_NAME: "Test",
    GIT_AUTHOR_EMAIL: "test@example.com",
    GIT_COMMITTER_NAME: "Test",
    GIT_COMMITTER_EMAIL: "test@example.com",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
    ...extra,
  });
}

/** Runs git in `cwd` with {@link gitTestEnv}, fails the test when it fails, and returns stdout. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const output = await new Deno.Command("git", {
    args,
    cwd,
    env: gitTestEnv(),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  assert.equal(output.code, 0, `git ${args.join(" ")}: ${decoder.decode(output.stderr)}`);
  return decoder.decode(output.stdout).trim();
}

/** Writes files under `dir`, creating folders; `@mod` becomes the URL of the repository's `mod.ts`. */
export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text.replaceAll("@mod", MOD_URL));
  }
}

/** A bare repository and a work tree that pushes to it. */
export interface SourceRepo {
  /** `file://` URL of the bare repository. */
  readonly url: string;
  /** Work tree used to make commits. */
  readonly work: string;
  /** Writes `files`, commits them on `branch` (default main), pushes, and returns the commit. */
  push(files: Record<string, string>, branch?: string): Promise<string>;
}

/** Creates a bare repository whose `main` branch contains `files`. */
export async function createSourceRepo(files: Record<string, string>): Promise<SourceRepo> {
  const root = await tempDir("async-pipeline-source-");
  const bare = join(root, "remote.git");
  const work = join(root, "work");
  await mkdir(work);
  await git(root, "init", "--quiet", "--bare", "--initial-branch=main", bare);
  await git(work, "init", "--quiet", "--initial-branch=main");
  await git(work, "remote", "add", "origin", bare);
  const push = async (changed: Record<string, string>, branch = "main") => {
    const current = await git(work, "branch", "--show-current");
    if (current !== branch) await git(work, "checkout", "--quiet", "-B", branch);
    await writeFiles(work, changed);
    await git(work, "add", "--all");
    await git(work, "commit", "--quiet", "-m", `Update ${Object.keys(changed).join(", ")}`);
    await git(work, "push", "--quiet", "origin", branch);
    return await git(work, "rev-parse", "HEAD");
  };
  await push(files);
  return { url: pathToFileURL(bare).href, work, push };
}
