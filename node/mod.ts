/**
 * Everything that touches processes and disk: loading pipeline files,
 * running jobs, caches, records, sources and sandboxes.
 *
 * @module
 */

export {
  findPipelineFile,
  loadPipeline,
  PIPELINE_FILE_NAMES,
  pipelineFromModule,
  setModuleImporter,
} from "./load.ts";
export type { LoadedPipeline } from "./load.ts";
export { taskSyncProvider } from "./sync/tasks/provider.ts";
export { planTaskSync } from "./sync/tasks/plan.ts";
export type { EntryChange, ManifestPlan, TaskSyncPlan } from "./sync/tasks/plan.ts";
export { TASK_SYNC_LOCK_PATH } from "./sync/tasks/lock.ts";
export type { TaskSyncLock } from "./sync/tasks/lock.ts";
