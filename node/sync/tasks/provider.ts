/**
 * The `tasks` sync provider: keeps package.json scripts and deno.json(c)
 * tasks in step with the pipeline's jobs.
 *
 * @module
 */

import { existsSync } from "node:fs";
import { join } from "node:path";
import { ErrorCode, PipelineError } from "../../../core/errors.ts";
import type { LoadedPipeline } from "../../load.ts";
import type { SyncFileStatus, SyncProvider } from "../types.ts";
import { TASK_SYNC_LOCK_PATH } from "./lock.ts";
import { conflictIssues, type EntryChange, planTaskSync, type TaskSyncPlan } from "./plan.ts";
import { removeFileAndEmptyDir, writeGeneratedFile } from "./write.ts";

/** Describes one entry's drift, naming the manifest field and key. */
export function describeChange(field: string, change: EntryChange): string {
  const key = `${field}[${JSON.stringify(change.name)}]`;
  const expected = JSON.stringify(change.expected);
  const found = JSON.stringify(change.found);
  switch (change.action) {
    case "add":
      return `${key} is missing; expected ${expected}`;
    case "update":
      return `${key} is ${found}; expected ${expected}`;
    case "remove":
      return `${key} is no longer generated; generate removes it`;
    case "conflict":
      return `${key} is a hand-written entry (${found}); generate will not overwrite it`;
  }
}

/** Returns the state of every manifest and of the lock. */
export function taskSyncStatuses(plan: TaskSyncPlan): SyncFileStatus[] {
  const statuses: SyncFileStatus[] = plan.manifests.map(({ manifest, changes }) =>
    changes.length === 0 ? { path: manifest.path, state: "current" } : {
      path: manifest.path,
      state: "stale",
      diff: changes.map((change) => `- ${describeChange(manifest.field, change)}`).join("\n"),
    }
  );

  const { path, before, after } = plan.lock;
  if (after === undefined) {
    if (before !== undefined) {
      statuses.push({
        path,
        state: "stale",
        diff: "- sync.tasks is off; generate deletes the lock",
      });
    }
  } else if (before === undefined) statuses.push({ path, state: "missing" });
  else if (before !== after) {
    statuses.push({
      path,
      state: "stale",
      diff: "- the lock does not match the generated entries",
    });
  } else statuses.push({ path, state: "current" });
  return statuses;
}

/**
 * Writes a plan: every changed manifest, then the lock. Throws
 * `ASYNC_PIPELINE_SYNC_CONFLICT` before writing anything when a hand-written
 * entry already uses a generated name. Returns the paths that changed.
 */
export async function applyTaskSyncPlan(plan: TaskSyncPlan): Promise<string[]> {
  const conflicts = conflictIssues(plan);
  if (conflicts.length > 0) {
    const [first] = conflicts;
    const message = conflicts.length === 1
      ? `${first.path}: ${first.message}`
      : `${conflicts.length} generated entries would overwrite hand-written ones.`;
    throw new PipelineError(ErrorCode.SYNC_CONFLICT, message, {
      path: first.path,
      hint: first.hint,
      issues: conflicts,
    });
  }

  const changed: string[] = [];
  for (const { manifest, before, after } of plan.manifests) {
    if (after === before) continue;
    await writeGeneratedFile(join(plan.root, manifest.path), after);
    changed.push(manifest.path);
  }

  const lockFile = join(plan.root, plan.lock.path);
  if (plan.lock.after === undefined) {
    if (plan.lock.before !== undefined) {
      await removeFileAndEmptyDir(lockFile);
      changed.push(plan.lock.path);
    }
  } else if (plan.lock.after !== plan.lock.before) {
    await writeGeneratedFile(lockFile, plan.lock.after);
    changed.push(plan.lock.path);
  }
  return changed;
}

/** The `tasks` family of `sync list|generate|check`. */
export const taskSyncProvider: SyncProvider = {
  name: "tasks",
  enabled(loaded: LoadedPipeline): boolean {
    // A lock left by an earlier configuration still owns entries that generate must remove.
    return loaded.pipeline.sync.tasks !== undefined ||
      existsSync(join(loaded.dir, TASK_SYNC_LOCK_PATH));
  },
  async check(loaded: LoadedPipeline): Promise<SyncFileStatus[]> {
    return taskSyncStatuses(await planTaskSync(loaded));
  },
  async generate(loaded: LoadedPipeline): Promise<string[]> {
    return await applyTaskSyncPlan(await planTaskSync(loaded));
  },
};
