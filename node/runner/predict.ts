/**
 * Predicting one task of a dry run. The key is computed as the run computes
 * it, from read-only cache lookups. An earlier task can still change what a
 * later task's key depends on: a restore or a run that writes its inputs,
 * or a dependency whose fingerprint is new in every run. Those cases are
 * tracked, so each prediction states whether it is certain.
 *
 * @module
 */

import type { CandidateContext } from "../../core/context.ts";
import { ErrorCode, isPipelineError } from "../../core/errors.ts";
import type { NormalizedTask } from "../../core/model.ts";
import type { RestoreChange } from "../cache/backend.ts";
import type { CachePrediction, PredictingTaskCache } from "../cache/task_cache.ts";
import { SECRET_KEY_PATH } from "../cache/paths.ts";
import { cacheLookupInput, type KeyState } from "./cache_input.ts";
import type { PlannedTask } from "./dry_run.ts";
import { taskDir } from "./context.ts";
import { changesInputs, type DiskEffect } from "./plan_overlap.ts";
import { needsCandidate, type PreparedStep, prepareSteps, type StepState } from "./steps.ts";
import { printableErrorMessage } from "../printable.ts";

/** The facts a dry run keeps about a predicted task, for the tasks after it. */
export interface Predicted {
  readonly planned: PlannedTask;
  /** The task's effect on the disk before its dependents start. */
  readonly effect: DiskEffect;
  /** True when the run will use the fingerprint computed here. */
  readonly keyKnown: boolean;
  /** True when the task's fingerprint in the run matches no stored entry, so dependents miss. */
  readonly freshFingerprint: boolean;
  /** True when the task would fail or be skipped, so its dependents would not start. */
  readonly stops: boolean;
}

/** The state a dry run shares between its task predictions. */
export interface PredictionContext {
  readonly state: KeyState & StepState;
  readonly cache: PredictingTaskCache;
  readonly candidate: () => Promise<CandidateContext>;
  /** Tasks predicted so far, in execution order. */
  readonly predicted: Map<string, Predicted>;
  /**
   * Reasons the tasks of a source may see another commit or other files in
   * the run, by source id: the run fetches, moves or prepares it first.
   */
  readonly unsettledSources?: ReadonlyMap<string, readonly string[]>;
}

type BasePlan = Pick<PlannedTask, "id" | "dependsOn" | "source">;

function quoted(ids: readonly string[]): string {
  return ids.map((id) => `"${id}"`).join(", ");
}

function dependencies(ids: readonly string[]): string {
  return `${ids.length === 1 ? "dependency" : "dependencies"} ${quoted(ids)}`;
}

/** Returns the ids of every task that `dependsOn` waits for, directly or not. */
function upstreamOf(context: PredictionContext, dependsOn: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (ids: readonly string[]) => {
    for (const id of ids) {
      const predicted = context.predicted.get(id);
      if (predicted === undefined || seen.has(id)) continue;
      seen.add(id);
      visit(predicted.planned.dependsOn);
    }
  };
  visit(dependsOn);
  return [...context.predicted.keys()].filter((id) => seen.has(id));
}

function remember(context: PredictionContext, predicted: Predicted): PlannedTask {
  context.predicted.set(predicted.planned.id, predicted);
  return predicted.planned;
}

function stopped(base: BasePlan, extra: Partial<PlannedTask>): Predicted {
  return {
    planned: { ...base, cacheHit: false, certain: true, ...extra },
    effect: { kind: "none" },
    keyKnown: false,
    freshFingerprint: false,
    stops: true,
  };
}

/**
 * Predicts what the run would do with `task` and records it in
 * `context.predicted`. Tasks must come in execution order.
 */
export async function predictTask(
  context: PredictionContext,
  task: NormalizedTask,
): Promise<PlannedTask> {
  const base: BasePlan = {
    id: task.id,
    dependsOn: [...task.dependsOn],
    ...(task.source !== undefined ? { source: task.source } : {}),
  };
  const upstream = upstreamOf(context, task.dependsOn);
  const blocker = upstream.find((id) => context.predicted.get(id)?.stops);
  if (blocker !== undefined) {
    const note = `dependency "${blocker}" would fail before running, so this task would be skipped`;
    return remember(context, stopped(base, { skipped: true, note }));
  }

  let steps: PreparedStep[];
  try {
    const candidate = needsCandidate(task) ? await context.candidate() : undefined;
    steps = prepareSteps(context.state, task, candidate);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = isPipelineError(error) ? error.code : ErrorCode.TASK_FAILED;
    return remember(context, stopped(base, { error: { code, message } }));
  }

  const restored = upstream.flatMap((id) => {
    const effect = context.predicted.get(id)?.effect;
    return effect?.kind === "restore" ? effect.changes : [];
  });
  const prediction = await predictLookup(context, task, steps, restored);
  context.state.fingerprints.set(task.id, prediction.answer.fingerprint);
  return remember(context, judge(context, task, base, upstream, prediction));
}

