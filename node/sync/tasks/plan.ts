/**
 * The task sync plan: for every manifest, the entries it should contain, how
 * they differ from the file, and the new text. Planning reads files but
 * writes nothing, so `check` and `generate` share it.
 *
 * @module
 */

import { readFile } from "node:fs/promises";
import { dirname, join, posix, relative } from "node:path";
import { ErrorCode, type PipelineIssue } from "../../../core/errors.ts";
import type { NormalizedTaskSync } from "../../../core/model.ts";
import { findPipelineFile, type LoadedPipeline } from "../../load.ts";
import { readObjectField, removeEntry, setEntry } from "./json_edit.ts";
import { type LockedManifest, readTaskSyncLock, renderLock, TASK_SYNC_LOCK_PATH } from "./lock.ts";
import { manifestOf, resolveManifests, type TaskManifest } from "./manifests.ts";
import { type GeneratedEntry, renderEntries } from "./render.ts";
import { readOptional } from "./workspace.ts";

/** A difference between a manifest entry and the entry sync generates. */
export interface EntryChange {
  readonly name: string;
  /**
   * `add` (missing), `update` (owned but different), `remove` (owned but no
   * longer generated) or `conflict` (a hand-written entry already uses the name).
   */
  readonly action: "add" | "update" | "remove" | "conflict";
  /** The generated command. Absent for `remove`. */
  readonly expected?: string;
  /** The value in the file. Absent for `add`. */
  readonly found?: unknown;
}

/** The planned state of one manifest. */
export interface ManifestPlan {
  readonly manifest: TaskManifest;
  /** Entries the manifest should contain, in write order. */
  readonly entries: readonly GeneratedEntry[];
  readonly changes: readonly EntryChange[];
  readonly before: string;
  /** The text after every change except conflicts. */
  readonly after: string;
}

/** The planned state of every file task sync manages. */
export interface TaskSyncPlan {
  /** Absolute project root. */
  readonly root: string;
  readonly manifests: readonly ManifestPlan[];
  readonly lock: {
    readonly path: string;
    readonly before?: string;
    /** Undefined when the lock should be deleted because task sync is off. */
    readonly after?: string;
  };
}

/** Returns the `--config` value for commands run from `dir`, or undefined when not needed. */
async function configArgument(loaded: LoadedPipeline, dir: string): Promise<string | undefined> {
  if (dir === loaded.dir && await findPipelineFile(dir) === loaded.path) return undefined;
  return relative(dir, loaded.path).replaceAll("\\", "/");
}

async function desiredEntries(
  loaded: LoadedPipeline,
  sync: NormalizedTaskSync | undefined,
): Promise<{ manifest: TaskManifest; entries: GeneratedEntry[] }[]> {
  if (!sync) return [];
  const manifests = await resolveManifests(loaded.dir, sync);
  const desired = [];
  for (const manifest of manifests) {
    const config = await configArgument(loaded, dirname(join(loaded.dir, manifest.path)));
    desired.push({ manifest, entries: renderEntries(sync, manifest.kind, config) });
  }
  return desired;
}

/** Compares a manifest's entries with the desired and owned ones and computes the new text. */
function planManifest(
  manifest: TaskManifest,
  text: string,
  entries: readonly GeneratedEntry[],
  owned: Readonly<Record<string, string>>,
): ManifestPlan {
  const current = readObjectField(text, manifest.path, manifest.field);
  const isOwned = (name: string) => Object.hasOwn(owned, name);
  const changes: EntryChange[] = [];

  for (const { name, value } of entries) {
    if (!current.has(name)) changes.push({ name, action: "add", expected: value });
    else if (current.get(name) === value) continue;
    else {
      const action = isOwned(name) ? "update" : "conflict";
      changes.push({ name, action, expected: value, found: current.get(name) });
    }
  }
  const desiredNames = new Set(entries.map((entry) => entry.name));
  for (const name of Object.keys(owned)) {
    if (desiredNames.has(name) || !current.has(name)) continue;
    changes.push({ name, action: "remove", found: current.get(name) });
  }

  let after = text;
  for (const change of changes) {
    if (change.action === "remove") {
      after = removeEntry(after, manifest.path, manifest.field, change.name);
    } else if (change.action !== "conflict") {
      after = setEntry(after, manifest.path, manifest.field, change.name, change.expected!);
    }
  }
  return { manifest, entries, changes, before: text, after };
}

/**
 * Plans task sync for a loaded pipeline. Manifests that an earlier lock lists
 * but the current settings no longer target are planned with no entries, so
 * their owned entries get removed.
 */
export async function planTaskSync(loaded: LoadedPipeline): Promise<TaskSyncPlan> {
  const sync = loaded.pipeline.sync.tasks;
  const lock = await readTaskSyncLock(loaded.dir);
  const desired = await desiredEntries(loaded, sync);

  for (const locked of lock.manifests ?? []) {
    if (desired.some((item) => item.manifest.path === locked.path)) continue;
    desired.push({ manifest: manifestOf(locked.path) as TaskManifest, entries: [] });
  }

  const manifests: ManifestPlan[] = [];
  for (const { manifest, entries } of desired) {
    const owned = lock.manifests?.find((locked) => locked.path === manifest.path)?.entries ?? {};
    const text = entries.length > 0
      ? await readFile(join(loaded.dir, manifest.path), "utf8")
      : await readOptional(join(loaded.dir, manifest.path));
    if (text === undefined) continue;
    manifests.push(planManifest(manifest, text, entries, owned));
  }

  const config = relative(loaded.dir, loaded.path).replaceAll("\\", "/");
  const locked: LockedManifest[] = manifests
    .filter((plan) => plan.entries.length > 0)
    .map(({ manifest, entries }) => ({
      path: manifest.path,
      field: manifest.field,
      entries: Object.fromEntries(entries.map((entry) => [entry.name, entry.value])),
    }));
  return {
    root: loaded.dir,
    manifests,
    lock: {
      path: TASK_SYNC_LOCK_PATH,
      before: lock.text,
      after: sync ? renderLock(sync, posix.normalize(config), locked) : undefined,
    },
  };
}

/** Returns one issue per entry that a hand-written entry blocks. */
export function conflictIssues(plan: TaskSyncPlan): PipelineIssue[] {
  return plan.manifests.flatMap(({ manifest, changes }) =>
    changes
      .filter((change) => change.action === "conflict")
      .map((change) => ({
        code: ErrorCode.SYNC_CONFLICT,
        path: manifest.path,
        message: `${manifest.field}["${change.name}"] already exists with ${
          JSON.stringify(change.found)
        } and was not written by task sync, so it is not overwritten.`,
        hint: "Nothing was written. Rename or delete that entry, or change sync.tasks.prefix.",
      }))
  );
}
