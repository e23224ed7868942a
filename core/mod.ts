/**
 * Pure pipeline definitions, normalization, validation and metadata. Nothing
 * in this module touches the disk or spawns a process.
 *
 * @module
 */

export { definePipeline } from "./pipeline.ts";
export { normalizePipeline, PIPELINE_FIELDS } from "./normalize.ts";
export { applyTaskDefaults, TASK_FIELDS } from "./normalize_task.ts";
export { IGNORED_DIRECTORIES } from "./normalize_patterns.ts";
export { DEFAULT_GITHUB_LOCK_PATH, DEFAULT_WORKFLOW_PATH, JOB_FIELDS } from "./normalize_job.ts";
export { dependsOn, isJobDefinition, isTaskDefinition, job, task } from "./task.ts";
export { env, isEnvValue, isSecretRef, isVarRef } from "./env.ts";
export type { EnvValue, SecretRef, VarOptions, VarRef } from "./env.ts";
export { isDeferredShell, isShellCommand, sh, shellQuote, toShellCommand } from "./sh.ts";
export type {
  DeferredShell,
  DeferredShellContext,
  RawShell,
  ShellCommand,
  ShellPart,
  ShellValue,
} from "./sh.ts";
export { GITHUB_EVENTS, isTrigger, trigger } from "./triggers.ts";
export type {
  CronTrigger,
  GithubEvent,
  GithubTrigger,
  ManualTrigger,
  Trigger,
} from "./triggers.ts";
export {
  BUILT_IN_STORES,
  cache,
  DEFAULT_FILE_CACHE_ROOT,
  defineCache,
  fileCache,
  isCacheRegistry,
  isCacheStore,
  memoryCache,
  redisCache,
  resolveCacheRef,
} from "./cache.ts";
export type {
  CacheDirective,
  CacheRegistry,
  CacheStore,
  FileCacheStore,
  MemoryCacheStore,
  RedisCacheStore,
  StoreOptions,
} from "./cache.ts";
export { isSource, source } from "./sources.ts";
export type { GitSource, PathSource, PrepareStep, Source } from "./sources.ts";
export { isSandbox, sandbox } from "./sandbox.ts";
export type { DockerSandbox, LimaSandbox, SandboxDefinition, SandboxId } from "./sandbox.ts";
export { command, isCommandPolicy, matchCommand } from "./commands.ts";
export type {
  AllowAction,
  CommandAction,
  CommandOutputOptions,
  CommandPolicy,
  CommandRule,
  DenyAction,
  MockAction,
  RequireEnvironmentAction,
} from "./commands.ts";
export { parseDuration } from "./duration.ts";
export { validateCron } from "./cron.ts";
export {
  didYouMean,
  ErrorCode,
  formatIssue,
  isPipelineError,
  PipelineError,
  suggest,
} from "./errors.ts";
export type { PipelineErrorOptions, PipelineIssue } from "./errors.ts";
export { dependencyClosure, findCycle, findCycles, topologicalOrder } from "./graph.ts";
export type { GraphNode } from "./graph.ts";
export { isPipeline } from "./model.ts";
export type {
  DirectiveInfo,
  NormalizedGithubSync,
  NormalizedJob,
  NormalizedStep,
  NormalizedTask,
  NormalizedTaskCache,
  NormalizedTaskSync,
  NormalizeWarning,
  Pipeline,
} from "./model.ts";
export { envMetadata, pipelineMetadata, stepMetadata, taskMetadata } from "./metadata.ts";
export type { EnvMetadata, StepMetadata } from "./metadata.ts";
export type {
  CandidateContext,
  CommandResult,
  GitFacts,
  SourceContext,
  TaskContext,
} from "./context.ts";
export type {
  DependsOnDirective,
  Directive,
  FunctionStep,
  GithubSyncConfig,
  JobConfig,
  JobDefinition,
  JobEnvironment,
  JobGithubConfig,
  PermissionLevel,
  PipelineConfig,
  RetryOptions,
  Step,
  SyncConfig,
  TaskCacheOptions,
  TaskConfig,
  TaskDefaults,
  TaskDefinition,
  TaskRequires,
  TaskRun,
  TaskSyncConfig,
  TaskSyncTarget,
} from "./types.ts";
