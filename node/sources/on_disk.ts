/**
 * The sources of a dry run, read as they are on disk: a path source's
 * directory and a git source's warm checkout. Nothing is cloned, fetched,
 * checked out or prepared, and no checkout's in-use marker changes. Each
 * source comes with the reasons its tasks may differ in a run, because a
 * run fetches, moves or prepares it first.
 *
 * @module
 */

import type { Pipeline } from "../../core/model.ts";
import type { GitSource, Source } from "../../core/sources.ts";
import type { ProcessEnv } from "../types.ts";
import { readCheckout } from "./checkout.ts";
import { loadSourcePipeline } from "./load.ts";
import { combinedFailure, type ResolvedSource, resolvePathSource } from "./resolve.ts";

/** The sources a dry run needs, as found on disk. */
export interface SourcesOnDisk {
  readonly resolved: readonly ResolvedSource[];
  /**
   * Reasons the tasks of a source may see other files or commits in a run,
   * by source id. The run uses a source without an entry as it is now.
   */
  readonly unsettled: ReadonlyMap<string, readonly string[]>;
}

interface Found {
  readonly resolved: ResolvedSource;
  readonly notes: readonly string[];
}

async function readGitSource(
  id: string,
  source: GitSource,
  context: { readonly projectDir: string; readonly env: ProcessEnv },
): Promise<Found> {
  const checkout = await readCheckout(id, source, context.projectDir, context.env);
  const { dir, commit } = checkout;
  const notes: string[] = [];
  if (!checkout.pinned) {
    notes.push(
      `the run first fetches ref "${source.ref}" of source "${id}" and may move its checkout`,
    );
  } else if (commit.toLowerCase() !== source.ref.toLowerCase()) {
    // The prediction reads the checkout as it is, at another commit than
    // the run will use, so it can be wrong either way.
    notes.push(
      `the run first moves the checkout of source "${id}" to commit ${source.ref}, fetching it if the checkout lacks it, while this prediction read commit ${
        commit.slice(0, 7)
      }`,
    );
  }
  if (checkout.changes === "runner") {
    notes.push(`the run first discards what an earlier run left in the checkout of source "${id}"`);
  }
  return {
    resolved: {
      id,
      declaration: source,
      dir,
      pipeline: await loadSourcePipeline(id, source, dir),
      context: Object.freeze({ id, dir, type: "git", ref: source.ref, commit }),
      record: {
        type: "git",
        dir,
        ref: source.ref,
        commit,
        prepared: false,
        dirty: checkout.changes !== "none",
      },
    },
    notes,
  };
}

async function readSource(
  id: string,
  source: Source,
  context: { readonly projectDir: string; readonly env: ProcessEnv },
): Promise<Found> {
  let found: Found;
  if (source.type === "git") found = await readGitSource(id, source, context);
  else {
    const base = await resolvePathSource(id, source, context);
    const pipeline = await loadSourcePipeline(id, source, base.dir);
    found = { resolved: { ...base, pipeline }, notes: [] };
  }
  if (source.prepare.length === 0) return found;
  return {
    ...found,
    notes: [
      ...found.notes,
      `the prepare steps of source "${id}" run first and may change its files`,
    ],
  };
}

/**
 * Reads sources `ids` of `root` from disk and loads their pipelines, as a
 * run would resolve them but without changing anything.
 *
 * @throws {PipelineError} `ASYNC_PIPELINE_SOURCE_FAILED` naming each source
 * that is not on disk (a git source not cloned yet, a missing path
 * directory) or whose pipeline fails to load, and each checkout with local
 * changes that no run left, which would fail the run as well.
 */
export async function readSourcesOnDisk(
  root: Pipeline,
  ids: readonly string[],
  context: { readonly projectDir: string; readonly env: ProcessEnv },
): Promise<SourcesOnDisk> {
  const settled = await Promise.allSettled(
    ids.map((id) => readSource(id, root.sources[id], context)),
  );
  const reasons = settled.flatMap((result) => result.status === "rejected" ? [result.reason] : []);
  if (reasons.length > 0) throw combinedFailure(reasons, undefined);
  const found = settled.flatMap((result) => result.status === "fulfilled" ? [result.value] : []);
  return {
    resolved: found.map((source) => source.resolved),
    unsettled: new Map(
      found.flatMap((source) =>
        source.notes.length > 0 ? [[source.resolved.id, source.notes] as const] : []
      ),
    ),
  };
}
