/**
 * Checks on a task's result before it is stored: secrets masked in its logs
 * and metadata, outputs whose names, link targets or contents contain a secret,
 * and the warning for inputs that changed while it ran.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import { maskSecrets } from "./entry.ts";
import type { ManifestChanges } from "./manifest.ts";
import { listOutputs } from "./outputs.ts";
import { printablePath } from "../printable.ts";
import { containsSecretValue, maskedPath } from "./secret_text.ts";

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

/** An output that contains a secret value, and where: in its path, link target or content. */
export interface SecretOutput {
  readonly path: string;
  readonly part: "name" | "target" | "content";
}

/**
 * Returns the first output whose path, link target or file content contains
 * a secret value, or undefined. Such a task is not cached, because a cache
 * entry (which CI may upload) must never hold a secret. Paths are checked
 * before any content is read.
 */
export async function outputWithSecret(
  cwd: string,
  patterns: readonly string[],
  secrets: readonly string[],
): Promise<SecretOutput | undefined> {
  const values = secrets.filter((secret) => secret !== "");
  if (values.length === 0 || patterns.length === 0) return undefined;
  const outputs = await listOutputs(cwd, patterns);
  const named = outputs.find((entry) => containsSecretValue(entry.path, values));
  if (named !== undefined) return { path: named.path, part: "name" };
  const needles = values.map((secret) => Buffer.from(secret));
  for (const entry of outputs) {
    if (entry.kind === "symlink") {
      const target = await readlink(join(cwd, entry.path));
      if (containsSecretValue(target, values)) return { path: entry.path, part: "target" };
    }
    if (entry.kind !== "file") continue;
    const content = await readFile(join(cwd, entry.path));
    if (needles.some((needle) => content.includes(needle))) {
      return { path: entry.path, part: "content" };
    }
  }
  return undefined;
}

/** Returns the warning for a result not stored because an output contains a secret value. */
export function secretOutputWarning(
  taskId: string,
  output: SecretOutput,
  secrets: readonly string[],
): string {
  const path = maskedPath(output.path, secrets);
  const where = output.part === "name"
    ? `the name of its output ${path} contains`
    : output.part === "target"
    ? `its output ${path} is a link whose target contains`
    : `its output ${path} contains`;
  return `task "${taskId}" was not cached: ${where} a secret value, and cache entries never store secrets.`;
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
