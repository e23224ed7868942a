/**
 * Storing a task's result after it ran: the checks that keep the result out
 * of the cache, the masking of secrets in its logs and metadata, and the
 * write to the store.
 *
 * @module
 */

import { fullDiskCause } from "../full_disk.ts";
import { lstatSync, type Stats } from "node:fs";
import { dirname, join, sep } from "node:path";
import type { CacheSaveInput } from "../cache_seam.ts";
import { printablePath } from "../printable.ts";
import type { CacheBackend } from "./backend.ts";
import { maskSecrets, type OutputRecord } from "./entry.ts";
import { describe } from "./find_entry.ts";
import { secretInputName } from "./secret_text.ts";
import { currentStepRuntime } from "./step_runtime.ts";
import { diffManifests, type KeyManifest, manifestKey } from "./manifest.ts";
import {
  changedWhileRunning,
  maskMeta,
  outputWithSecret,
  secretOutputWarning,
} from "./save_checks.ts";
import { projectCommand } from "../cli_command.ts";
import { outputLinkOf, outputLinkText } from "./output_links.ts";
import type { OutputsBefore } from "./outputs_before.ts";

/** Whether a result was stored, with a warning giving the reason when it was not. */
export interface SaveOutcome {
  stored: boolean;
  warning?: string;
  /** True when an input or output path, or an output link's target, contains a secret value. */
  withheld?: true;
}

/**
 * Stores the result of a task that ran. `manifest` is its key manifest built
 * again after the run, or the first input path that contains a secret value.
 * `before` is the manifest its lookup built, and `outputs` the output files
 * as they were before the task ran. Stores nothing, and returns a
 * warning, when an input changed while the task ran, an output
 * contains a secret value (in its path, link target or content), an output
 * pattern leads through a symbolic link, or writing the entry fails.
 */
export async function saveResult(
  backend: Promise<CacheBackend>,
  input: CacheSaveInput,
  manifest: KeyManifest | { withheld: string },
  before: KeyManifest | undefined,
  now: () => number,
  outputs?: OutputsBefore,
): Promise<SaveOutcome> {
  const { task } = input;
  const secrets = input.lookup.secretValues;
  if ("withheld" in manifest) {
    const { text } = secretInputName(manifest.withheld, secrets);
    return { stored: false, warning: `task "${task.id}" was not cached: ${text}`, withheld: true };
  }
  if (manifestKey(manifest) !== input.key) {
    const changes = before ? diffManifests(before, manifest) : undefined;
    return { stored: false, warning: changedWhileRunning(task.id, changes) };
  }

  // The task may have made the link while it ran.
  const link = outputLinkOf(input.cwd, task.outputs);
  if (link !== undefined) {
    return { stored: false, warning: `task "${task.id}" was not cached: ${outputLinkText(link)}` };
  }
  const leaked = await outputWithSecret(input.cwd, task.outputs, secrets);
  if (leaked !== undefined) {
    return {
      stored: false,
      warning: secretOutputWarning(task.id, leaked, secrets),
      ...(leaked.part === "content" ? {} : { withheld: true as const }),
    };
  }
  let directory: string | undefined;
  let stored: readonly OutputRecord[];
  try {
    const store = await backend;
    directory = store.directory;
    stored = await store.save({
      key: input.key,
      taskId: task.id,
      createdAt: new Date(now()).toISOString(),
      durationMs: input.durationMs,
      manifest,
      stdout: maskSecrets(input.stdout, secrets),
      stderr: maskSecrets(input.stderr, secrets),
      meta: maskMeta(input.meta, secrets),
      runtime: currentStepRuntime(),
    }, { task, cwd: input.cwd, ...(outputs ? { before: outputs } : {}) });
  } catch (error) {
    return { stored: false, warning: saveFailedWarning(task.id, error, directory) };
  }
  const unwritten = unwrittenOutputsWarning(task.id, task.outputs, stored);
  return unwritten === undefined ? { stored: true } : { stored: true, warning: unwritten };
}

/**
 * Returns a warning for a task that declares output patterns but whose run
 * left no file or link that they match, as when the tool writes `build/`
 * while the task declares `dist/**`. Its entry then contains no output file,
 * and a later hit leaves whatever is on disk in the real place. Directories
 * alone do not count as written outputs.
 */
export function unwrittenOutputsWarning(
  taskId: string,
  patterns: readonly string[],
  stored: readonly OutputRecord[],
): string | undefined {
  const positive = patterns.filter((pattern) => !pattern.startsWith("!"));
  if (positive.length === 0 || stored.some((record) => record.kind !== "directory")) {
    return undefined;
  }
  return `task "${taskId}" declares outputs (${
    positive.join(", ")
  }) but its run wrote no file there, so its cache entry contains no output file. Check the patterns against the paths the task writes.`;
}

/**
 * Returns the warning for an entry that could not be written to the store
 * `directory`. The path is named when the error does not name one, and a
 * full disk gets its cause and fix in the same words on every runtime.
 */
export function saveFailedWarning(
  taskId: string,
  error: unknown,
  directory: string | undefined,
): string {
  const message = describe(error);
  const prefix = `task "${taskId}" was not cached: writing its entry`;
  const fullDisk = fullDiskCause(error);
  if (fullDisk !== undefined) {
    const where = directory === undefined ? "" : ` under ${printablePath(directory)}`;
    return `${prefix}${where} failed because ${fullDisk}. Free space on that disk, ` +
      `for example with \`${projectCommand("gc")}\` or \`${
        projectCommand("cache clear")
      }\`, and run the task again.`;
  }
  const where = directory === undefined || message.includes(directory)
    ? ""
    : ` under ${printablePath(directory)}`;
  const stray = directory === undefined ? undefined : strayPath(error, directory);
  const fix = stray === undefined
    ? ""
    : ` Remove ${printablePath(stray)}, which is in the way of the store's directories, ` +
      "and the next run stores the entry.";
  return `${prefix}${where} failed (${message}).${fix}`;
}

/**
 * Returns the file that a failed `mkdir` or `rename` of the store in
 * `directory` found where it needs a directory. It is the nearest existing
 * path, at or above a path the error names or the store's `.tmp`, that is
 * not a directory, and only within the store's root.
 */
function strayPath(error: unknown, directory: string): string | undefined {
  const { code, path, dest } = (error ?? {}) as { code?: unknown; path?: unknown; dest?: unknown };
  if (code !== "EEXIST" && code !== "ENOTDIR") return undefined;
  const root = dirname(directory);
  // Deno's errors may name no path, so the store's own `.tmp` is checked too.
  for (const named of [dest, path, join(directory, ".tmp")]) {
    if (typeof named !== "string") continue;
    for (let at = named; at.startsWith(`${root}${sep}`) || at === root; at = dirname(at)) {
      const stats = lstatOrUndefined(at);
      if (stats === undefined) continue;
      if (!stats.isDirectory()) return at;
      break;
    }
  }
  return undefined;
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
