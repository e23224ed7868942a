/**
 * Resolving the sources a run needs: checking out git sources, finding path
 * sources, and loading each source's pipeline.
 *
 * @module
 */

import type { SourceContext } from "../../core/context.ts";
import { ErrorCode, isPipelineError, PipelineError } from "../../core/errors.ts";
import type { Pipeline } from "../../core/model.ts";
import type { PathSource, Source } from "../../core/sources.ts";
import { readGitFacts } from "../runner/candidate.ts";
import type { ExecutionSourceRecord, ProcessEnv } from "../types.ts";
import { releaseCheckout, syncCheckout } from "./checkout.ts";
import { isDirectory, loadSourcePipeline, missingDirectory, sourceDir } from "./load.ts";

/** A source ready for its tasks: on disk at its ref, with its pipeline loaded. */
export interface ResolvedSource {
  readonly id: string;
  readonly declaration: Source;
  /** Absolute directory where its prepare steps and tasks run. */
  readonly dir: string;
  readonly pipeline: Pipeline;
  /** `ctx.source` of its tasks and prepare steps. */
  readonly context: SourceContext;
  /** Its entry in the execution record's `sources`, updated as the run goes. */
  readonly record: ExecutionSourceRecord;
}

/** Run facts that resolving sources needs. */
export interface ResolveContext {
  readonly projectDir: string;
  readonly env: ProcessEnv;
  readonly runId: string;
  readonly signal?: AbortSignal;
}

/**
 * Finds path source `id` and reads its git facts, without its pipeline.
 *
 * @throws {PipelineError} `ASYNC_PIPELINE_SOURCE_FAILED` when its directory is missing.
 */
export async function resolvePathSource(
  id: string,
  source: PathSource,
  context: Pick<ResolveContext, "projectDir" | "env">,
): Promise<Omit<ResolvedSource, "pipeline">> {
  const dir = sourceDir(context.projectDir, id, source);
  if (!(await isDirectory(dir))) throw missingDirectory(id, dir, context.projectDir);
  const git = (await readGitFacts(dir, context.env))?.facts;
  const ref = git?.branch;
  return {
    id,
    declaration: source,
    dir,
    context: Object.freeze({
      id,
      dir,
      type: "path",
      ...(ref ? { ref } : {}),
      ...(git ? { commit: git.commit } : {}),
    }),
    record: {
      type: "path",
      dir,
      ...(ref ? { ref } : {}),
      ...(git ? { commit: git.commit } : {}),
      prepared: false,
      ...(git ? { dirty: git.dirty } : {}),
    },
  };
}

async function resolveSource(
  id: string,
  source: Source,
  context: ResolveContext,
): Promise<ResolvedSource> {
  if (source.type === "path") {
    const found = await resolvePathSource(id, source, context);
    return { ...found, pipeline: await loadSourcePipeline(id, source, found.dir) };
  }
  const { dir, commit } = await syncCheckout(id, source, context.projectDir, context);
  try {
    return {
      id,
      declaration: source,
      dir,
      pipeline: await loadSourcePipeline(id, source, dir),
      context: Object.freeze({ id, dir, type: "git", ref: source.ref, commit }),
      record: { type: "git", dir, ref: source.ref, commit, prepared: false, dirty: false },
    };
  } catch (error) {
    await releaseCheckout(dir, context.runId, context.env).catch(() => undefined);
    throw error;
  }
}

/** Turns rejected resolutions into one error; an interrupt wins over source failures. */
export function combinedFailure(reasons: unknown[], signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) {
    const reason = signal.reason;
    if (isPipelineError(reason)) return reason;
    const message = reason instanceof Error ? reason.message : "The run was interrupted.";
    return new PipelineError(ErrorCode.INTERRUPTED, message);
  }
  if (reasons.length === 1) return reasons[0];
  const messages = reasons.map((reason) =>
    reason instanceof Error ? reason.message : String(reason)
  );
  return new PipelineError(
    ErrorCode.SOURCE_FAILED,
    `${reasons.length} sources failed:\n${messages.map((text) => `  - ${text}`).join("\n")}`,
    {
      issues: reasons.map((reason, index) =>
        isPipelineError(reason) ? reason.issues[0] : {
          code: ErrorCode.SOURCE_FAILED,
          message: messages[index],
        }
      ),
    },
  );
}

/**
 * Resolves sources `ids` of `root` at once. Git sources are cloned or
 * fetched and moved to their ref, and every pipeline is loaded.
 *
 * @throws {PipelineError} `ASYNC_PIPELINE_SOURCE_FAILED` naming each source
 * that failed. Checkouts of the sources that resolved are released first.
 */
export async function resolveSources(
  root: Pipeline,
  ids: readonly string[],
  context: ResolveContext,
): Promise<ResolvedSource[]> {
  const settled = await Promise.allSettled(
    ids.map((id) => resolveSource(id, root.sources[id], context)),
  );
  const resolved = settled.flatMap((result) => result.status === "fulfilled" ? [result.value] : []);
  const reasons = settled.flatMap((result) => result.status === "rejected" ? [result.reason] : []);
  if (reasons.length === 0) return resolved;

  await releaseSources(resolved, context.runId, context.env);
  throw combinedFailure(reasons, context.signal);
}

/** Records the state each git checkout was left in, so the next run can reuse it. */
export async function releaseSources(
  sources: readonly ResolvedSource[],
  runId: string,
  env: ProcessEnv,
): Promise<void> {
  await Promise.all(
    sources.filter((source) => source.declaration.type === "git").map((source) =>
      releaseCheckout(source.dir, runId, env).catch(() => undefined)
    ),
  );
}
