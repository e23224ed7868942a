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
export * from "./github/mod.ts";
