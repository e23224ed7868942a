/**
 * GitHub Actions: workflow generation, the drift check, and running the jobs
 * an event selects.
 *
 * @module
 */

export { CACHE, CHECKOUT, PNPM_SETUP, SETUP_NODE } from "./actions.ts";
export type { PinnedAction } from "./actions.ts";
export { readGithubEvent } from "./event_context.ts";
export type { GithubEventContext } from "./event_context.ts";
export { checkGithubFiles, generateGithubFiles, renderGithubFiles } from "./files.ts";
export type { GithubFiles, GithubSyncOptions, RenderedFile } from "./files.ts";
export type { GithubLock } from "./lock.ts";
export { detectPackageManager } from "./package_manager.ts";
export type { PackageManager, PackageManagerName } from "./package_manager.ts";
export { githubSyncProvider } from "./provider.ts";
export { runGithubJobs } from "./run.ts";
export type { GithubJobResult, GithubJobsOptions, JobRunner } from "./run.ts";
export { describeEvent, selectJobs } from "./select.ts";
export type { JobChoice, JobSelection, SelectOptions } from "./select.ts";
export { renderWorkflow } from "./workflow.ts";
export type { WorkflowSettings } from "./workflow.ts";
