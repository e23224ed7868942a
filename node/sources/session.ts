/**
 * The sources of one run: resolved and composed before the run's checks,
 * then asked by each source task for its directory, its context, what its
 * cache key covers of the source, and its prepare steps.
 *
 * @module
 */

import { didYouMean, ErrorCode, PipelineError, type PipelineIssue } from "../../core/errors.ts";
import type { NormalizedTask, Pipeline } from "../../core/model.ts";
import { readCandidate } from "../runner/candidate.ts";
import type { SourceKeyInput } from "../cache_seam.ts";
import type { RunPlan } from "../runner/plan.ts";
import type { PreparedRun } from "../runner/prepare.ts";
import type { RunState } from "../runner/state.ts";
import type { ExecutionSourceRecord, ProcessEnv } from "../types.ts";
import { composeSources } from "./compose.ts";
import { type RenderedPrepareSteps, renderPrepareSteps, runPrepare } from "./prepare.ts";
import {
  releaseSources,
  type ResolveContext,
  type ResolvedSource,
  resolveSources,
} from "./resolve.ts";

/** The resolved sources of a run. */
export class RunSources {
  readonly #sources: ReadonlyMap<string, ResolvedSource>;
  #rendered: RenderedPrepareSteps = new Map();
  readonly #prepared = new Map<string, Promise<void>>();
  readonly #contentKeys = new Map<string, Promise<string>>();

  constructor(sources: readonly ResolvedSource[]) {
    this.#sources = new Map(sources.map((source) => [source.id, source]));
  }

  /** Returns the source of a namespaced task, or undefined for a root task. */
  of(task: NormalizedTask): ResolvedSource | undefined {
    return task.source === undefined ? undefined : this.#sources.get(task.source);
  }

