/**
 * The generated GitHub files of a project: rendering them in memory,
 * comparing them with the disk, and writing them.
 *
 * @module
 */

import { mkdir, readFile, writeFile } from "node:fs/promises";
import { withPath } from "../atomic_write.ts";
import { basename, isAbsolute, posix, relative, resolve, sep } from "node:path";
import { ErrorCode, PipelineError } from "../../core/errors.ts";
import type { NormalizedGithubSync } from "../../core/model.ts";
import { DEFAULT_GITHUB_LOCK_PATH, DEFAULT_WORKFLOW_PATH } from "../../core/normalize_job.ts";
import { shellQuote } from "../../core/sh.ts";
import { type LoadedPipeline, PIPELINE_FILE_NAMES } from "../load.ts";
import { writeFilesAtomically } from "../sync/atomic_write.ts";
import { shortDiff } from "../sync/diff.ts";
import type { SyncFileStatus } from "../sync/types.ts";
import { hashText, lockedHash, renderLock } from "./lock.ts";
import { detectPackageManager, type PackageManager } from "./package_manager.ts";
import { renderWorkflow } from "./workflow.ts";

/** Path overrides, as `--workflow` and `--lock` pass them: absolute or relative to the project root. */
export interface GithubSyncOptions {
  readonly workflow?: string;
  readonly lock?: string;
}

/** One rendered file. */
export interface RenderedFile {
  /** Path relative to the project root, with `/` separators. */
  readonly path: string;
  readonly absolute: string;
  readonly content: string;
}

/** The rendered workflow and lock of a project. */
export interface GithubFiles {
  readonly workflow: RenderedFile;
  readonly lock: RenderedFile;
  readonly manager: PackageManager;
}

const DEFAULT_SETTINGS: NormalizedGithubSync = {
  workflow: DEFAULT_WORKFLOW_PATH,
  lock: DEFAULT_GITHUB_LOCK_PATH,
  nodeVersion: 24,
  cache: true,
};

/**
 * Returns the lock path of a workflow given without a lock: beside
 * `.github/workflows` for a workflow there, else beside the workflow, named
 * after it. The default workflow gets the default lock, and each other
 * workflow its own lock, so generating one never rewrites another's lock.
 */
export function lockPathFor(workflow: string): string {
  const dir = posix.dirname(workflow);
  const name = posix.basename(workflow).replace(/\.ya?ml$/, "");
  const lockDir = dir === ".github/workflows" ? ".github" : dir;
  return posix.join(lockDir, `${name}.lock.json`);
}

/** Resolves a path against the project root and rejects one outside it. */
function insideRoot(root: string, path: string, field: string): { path: string; absolute: string } {
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) {
    // The path goes into the workflow's header comment, which one line must hold.
    throw new PipelineError(
      ErrorCode.INVALID_FIELD,
      `${field} ${JSON.stringify(path)} contains a control character such as a newline.`,
      { path: field, hint: "Use a file path without control characters." },
    );
  }
  const absolute = isAbsolute(path) ? path : resolve(root, path);
  const rel = relative(root, absolute);
  if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new PipelineError(
      ErrorCode.PATH_OUTSIDE_ROOT,
      `${field} "${path}" is outside the project root ${root}.`,
      { path: field, hint: "Use a file path inside the directory of the pipeline file." },
    );
  }
  return { path: rel.split(sep).join("/"), absolute };
}

/**
 * Renders the workflow and lock in memory. Nothing touches the disk except
 * reading the manifests that decide the package manager.
 *
 * @throws {PipelineError} when the pipeline cannot be rendered.
 */
export async function renderGithubFiles(
  loaded: LoadedPipeline,
  options: GithubSyncOptions = {},
): Promise<GithubFiles> {
  const settings = loaded.pipeline.sync.github ?? DEFAULT_SETTINGS;
  const workflow = insideRoot(loaded.dir, options.workflow ?? settings.workflow, "workflow");
  const workflowLock = workflow.path === settings.workflow
    ? settings.lock
    : lockPathFor(workflow.path);
  const lock = insideRoot(loaded.dir, options.lock ?? workflowLock, "lock");
  if (workflow.absolute === lock.absolute) {
    throw new PipelineError(
      ErrorCode.USAGE,
      `The workflow and the lock both point at ${workflow.path}.`,
      { hint: "Give --workflow and --lock different paths." },
    );
  }

  const manager = await detectPackageManager(loaded.dir);
  const configPath = basename(loaded.path);
  const configArgs = (PIPELINE_FILE_NAMES as readonly string[]).includes(configPath)
    ? ""
    : ` --config ${shellQuote(configPath)}`;
  const overrides = [
    workflow.path !== settings.workflow ? ` --workflow ${shellQuote(workflow.path)}` : "",
    lock.path !== workflowLock ? ` --lock ${shellQuote(lock.path)}` : "",
  ].join("");

  const workflowText = renderWorkflow(loaded.pipeline, {
    manager,
    nodeVersion: settings.nodeVersion,
    cache: settings.cache,
    configPath,
    configArgs,
    regenerateCommand: `async-pipeline sync github generate${configArgs}${overrides}`,
  });
  const lockText = renderLock(workflowText, {
    config: configPath,
    options: {
      workflow: workflow.path,
      lock: lock.path,
      nodeVersion: settings.nodeVersion,
      cache: settings.cache,
      packageManager: manager.name,
    },
  });
  return {
    workflow: { ...workflow, content: workflowText },
    lock: { ...lock, content: lockText },
    manager,
  };
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    // Reading a directory fails with EISDIR and no path in the error.
    throw withPath(error, path);
  }
}

