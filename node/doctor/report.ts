/**
 * The health check behind `async-pipeline doctor`: versions, the run lock,
 * crashed runs, cache size, stale generated files and missing tools.
 *
 * @module
 */

import { lstat, readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import process from "../process.ts";
import { printablePath } from "../printable.ts";
import { isPipelineError } from "../../core/errors.ts";
import { VERSION } from "../../core/version.ts";
import { type LoadedPipeline, loadPipeline } from "../load.ts";
import { findExecutable } from "../executor/which.ts";
import { SYNC_PROVIDERS } from "../sync/providers.ts";
import type { SyncProvider } from "../sync/types.ts";
import type { ProcessEnv } from "../types.ts";
import { fileStoreRoots, unfinishedEntries } from "../cache/maintenance.ts";
import { cacheLayoutProblems } from "./cache_layout.ts";
import { gitStateProblem } from "./git_state.ts";
import { type LockStatus, markRunFailed, readRunLock, type RunningRun, scanRuns } from "./runs.ts";
import { projectCommand } from "../cli_command.ts";

/** Task cache directory, relative to the project directory. */
export const CACHE_DIR = ".async/cache";

/** The directory in which runs keep their records, logs, lock and cache. */
const STATE_DIR = ".async";

/** One thing the user should do. */
export interface DoctorAction {
  /**
   * The check that found it: `state`, `pipeline`, `lock`, `cache`, `runs`,
   * `generated` or `tools`.
   */
  check: "state" | "pipeline" | "lock" | "cache" | "runs" | "generated" | "tools";
  message: string;
  /** The command or change that resolves it. */
  fix: string;
}

/** A generated file's state as its sync provider reports it. */
export interface GeneratedFileStatus {
  provider: string;
  path: string;
  state: "current" | "missing" | "stale" | "error";
  detail?: string;
}

/** A tool that tasks require. */
export interface ToolStatus {
  name: string;
  /** Absolute path on this machine, when found. */
  path?: string;
  /** Tasks that require it. */
  tasks: string[];
}

/** Everything doctor found; `--format json` prints it as is. */
export interface DoctorReport {
  /** False when `actions` is not empty. */
  ok: boolean;
  projectDir: string;
  versions: {
    package: string;
    runtime: "deno" | "node";
    runtimeVersion: string;
    platform: string;
    arch: string;
  };
  pipeline: { name: string; path: string } | { error: { code: string; message: string } };
  lock: LockStatus;
  /** `unreadable` lists the runs whose record cannot be read. */
  runs: { total: number; running: RunningRun[]; unreadable?: string[] };
  /**
   * `unfinished` counts the entries that killed stores left in the file
   * stores' `.tmp/` directories, when there are any.
   */
  cache: {
    path: string;
    bytes: number;
    files: number;
    unfinished?: { entries: number; bytes: number };
  };
  generated: GeneratedFileStatus[];
  tools: ToolStatus[];
  actions: DoctorAction[];
}

/** Options of {@link collectDoctorReport}. */
export interface DoctorOptions {
  cwd: string;
  env: ProcessEnv;
  /** Pipeline file, as `--config` takes it. */
  config?: string;
  /** Mark runs left `running` by a dead process as failed. */
  fixCrashed?: boolean;
  /** Generated-file families to check (default: every registered sync provider). */
  syncProviders?: readonly SyncProvider[];
}

/** Runs every check and returns the report; writes only when `fixCrashed` is set. */
export async function collectDoctorReport(options: DoctorOptions): Promise<DoctorReport> {
  const actions: DoctorAction[] = [];
  const { loaded, error } = await loadForDoctor(options, actions);
  const projectDir = loaded?.dir ?? options.cwd;

  await checkStateDirectory(projectDir, actions);
  await checkStateIgnored(projectDir, actions);
  const lock = await readRunLock(projectDir);
  checkLock(lock, actions);
  for (const problem of await cacheLayoutProblems(projectDir, loaded?.pipeline)) {
    actions.push({ check: "cache", ...problem });
  }
  const runs = await scanRuns(projectDir);
  for (const run of runs.running.filter((candidate) => candidate.crashed)) {
    if (options.fixCrashed) {
      await markRunFailed(projectDir, run);
      run.fixed = true;
      continue;
    }
    actions.push({
      check: "runs",
      message: `Run ${run.id}${
        run.jobId ? ` (job ${run.jobId})` : ""
      } is still marked running, but its process (pid ${run.pid}) no longer exists.`,
      fix: projectCommand("doctor --fix-crashed"),
    });
  }

  const providers = options.syncProviders ?? SYNC_PROVIDERS;
  const generated = loaded ? await checkGenerated(loaded, providers, actions) : [];
  const tools = loaded ? await checkTools(loaded, options, actions) : [];
  return {
    ok: actions.length === 0,
    projectDir,
    versions: runtimeVersions(),
    pipeline: loaded
      ? { name: loaded.pipeline.name, path: relative(projectDir, loaded.path) }
      : { error: error ?? { code: "ASYNC_PIPELINE_INTERNAL", message: "not loaded" } },
    lock,
    runs,
    cache: await cacheStatus(projectDir, loaded),
    generated,
    tools,
    actions,
  };
}

/**
 * Reports a `.async` that exists but is not a directory. Every run fails on
 * it, and so does every check below that reads it.
 */
async function checkStateDirectory(projectDir: string, actions: DoctorAction[]): Promise<void> {
  const stats = await lstat(join(projectDir, STATE_DIR)).catch(() => undefined);
  if (stats === undefined || stats.isDirectory()) return;
  actions.push({
    check: "state",
    message:
      `${STATE_DIR} is not a directory, so every run fails with ASYNC_PIPELINE_IO_FAILED when it creates its records.`,
    fix: `Move or remove ${STATE_DIR}. The next run creates it as a directory.`,
  });
}

/** Reports a state directory that git would commit or already tracks (see {@link gitStateProblem}). */
async function checkStateIgnored(projectDir: string, actions: DoctorAction[]): Promise<void> {
  const problem = await gitStateProblem(projectDir, STATE_DIR);
  if (problem !== undefined) actions.push({ check: "state", ...problem });
}

/**
 * Reports a lock path that fails every run: a directory, a dangling
 * symbolic link or a file that cannot be read. The next run takes over a torn or stale lock,
 * so such a lock needs no action.
 */
function checkLock(lock: LockStatus, actions: DoctorAction[]): void {
  if (lock.state !== "unreadable" || lock.error === undefined || lock.error === "ENOTDIR") return;
  const problem = lock.broken === "directory"
    ? "is a directory"
    : lock.broken === "dangling-link"
    ? `is a symbolic link to ${printablePath(lock.target ?? "")}, which does not exist`
    : `cannot be read (${lock.error})`;
  const fix = lock.broken === "directory" ? `rm -r ${lock.path}` : `rm ${lock.path}`;
  actions.push({
    check: "lock",
    message: `${lock.path} ${problem}, so every run fails to take the run lock.`,
    fix: lock.broken === undefined
      ? `Make ${lock.path} readable, or delete it (${fix}) when no run is in progress.`
      : `${fix} (no run holds it; the next run creates the lock file).`,
  });
}

async function loadForDoctor(
  options: DoctorOptions,
  actions: DoctorAction[],
): Promise<{ loaded?: LoadedPipeline; error?: { code: string; message: string } }> {
  try {
    return { loaded: await loadPipeline(options.cwd, options.config) };
  } catch (error) {
    const code = isPipelineError(error) ? error.code : "ASYNC_PIPELINE_INTERNAL";
    const message = error instanceof Error ? error.message : String(error);
    actions.push({
      check: "pipeline",
      message: `The pipeline could not be loaded: [${code}] ${message}`,
      fix: isPipelineError(error) && error.hint ? error.hint : "Fix the pipeline file.",
    });
    return { error: { code, message } };
  }
}

function runtimeVersions(): DoctorReport["versions"] {
  const deno = process.versions.deno;
  return {
    package: VERSION,
    runtime: deno ? "deno" : "node",
    runtimeVersion: deno ?? process.versions.node,
    platform: process.platform,
    arch: process.arch,
  };
}

async function checkGenerated(
  loaded: LoadedPipeline,
  providers: readonly SyncProvider[],
  actions: DoctorAction[],
): Promise<GeneratedFileStatus[]> {
  const files: GeneratedFileStatus[] = [];
  for (const provider of providers) {
    if (!provider.enabled(loaded)) continue;
    try {
      for (const file of await provider.check(loaded)) {
        files.push({
          provider: provider.name,
          path: file.path,
          state: file.state,
          ...(file.diff ? { detail: file.diff } : {}),
        });
      }
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      files.push({ provider: provider.name, path: "", state: "error", detail });
    }
  }
  const outdated = files.filter((file) => file.state !== "current");
  if (outdated.length > 0) {
    const list = outdated.map((file) => `${file.path || file.provider} (${file.state})`);
    actions.push({
      check: "generated",
      message: `Generated files are not current: ${list.join(", ")}.`,
      fix: projectCommand("sync generate"),
    });
  }
  return files;
}

async function checkTools(
  loaded: LoadedPipeline,
  options: DoctorOptions,
  actions: DoctorAction[],
): Promise<ToolStatus[]> {
  const byTool = new Map<string, string[]>();
  for (const task of Object.values(loaded.pipeline.tasks)) {
    for (const tool of [...task.requires.tools, ...task.requires.runtimes]) {
      byTool.set(tool, [...byTool.get(tool) ?? [], task.id]);
    }
  }
  const tools: ToolStatus[] = [];
  for (const [name, tasks] of [...byTool].sort(([a], [b]) => a.localeCompare(b))) {
    const path = await findExecutable(name, options.env, loaded.dir);
    tools.push({ name, ...(path ? { path } : {}), tasks });
    if (!path) {
      actions.push({
        check: "tools",
        message: `Tool "${name}" is required by ${tasks.join(", ")} but is not on PATH.`,
        fix: `Install ${name} or add its directory to PATH.`,
      });
    }
  }
  return tools;
}

async function cacheStatus(
  projectDir: string,
  loaded: LoadedPipeline | undefined,
): Promise<DoctorReport["cache"]> {
  const size = await directorySize(join(projectDir, CACHE_DIR));
  const unfinished = await unfinishedEntries(fileStoreRoots(projectDir, loaded?.pipeline))
    .catch(() => ({ entries: 0, bytes: 0 }));
  return { path: CACHE_DIR, ...size, ...(unfinished.entries > 0 ? { unfinished } : {}) };
}

/** Sums the sizes of regular files under `dir` without following symbolic links. */
export async function directorySize(dir: string): Promise<{ bytes: number; files: number }> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return { bytes: 0, files: 0 };
  }
  let bytes = 0;
  let files = 0;
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = await directorySize(path);
      bytes += inner.bytes;
      files += inner.files;
    } else if (entry.isFile()) {
      bytes += (await lstat(path)).size;
      files += 1;
    }
  }
  return { bytes, files };
}
