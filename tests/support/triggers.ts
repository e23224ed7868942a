/** Checking one trigger declaration through `definePipeline`, which reports trigger problems. */

import { definePipeline, type PipelineError, type PipelineIssue, sh, task } from "../../mod.ts";

/**
 * Defines a pipeline whose only trigger is `declaration`, under the id `t`,
 * and returns the issues that `definePipeline` reports, or none.
 */
export function triggerIssues(declaration: unknown): readonly PipelineIssue[] {
  try {
    definePipeline({
      name: "app",
      triggers: { t: declaration as never },
      tasks: { build: task({}, sh`true`) },
    });
  } catch (error) {
    return (error as PipelineError).issues;
  }
  return [];
}
