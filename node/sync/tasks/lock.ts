/**
 * `.async-pipeline/tasks.lock.json`: the record of which manifest entries
 * task sync owns. Only entries listed here are ever changed or removed.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { ErrorCode, isPipelineError, PipelineError } from "../../../core/errors.ts";
import { isRecord } from "../../../core/fields.ts";
import type { NormalizedTaskSync } from "../../../core/model.ts";
import type { TaskSyncTarget } from "../../../core/types.ts";
import { VERSION } from "../../../core/version.ts";
import { manifestOf } from "./manifests.ts";
import { parseJsonFile, readOptional } from "./workspace.ts";

/** Lock path relative to the project root. */
export const TASK_SYNC_LOCK_PATH = ".async-pipeline/tasks.lock.json";

/** The entries one manifest received. */
export interface LockedManifest {
  /** Manifest path relative to the project root. */
  readonly path: string;
  readonly field: "scripts" | "tasks";
  /** Entry name to the exact command written. */
  readonly entries: Readonly<Record<string, string>>;
}

/** The lock file's content. */
export interface TaskSyncLock {
  /** Lock format version, raised only when the shape changes incompatibly. */
  readonly schemaVersion: 1;
  readonly generator: { readonly name: "@async/pipeline"; readonly version: string };
  /** Pipeline file relative to the project root. */
  readonly config: string;
  readonly prefix: string;
  readonly runners: readonly string[];
  readonly targets: readonly TaskSyncTarget[];
  readonly manifests: readonly LockedManifest[];
  /** `sha256:` digest of the rendered manifests and entries. */
  readonly hash: string;
}

/** Returns the `sha256:` digest of the rendered entries. */
export function hashManifests(manifests: readonly LockedManifest[]): string {
  return `sha256:${createHash("sha256").update(JSON.stringify(manifests)).digest("hex")}`;
}

/** Renders the lock text with a final newline. The same input renders the same bytes. */
export function renderLock(
  sync: NormalizedTaskSync,
  config: string,
  manifests: readonly LockedManifest[],
): string {
  const lock: TaskSyncLock = {
    schemaVersion: 1,
    generator: { name: "@async/pipeline", version: VERSION },
    config,
    prefix: sync.prefix,
    runners: sync.runners,
    targets: sync.targets,
    manifests,
    hash: hashManifests(manifests),
  };
  return `${JSON.stringify(lock, null, 2)}\n`;
}

/** The lock is generated, so its fix is restoring or deleting it, not an edit by hand. */
const LOCK_HINT = "Restore it from version control. Deleting it releases every entry it lists, " +
  "so the next generate treats them as hand-written.";

function invalidLock(reason: string): PipelineError {
  return new PipelineError(
    ErrorCode.SYNC_FILE_INVALID,
    `${TASK_SYNC_LOCK_PATH} is invalid: ${reason}`,
    { path: TASK_SYNC_LOCK_PATH, hint: LOCK_HINT },
  );
}

function readLockedManifest(value: unknown, index: number): LockedManifest {
  const at = `manifests[${index}]`;
  if (!isRecord(value) || typeof value.path !== "string" || !isRecord(value.entries)) {
    throw invalidLock(`${at} must be { path, field, entries }.`);
  }
  const manifest = manifestOf(value.path);
  const segments = value.path.split("/");
  if (!manifest || value.path.startsWith("/") || segments.includes("..")) {
    throw invalidLock(`${at}.path "${value.path}" is not a manifest inside the project.`);
  }
  if (value.field !== manifest.field) {
    throw invalidLock(`${at}.field must be "${manifest.field}" for ${value.path}.`);
  }
  for (const [name, command] of Object.entries(value.entries)) {
    if (typeof command !== "string") throw invalidLock(`${at}.entries["${name}"] is not a string.`);
  }
  return {
    path: value.path,
    field: manifest.field,
    entries: value.entries as Record<string, string>,
  };
}

/** Reads the lock text and its owned manifests. Both are undefined when there is no lock. */
export async function readTaskSyncLock(
  root: string,
): Promise<{ text?: string; manifests?: LockedManifest[] }> {
  const text = await readOptional(join(root, TASK_SYNC_LOCK_PATH));
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = parseJsonFile(text, TASK_SYNC_LOCK_PATH);
  } catch (error) {
    if (!isPipelineError(error)) throw error;
    throw new PipelineError(error.code, error.message, {
      path: TASK_SYNC_LOCK_PATH,
      hint: LOCK_HINT,
    });
  }
  if (!isRecord(value) || !Array.isArray(value.manifests)) {
    throw invalidLock('it must be an object with a "manifests" array.');
  }
  return { text, manifests: value.manifests.map(readLockedManifest) };
}
