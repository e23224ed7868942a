/** The cache lookup input of a task, shared by real runs and dry runs. @module */

import type { NormalizedTask } from "../../core/model.ts";
import type { CacheLookupInput, SourceKeyInput } from "../cache_seam.ts";
import type { CommandExecutor } from "../types.ts";
import type { RunState } from "./state.ts";
import type { PreparedStep } from "./steps.ts";

/** Name of the executor that runs steps on the host, whose keys have no executor part. */
const HOST_EXECUTOR = "host";

/**
 * The parts of a run's state that a task's cache key reads. Without an
 * executor, the key is the one of a run on the host.
 */
export type KeyState =
  & Pick<RunState, "projectDir" | "env" | "envKeys" | "secretValues" | "fingerprints" | "force">
  & { readonly executor?: Pick<CommandExecutor, "name"> };

/**
 * Builds what the cache needs to compute the key of `task`. A dependency
 * without a fingerprint (one that did not run) enters as an empty string.
 * `cwd` is the task's directory (a source task runs in its source), and
 * `source` is what the key covers of a source task's source.
 */
export function cacheLookupInput(
  state: KeyState,
  task: NormalizedTask,
  steps: readonly PreparedStep[],
  options: { cwd?: string; source?: SourceKeyInput } = {},
): CacheLookupInput {
  // NOTE: a function step contributes only its source text; values it captures from its module
  // are not in the key.
  const stepTexts = steps.map((step) => step.kind === "shell" ? step.keyText : step.code);
  const executor = state.executor?.name;
  const input: CacheLookupInput = {
    task,
    cwd: options.cwd ?? state.projectDir,
    env: state.env,
    envKeys: state.envKeys,
    secretValues: state.secretValues,
    dependencyFingerprints: Object.fromEntries(
      task.dependsOn.map((id) => [id, state.fingerprints.get(id) ?? ""]),
    ),
    stepTexts,
    force: state.force,
    // Results of a recording or sandbox run are kept apart from those of the host.
    ...(executor !== undefined && executor !== HOST_EXECUTOR ? { executor } : {}),
  };
  return options.source === undefined ? input : { ...input, source: options.source };
}
