/** Shared helpers for the task cache tests: temp projects, pipelines and a minimal runner loop. */

import { chmod, mkdir, readdir, readFile, utimes, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { definePipeline } from "../core/pipeline.ts";
import type { NormalizedTask, Pipeline } from "../core/model.ts";
import type { PipelineConfig } from "../core/types.ts";
import { job } from "../core/task.ts";
import type { CacheLookupInput, CacheLookupResult, TaskCacheHooks } from "../node/cache_seam.ts";
import type { CacheChanges } from "../node/types.ts";
import { createTaskCache } from "../node/cache/task_cache.ts";
import { RACY_WINDOW_MS } from "../node/cache/file_index.ts";
import { tempDir } from "./support/temp_files.ts";

/** A clock far enough ahead that files written by the test count as settled. */
export const settled = (): number => Date.now() + 10 * RACY_WINDOW_MS;

/** A file to create: its text, or text and mode. */
export type FileSpec = string | { text: string; mode: number };

/** Creates a temp project directory holding `files`. */
export async function makeProject(files: Record<string, FileSpec> = {}): Promise<string> {
  const dir = await Deno.realPath(await tempDir("async-cache-"));
  await writeFiles(dir, files);
  return dir;
}

/**
 * Sets the times of `dir` and everything under it one minute into the past.
 * Tests that run on the {@link settled} clock call it, so that the disk
 * agrees with the clock: a file added in the same clock tick as the run
 * would otherwise leave its directory's mtime unchanged.
 */
export async function backdate(dir: string): Promise<void> {
  const then = new Date(Date.now() - 60_000);
  for (const entry of await readdir(dir, { recursive: true })) {
    await utimes(join(dir, entry), then, then);
  }
  await utimes(dir, then, then);
}

/** Writes `files` under `dir`, creating parent directories. */
export async function writeFiles(dir: string, files: Record<string, FileSpec>): Promise<void> {
  for (const [path, spec] of Object.entries(files)) {
    const absolute = join(dir, path);
    await mkdir(dirname(absolute), { recursive: true });
    const text = typeof spec === "string" ? spec : spec.text;
    await writeFile(absolute, text);
    if (typeof spec !== "string") await chmod(absolute, spec.mode);
  }
}

/** Reads a project file as text. */
export function readText(dir: string, path: string): Promise<string> {
  return readFile(join(dir, path), "utf8");
}

/** Builds a pipeline from task configs with one job per task. */
export function makePipeline(
  tasks: PipelineConfig["tasks"],
  extra: Omit<PipelineConfig, "name" | "tasks" | "jobs"> = {},
): Pipeline {
  const jobs = Object.fromEntries(Object.keys(tasks).map((id) => [id, job({ target: id })]));
  return definePipeline({ name: "cache-test", ...extra, tasks, jobs });
}

/** Renders the step texts the runner would hand to the cache. */
export function stepTexts(task: NormalizedTask): string[] {
  return task.steps.map((step) => {
    if (step.kind === "shell") return step.command.text;
    if (step.kind === "function") return step.code;
    return "deferred";
  });
}

/** Builds a lookup input with defaults that tests override. */
export function lookupInput(
  pipeline: Pipeline,
  taskId: string,
  cwd: string,
  overrides: Partial<CacheLookupInput> = {},
): CacheLookupInput {
  const task = pipeline.tasks[taskId];
  return {
    task,
    cwd,
    env: {},
    envKeys: [],
    secretValues: [],
    dependencyFingerprints: {},
    stepTexts: stepTexts(task),
    force: false,
    ...overrides,
  };
}

/** What one simulated task execution did. */
export interface Execution {
  lookup: CacheLookupResult;
  ran: boolean;
  saved?: { stored: boolean; warning?: string };
}

/**
 * Does what the runner does for one task: looks it up, and on a miss runs
 * `work` (in place of the task's steps) and saves the result.
 */
export async function execute(
  hooks: TaskCacheHooks,
  input: CacheLookupInput,
  work: () => Promise<void> = () => Promise.resolve(),
  logs: { stdout?: string; stderr?: string; meta?: Record<string, unknown> } = {},
): Promise<Execution> {
  const lookup = await hooks.lookup(input);
  if (lookup.status === "hit") return { lookup, ran: false };
  await work();
  if (lookup.status === "disabled") return { lookup, ran: true };
  const saved = await hooks.save({
    task: input.task,
    cwd: input.cwd,
    key: lookup.key,
    lookup: input,
    stdout: logs.stdout ?? "",
    stderr: logs.stderr ?? "",
    meta: logs.meta ?? {},
    durationMs: 1,
  });
  return { lookup, ran: true, saved };
}

/** Creates a task cache for `dir` with a fresh run id. */
export function cacheFor(
  pipeline: Pipeline,
  dir: string,
  options: { force?: boolean; now?: () => number } = {},
): TaskCacheHooks {
  return createTaskCache({ pipeline, rootDir: dir, runId: crypto.randomUUID(), ...options });
}

/** Returns the differences a `changed` miss reports, or undefined for any other lookup result. */
export function changesOf(lookup: CacheLookupResult): CacheChanges | undefined {
  if (lookup.status !== "miss" || lookup.reason.kind !== "changed") return undefined;
  return lookup.reason;
}

/** Returns the paths of the files under `dir/.async` whose bytes contain `text`. */
export async function filesContaining(dir: string, text: string): Promise<string[]> {
  const root = join(dir, ".async");
  const found: string[] = [];
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if ((await readFile(path, "utf8")).includes(text)) found.push(path.slice(dir.length + 1));
  }
  return found;
}
