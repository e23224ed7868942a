/** Run state shared by every task of the run. @module */

import type { CommandPolicy } from "../../core/commands.ts";
import type { CandidateContext } from "../../core/context.ts";
import type { Pipeline } from "../../core/model.ts";
import type { TaskCacheHooks } from "../cache_seam.ts";
import type { RenderedShell } from "../env.ts";
import type { RunRecordStore } from "../records.ts";
import type { RunSources } from "../sources/session.ts";
import type { Redactor } from "../redact.ts";
import type { CommandExecutor, GovernedCommandRunner, ProcessEnv } from "../types.ts";
import type { RunEventListener } from "./events.ts";
import type { LiveTasks } from "./live_tasks.ts";

/** State of one run, shared by its tasks. */
export interface RunState {
  readonly runId: string;
  /** Root pipeline directory, where root tasks run. */
  readonly projectDir: string;
  readonly pipeline: Pipeline;
  readonly executor: CommandExecutor;
  /** Masks every secret value known to the run. Deferred steps may add more. */
  readonly redactor: Redactor;
  readonly store: RunRecordStore;
  /** The run's process env with the resolved job env applied: the env of every step. */
  readonly env: Readonly<ProcessEnv>;
  /** Keys of the declared pipeline and job env. */
  readonly envKeys: readonly string[];
  /** Declared env keys and the variables their values read, which a sandbox receives. */
  readonly declaredEnv: readonly string[];
  /** Every secret value of the run, for cache keys that must digest them. */
  readonly secretValues: string[];
  /** Per-stream output cap in bytes, 0 for none. */
  readonly maxLogBytes: number;
  readonly emit: RunEventListener;
  /** Aborted when the run is interrupted. */
  readonly signal: AbortSignal;
  /**
   * Aborted, with the task's id as the reason, once a task of the run failed.
   * From then on no task starts another attempt.
   */
  readonly failed: AbortController;
  readonly cache?: TaskCacheHooks;
  readonly force: boolean;
  readonly echo: boolean;
  /** Candidate context, computed on first use. */
  readonly candidate: () => Promise<CandidateContext>;
  /** Runs `ctx.command(...)` through the run's command policy. */
  readonly commandRunner: GovernedCommandRunner;
  readonly commandPolicy?: CommandPolicy;
  /** Plain shell steps rendered before the first command, by task id and step index. */
  readonly renderedShells: ReadonlyMap<string, ReadonlyMap<number, RenderedShell>>;
  /** Cache fingerprints of finished tasks, which their dependents' keys include. */
  readonly fingerprints: Map<string, string>;
  /** Tasks that started and have not stored their logs, for the exit hook. */
  readonly live?: LiveTasks;
  /** Sources whose tasks the run includes; absent when it has none. */
  readonly sources?: RunSources;
}
