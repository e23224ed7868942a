/** The `github` family of generated files, for `sync list|generate|check`. @module */

import type { SyncProvider } from "../sync/types.ts";
import { checkGithubFiles, generateGithubFiles, type GithubSyncOptions } from "./files.ts";

function pathOptions(options?: Record<string, string | undefined>): GithubSyncOptions {
  return { workflow: options?.workflow, lock: options?.lock };
}

/**
 * The GitHub Actions workflow and its lock. Enabled by `sync.github`;
 * accepts the `workflow` and `lock` path overrides.
 */
export const githubSyncProvider: SyncProvider = {
  name: "github",
  enabled: (loaded) => loaded.pipeline.sync.github !== undefined,
  check: (loaded, options) => checkGithubFiles(loaded, pathOptions(options)),
  generate: (loaded, options) => generateGithubFiles(loaded, pathOptions(options)),
};