  /** Returns the `sources` field of the execution record. Entries change as sources prepare. */
  records(): Record<string, ExecutionSourceRecord> {
    return Object.fromEntries([...this.#sources].map(([id, source]) => [id, source.record]));
  }

  /**
   * Renders the static prepare steps with the run env. Returns every
   * unresolved secret or variable, and the secret values to mask.
   */
  render(env: ProcessEnv): { issues: PipelineIssue[]; secretValues: string[] } {
    const { rendered, issues, secretValues } = renderPrepareSteps([...this.#sources.values()], env);
    this.#rendered = rendered;
    return { issues, secretValues };
  }

  /**
   * Returns what a source task's cache key covers of its source: the
   * source's commit (git) or content digest (path). When the source has
   * prepare steps, it also covers them and the candidate's fingerprint,
   * because prepare steps may install the candidate into the source.
   */
  async keyInput(
    state: Pick<RunState, "env" | "candidate">,
    task: NormalizedTask,
  ): Promise<SourceKeyInput | undefined> {
    const source = this.of(task);
    if (source === undefined) return undefined;
    const { type, prepare } = source.declaration;
    const where = type === "git"
      ? { commit: source.record.commit }
      : { content: await this.#content(source, state.env) };
    if (prepare.length === 0) return { id: source.id, type, ...where, prepare: [] };
    const rendered = this.#rendered.get(source.id);
    return {
      id: source.id,
      type,
      ...where,
      prepare: prepare.map((step, index) =>
        step.kind === "shell" ? rendered?.get(index)?.keyText ?? "" : "deferred"
      ),
      candidate: (await state.candidate()).fingerprint,
    };
  }

  /**
   * Digests a path source's files once per run. A run's source tasks run the
   * prepare steps before their lookup, so the digest covers what they changed.
   */
  #content(source: ResolvedSource, env: ProcessEnv): Promise<string> {
    let key = this.#contentKeys.get(source.id);
    if (key === undefined) {
      key = readCandidate(source.dir, env).then((candidate) => candidate.fingerprint);
      this.#contentKeys.set(source.id, key);
    }
    return key;
  }

  /**
   * Returns true when another task already started the prepare steps of
   * `task`'s source, so `prepare` would only wait for them.
   */
  preparing(task: NormalizedTask): boolean {
    const source = this.of(task);
    return source !== undefined && this.#prepared.has(source.id);
  }

  /** Runs the prepare steps of `task`'s source, once per run. Resolves at once for root tasks. */
  prepare(state: RunState, task: NormalizedTask): Promise<void> {
    const source = this.of(task);
    if (source === undefined || source.declaration.prepare.length === 0) return Promise.resolve();
    let prepared = this.#prepared.get(source.id);
    if (prepared === undefined) {
      const rendered = this.#rendered.get(source.id) ?? new Map();
      prepared = runPrepare({ state, source, rendered, task });
      this.#prepared.set(source.id, prepared);
    }
    return prepared;
  }

  /** Records the state of each git checkout for the next run. */
  release(runId: string, env: ProcessEnv): Promise<void> {
    return releaseSources([...this.#sources.values()], runId, env);
  }
}

/** Adds the checks of the sources' static prepare steps to the run's checks. */
export function withSourceChecks(
  prepared: PreparedRun,
  sources: RunSources | undefined,
): PreparedRun {
  if (sources === undefined) return prepared;
  const rendered = sources.render(prepared.env);
  return {
    ...prepared,
    issues: [...prepared.issues, ...rendered.issues],
    secretValues: [...new Set([...prepared.secretValues, ...rendered.secretValues])],
  };
}

/** A run's pipeline and plan with its sources composed in. */
export interface OpenedSources {
  readonly pipeline: Pipeline;
  readonly plan: RunPlan;
  readonly sources: RunSources;
}

/**
 * Resolves the sources `plan` needs, composes their tasks into `pipeline`
 * and plans again with `replan`. Returns undefined when the plan needs no
 * source. Git checkouts stay marked in use until `sources.release(...)`.
 */
export async function openRunSources(
  pipeline: Pipeline,
  plan: RunPlan,
  context: ResolveContext & { readonly replan: Replan },
): Promise<OpenedSources | undefined> {
  if (plan.sourceIds.length === 0) return undefined;
  const resolved = await resolveSources(pipeline, plan.sourceIds, context);
  const sources = new RunSources(resolved);
  try {
    return { ...composeRunSources(pipeline, plan.jobId, resolved, context.replan), sources };
  } catch (error) {
    await sources.release(context.runId, context.env);
    throw error;
  }
}

/** Function that plans the composed pipeline as the run planned the root one. */
export type Replan = (pipeline: Pipeline) => RunPlan;

/**
 * Composes the tasks of `resolved` into `pipeline` and plans `jobId` again
 * with `replan`, as a run does once its sources are resolved.
 *
 * @throws {PipelineError} `ASYNC_PIPELINE_UNKNOWN_TASK` when the plan still
 * names a source task that its source does not have.
 */
export function composeRunSources(
  pipeline: Pipeline,
  jobId: string,
  resolved: readonly ResolvedSource[],
  replan: Replan,
): { pipeline: Pipeline; plan: RunPlan } {
  const composed = composeSources(
    pipeline,
    Object.fromEntries(resolved.map((source) => [source.id, source.pipeline])),
  );
  const full = replan(composed);
  if (full.sourceIds.length > 0) throw unknownSourceTask(composed, jobId);
  return { pipeline: composed, plan: full };
}

/** Builds the error for `run-task <source>:<task>` naming a task its source does not have. */
function unknownSourceTask(composed: Pipeline, jobId: string): PipelineError {
  const taskId = jobId.replace(/^task:/, "");
  const sourceId = taskId.split(":")[0];
  const known = Object.keys(composed.tasks).filter((id) => id.startsWith(`${sourceId}:`));
  return new PipelineError(ErrorCode.UNKNOWN_TASK, `Unknown task "${taskId}".`, {
    hint: didYouMean(taskId, known) || `Tasks of source "${sourceId}": ${known.join(", ")}.`,
  });
}
