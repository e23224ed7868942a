/** Collecting the secret values a pipeline would read from an environment. @module */

import { isSecretRef } from "../../core/env.ts";
import type { Pipeline } from "../../core/model.ts";
import type { ProcessEnv } from "../types.ts";

/**
 * Returns the values in `env` that come from the pipeline's `env.secret(...)`
 * declarations, under the secret's source name or its destination key, so
 * they can be masked in output and records.
 */
export function pipelineSecretValues(pipeline: Pipeline, env: ProcessEnv): string[] {
  const values = new Set<string>();
  const maps = [pipeline.env, ...Object.values(pipeline.jobs).map((job) => job.env)];
  for (const map of maps) {
    for (const [key, value] of Object.entries(map)) {
      if (!isSecretRef(value)) continue;
      for (const name of [value.name, key]) {
        const found = env[name];
        if (found !== undefined && found !== "") values.add(found);
      }
    }
  }
  return [...values];
}
