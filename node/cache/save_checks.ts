/**
 * Checks on a task's result before it is stored: secrets masked in its logs
 * and metadata, outputs that contain a secret, and the warning for inputs
 * that changed while it ran.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { maskSecrets } from "./entry.ts";
import type { ManifestChanges } from "./manifest.ts";
import { listOutputs } from "./outputs.ts";
import { printablePath } from "../printable.ts";

/** Masks secrets in every string and key of task metadata, leaving its structure intact. */
export function maskMeta(
  meta: Record<string, unknown>,
  secrets: readonly string[],
): Record<string, unknown> {
  const mask = (value: unknown): unknown => {
    if (typeof value === "string") return maskSecrets(value, secrets);
    if (Array.isArray(value)) return value.map(mask);
    if (typeof value !== "object" || value === null) return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, entry]) => [maskSecrets(key, secrets), mask(entry)]),
    );
  };
  return mask(meta) as Record<string, unknown>;
}

/**
 * Returns the first output file whose content contains a secret value, or
 * undefined. Such a task is not cached, because a cache entry (which CI may
 * upload) must never hold a secret.
 */
export async function outputWithSecret(
  cwd: string,
  patterns: readonly string[],
  secrets: readonly string[],
): Promise<string | undefined> {
  const needles = secrets.filter((secret) => secret !== "").map((secret) => Buffer.from(secret));
  if (needles.length === 0 || patterns.length === 0) return undefined;
  for (const entry of await listOutputs(cwd, patterns)) {
    if (entry.kind !== "file") continue;
    const content = await readFile(join(cwd, entry.path));
    if (needles.some((needle) => content.includes(needle))) return entry.path;
  }
  return undefined;
}

/** Returns the warning for a result not stored because its inputs changed while the task ran. */
export function changedWhileRunning(taskId: string, changes: ManifestChanges | undefined): string {
  const paths = changes
    ? [...changes.inputs.changed, ...changes.inputs.added, ...changes.inputs.removed]
    : [];
  const listed = paths.slice(0, 5).map(printablePath).join(", ");
  const more = paths.length > 5 ? ` and ${paths.length - 5} more` : "";
  const detail = paths.length > 0 ? ` (${listed}${more})` : "";
  return `inputs of task "${taskId}" changed while it ran${detail}, so its result was not cached.`;
}
