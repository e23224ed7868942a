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
export type { LoadedPipeline, LoadPipelineOptions } from "./load.ts";
export * from "./github/mod.ts";
export { DockerCommandExecutor } from "./sandbox/docker.ts";
export type { DockerExecutorOptions } from "./sandbox/docker.ts";
export { LimaCommandExecutor } from "./lima/executor.ts";
export type { LimaExecutorOptions } from "./lima/executor.ts";
export { resolveSandbox } from "./sandbox/resolve.ts";
export { HOST_ONLY_PREFIXES, HOST_ONLY_VARIABLES, sandboxEnvNames } from "./sandbox/env.ts";
export { decideCommand, ENVIRONMENT_VARIABLE } from "./commands/policy.ts";
export type { CommandDecision } from "./commands/policy.ts";
export { createGovernedCommandRunner } from "./commands/runner.ts";
export type { GovernedCommandRunnerOptions } from "./commands/runner.ts";
export { pipelineSecretValues } from "./commands/secrets.ts";
export { collectDoctorReport } from "./doctor/report.ts";
export type {
  DoctorAction,
  DoctorOptions,
  DoctorReport,
  GeneratedFileStatus,
  ToolStatus,
} from "./doctor/report.ts";
export type { LockStatus, RunningRun } from "./doctor/runs.ts";
export { taskSyncProvider } from "./sync/tasks/provider.ts";
export { planTaskSync } from "./sync/tasks/plan.ts";
export type { EntryChange, ManifestPlan, TaskSyncPlan } from "./sync/tasks/plan.ts";
export { TASK_SYNC_LOCK_PATH } from "./sync/tasks/lock.ts";
export type { TaskSyncLock } from "./sync/tasks/lock.ts";
export { runJob } from "./runner/run_job.ts";
export type { PipelineInput } from "./runner/run_job.ts";
export { planJob } from "./runner/dry_run.ts";
export type { JobPlan, PlannedEnv, PlannedTask, PlanOptions } from "./runner/dry_run.ts";
export { findRecordedTask, listRunIds, readExecutionRecord } from "./run_history.ts";
export type { RecordedTask } from "./run_history.ts";
export type { RunEvent, RunEventListener } from "./runner/events.ts";
export { HostCommandExecutor } from "./executor/host.ts";
export type { HostExecutorOptions } from "./executor/host.ts";
export { RecordingExecutor } from "./executor/recording.ts";
export type {
  RecordedCommand,
  RecordingExecutorOptions,
  ScriptedResult,
} from "./executor/recording.ts";
export { SCHEMA_VERSION } from "./types.ts";
export type {
  AttemptRecord,
  CacheChanges,
  CacheMissReason,
  CommandExecutor,
  CommandRecord,
  ExecutionRecord,
  ExecutionSourceRecord,
  GovernedCommandRunner,
  PipelineCommands,
  ProcessEnv,
  RunOptions,
  ShellRunOptions,
  SourceChanges,
  TaskResult,
  TaskStatus,
} from "./types.ts";
export {
  clearCache,
  createTaskCache,
  DEFAULT_CACHE_DAYS,
  DEFAULT_KEEP_RUNS,
  fileStoreRoots,
  gc,
} from "./cache/mod.ts";
export type {
  ClearResult,
  EntryResult,
  GcOptions,
  GcResult,
  KeyManifest,
  ManifestChanges,
  OutputRecord,
  OutputsManifest,
  TaskCacheOptions,
} from "./cache/mod.ts";