/** Looks the task up read-only. A failed lookup runs the task uncached, as in a run. */
async function predictLookup(
  context: PredictionContext,
  task: NormalizedTask,
  steps: readonly PreparedStep[],
  restored: readonly RestoreChange[],
): Promise<CachePrediction> {
  try {
    const { state } = context;
    const source = await state.sources?.keyInput(
      { env: state.env, candidate: context.candidate },
      task,
    );
    const input = cacheLookupInput(state, task, steps, { cwd: taskDir(state, task), source });
    return await context.cache.predict(input, restored);
  } catch (error) {
    const message = printableErrorMessage(error);
    return {
      answer: {
        status: "disabled",
        fingerprint: `dry-run:${task.id}`,
        warning: `Cache lookup failed, so the task ran uncached: ${message}`,
      },
      restoreChanges: [],
      inputPaths: [],
      provisionalKey: false,
    };
  }
}

/** Turns a read-only lookup into a prediction, judging what earlier tasks may change. */
function judge(
  context: PredictionContext,
  task: NormalizedTask,
  base: BasePlan,
  upstream: readonly string[],
  prediction: CachePrediction,
): Predicted {
  const { answer } = prediction;
  const direct = task.dependsOn.flatMap((id) => context.predicted.get(id) ?? []);
  const writers = upstream.filter((id) =>
    changesInputs(context.predicted.get(id)!.effect, task, prediction.inputPaths)
  );
  const cacheable = answer.status !== "disabled";
  const unsettled = unsettledSource(context, task);
  const keyKnown = cacheable && writers.length === 0 && !prediction.provisionalKey &&
    unsettled.length === 0 && direct.every((dependency) => dependency.keyKnown);
  const cacheHit = answer.status === "hit";
  const forced = answer.status === "miss" && answer.reason.kind === "forced";
  const freshDependency = direct.some((dependency) => dependency.freshFingerprint);
  // A fingerprint that no entry has makes a miss certain whatever the inputs turn out to be.
  const certainMiss = cacheable && !cacheHit &&
    (forced || freshDependency || prediction.provisionalKey);
  const newKey = answer.status === "miss" &&
    (answer.reason.kind === "no-entry" || answer.reason.kind === "changed");
  const certain = !cacheable || keyKnown || certainMiss;

  const note = cacheable ? noteFor(context, task, writers, prediction, certain) : undefined;
  const removes = cacheHit
    ? prediction.restoreChanges.flatMap((change) => change.kind === "remove" ? [change.path] : [])
    : [];
  const planned: PlannedTask = {
    ...base,
    cacheHit,
    certain,
    ...(keyKnown && "key" in answer ? { cacheKey: answer.key } : {}),
    ...(answer.status !== "hit" && answer.reason ? { cacheMiss: answer.reason } : {}),
    ...(note !== undefined ? { note } : {}),
    ...(answer.warning ? { warnings: [answer.warning] } : {}),
    ...(removes.length > 0 ? { removes } : {}),
  };
  return {
    planned,
    effect: diskEffect(task, cacheHit, prediction),
    keyKnown,
    freshFingerprint: !cacheable ||
      (!cacheHit && (freshDependency || prediction.provisionalKey || (keyKnown && newKey))),
    stops: false,
  };
}

/** Returns why the run may find the task's source other than it is now. */
function unsettledSource(context: PredictionContext, task: NormalizedTask): readonly string[] {
  if (task.source === undefined) return [];
  return context.unsettledSources?.get(task.source) ?? [];
}

function diskEffect(task: NormalizedTask, hit: boolean, prediction: CachePrediction): DiskEffect {
  if (hit) {
    return prediction.restoreChanges.length > 0
      ? { kind: "restore", changes: prediction.restoreChanges }
      : { kind: "none" };
  }
  return task.outputs.length > 0 ? { kind: "run", patterns: task.outputs } : { kind: "none" };
}

/** Explains why a task's key or prediction is not final, or returns undefined when it is. */
function noteFor(
  context: PredictionContext,
  task: NormalizedTask,
  writers: readonly string[],
  prediction: CachePrediction,
  certain: boolean,
): string | undefined {
  const reasons: string[] = [];
  if (writers.length > 0) {
    reasons.push(
      `${quoted(writers)} ${writers.length === 1 ? "writes" : "write"} its inputs first`,
    );
  }
  if (prediction.provisionalKey) {
    reasons.push(`the run first creates the secret-digest key ${SECRET_KEY_PATH}`);
  }
  reasons.push(...unsettledSource(context, task));
  const unknown = task.dependsOn.filter((id) =>
    context.predicted.get(id)?.keyKnown === false && !writers.includes(id)
  );
  const uncached = unknown.filter((id) =>
    context.predicted.get(id)?.planned.cacheMiss?.kind === "uncacheable"
  );
  if (uncached.length > 0) {
    const verb = uncached.length === 1 ? "is" : "are";
    reasons.push(
      `${dependencies(uncached)} ${verb} not cached, so its fingerprint is new each run`,
    );
  }
  const pending = unknown.filter((id) => !uncached.includes(id));
  if (pending.length > 0) reasons.push(`the key of ${dependencies(pending)} is not final either`);
  if (reasons.length === 0) return undefined;

  const note = `key known only during the run: ${reasons.join("; ")}`;
  if (certain) return note;
  return `${note}; so the run may ${
    prediction.answer.status === "hit" ? "have to run it" : "restore it from the cache"
  } instead`;
}
