/**
 * Storing a task's result after it ran: the checks that keep the result out
 * of the cache, the masking of secrets in its logs and metadata, and the
 * write to the store.
 *
 * @module
 */

import type { CacheSaveInput } from "../cache_seam.ts";
import type { CacheBackend } from "./backend.ts";
import { maskSecrets } from "./entry.ts";
import { describe } from "./find_entry.ts";
import { secretInputName } from "./secret_text.ts";
import { diffManifests, type KeyManifest, manifestKey } from "./manifest.ts";
import {
  changedWhileRunning,
  maskMeta,
  outputWithSecret,
  secretOutputWarning,
} from "./save_checks.ts";

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
 * `before` is the manifest its lookup built. Stores nothing, and returns a
 * warning, when an input changed while the task ran, an output
 * holds a secret value (in its path, link target or content), or writing
 * the entry fails.
 */
export async function saveResult(
  backend: Promise<CacheBackend>,
  input: CacheSaveInput,
  manifest: KeyManifest | { withheld: string },
  before: KeyManifest | undefined,
  now: () => number,
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

  const leaked = await outputWithSecret(input.cwd, task.outputs, secrets);
  if (leaked !== undefined) {
    return {
      stored: false,
      warning: secretOutputWarning(task.id, leaked, secrets),
      ...(leaked.part === "content" ? {} : { withheld: true as const }),
    };
  }
  try {
    await (await backend).save({
      key: input.key,
      taskId: task.id,
      createdAt: new Date(now()).toISOString(),
      durationMs: input.durationMs,
      manifest,
      stdout: maskSecrets(input.stdout, secrets),
      stderr: maskSecrets(input.stderr, secrets),
      meta: maskMeta(input.meta, secrets),
    }, { task, cwd: input.cwd });
  } catch (error) {
    return {
      stored: false,
      warning: `task "${task.id}" was not cached: writing its entry failed (${describe(error)}).`,
    };
  }
  return { stored: true };
}