/** Compares the rendered files with the disk without writing anything. */
export async function checkGithubFiles(
  loaded: LoadedPipeline,
  options: GithubSyncOptions = {},
): Promise<SyncFileStatus[]> {
  const files = await renderGithubFiles(loaded, options);
  const onDisk = await readIfPresent(files.workflow.absolute);
  const lockOnDisk = await readIfPresent(files.lock.absolute);

  const statuses: SyncFileStatus[] = [];
  for (const [file, current] of [[files.workflow, onDisk], [files.lock, lockOnDisk]] as const) {
    if (current === undefined) statuses.push({ path: file.path, state: "missing" });
    else if (current === file.content) statuses.push({ path: file.path, state: "current" });
    else {
      const reason = file === files.workflow ? workflowDriftReason(current, lockOnDisk) : undefined;
      statuses.push({
        path: file.path,
        state: "stale",
        diff: shortDiff(current, file.content),
        ...(reason ? { reason } : {}),
      });
    }
  }
  return statuses;
}

/**
 * Tells a hand edit from a workflow that an older pipeline or generator
 * rendered. Without a readable lock there is no hash to tell them apart.
 */
function workflowDriftReason(current: string, lockText: string | undefined): string {
  const locked = lockedHash(lockText);
  if (lockText === undefined) {
    return "the lock is missing, so a hand edit cannot be told from a pipeline change";
  }
  if (locked === undefined) {
    return "the lock records no workflow hash, so a hand edit cannot be told from a pipeline change";
  }
  if (locked === hashText(current)) {
    return "the pipeline or generator changed since this file was generated";
  }
  return "edited by hand since it was generated (the lock records a different hash)";
}

/** Receives what {@link generateGithubFiles} is about to write over. */
export interface GithubGenerateObserver {
  /**
   * Called before the workflow at `path` is replaced while the lock shows
   * that it was edited by hand since it was generated. `diff` shows the file
   * on disk as `-` lines and the new one as `+` lines, and `savedAs` is the
   * project-relative path of the copy kept of the edited file.
   */
  onReplacedEdit?(path: string, diff: string, savedAs: string): void;
}

/** Directory that keeps a copy of a hand-edited workflow before `generate` replaces it. */
export const REPLACED_WORKFLOWS_DIR = ".async/github-replaced";

/** Saves `content`, the hand-edited workflow at `path`, and returns the copy's project-relative path. */
async function saveReplaced(root: string, path: string, content: string): Promise<string> {
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const name = `${posix.basename(path).replace(/\.ya?ml$/, "")}.${stamp}.yml`;
  const saved = posix.join(REPLACED_WORKFLOWS_DIR, name);
  await mkdir(resolve(root, REPLACED_WORKFLOWS_DIR), { recursive: true });
  await writeFile(resolve(root, saved), content);
  return saved;
}

/**
 * Renders and writes the workflow and lock. Writes nothing when rendering
 * fails, and only the files whose content changed. A workflow edited by hand
 * since it was generated is first copied to {@link REPLACED_WORKFLOWS_DIR}.
 * Returns the paths written.
 */
export async function generateGithubFiles(
  loaded: LoadedPipeline,
  options: GithubSyncOptions = {},
  observer: GithubGenerateObserver = {},
): Promise<string[]> {
  const files = await renderGithubFiles(loaded, options);
  const changed: RenderedFile[] = [];
  for (const file of [files.workflow, files.lock]) {
    const current = await readIfPresent(file.absolute);
    if (current === file.content) continue;
    changed.push(file);
    if (file === files.workflow && current !== undefined) {
      const locked = lockedHash(await readIfPresent(files.lock.absolute));
      if (locked !== undefined && locked !== hashText(current)) {
        const saved = await saveReplaced(loaded.dir, file.path, current);
        observer.onReplacedEdit?.(file.path, shortDiff(current, file.content), saved);
      }
    }
  }
  await writeFilesAtomically(
    changed.map((file) => ({ path: file.absolute, content: file.content })),
  );
  return changed.map((file) => file.path);
}
