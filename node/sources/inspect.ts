/**
 * Reading source pipelines for `metadata --include-sources` and `graph`:
 * only from path sources and git checkouts already on disk. Nothing is
 * cloned, fetched, checked out or prepared.
 *
 * @module
 */

import { isPipelineError } from "../../core/errors.ts";
import type { Pipeline } from "../../core/model.ts";
import type { Source } from "../../core/sources.ts";
import { readGitFacts } from "../runner/candidate.ts";
import type { ProcessEnv } from "../types.ts";
import { composeSources } from "./compose.ts";
import { failureReason } from "./failure.ts";
import { isDirectory, loadSourcePipeline, missingDirectory, sourceDir } from "./load.ts";

/** A source as found on disk. */
export interface SourceOnDisk {
  readonly id: string;
  readonly type: Source["type"];
  readonly dir: string;
  /** The source's pipeline, absent when its directory or checkout does not exist. */
  readonly pipeline?: Pipeline;
  /** Reason the pipeline was not read. */
  readonly reason?: string;
  /** HEAD of the directory when it is a git work tree. */
  readonly commit?: string;
  readonly dirty?: boolean;
}

async function readSourceOnDisk(
  projectDir: string,
  id: string,
  source: Source,
  env: ProcessEnv,
): Promise<SourceOnDisk> {
  const dir = sourceDir(projectDir, id, source);
  const base = { id, type: source.type, dir };
  if (!(await isDirectory(dir))) {
    const reason = source.type === "git"
      ? "not cloned yet: the first run that uses it clones it."
      : failureReason(id, missingDirectory(id, dir, projectDir).message);
    return { ...base, reason };
  }
  const git = await readGitFacts(dir, env);
  const facts = git ? { commit: git.facts.commit, dirty: git.facts.dirty } : {};
  let pipeline: Pipeline;
  try {
    pipeline = await loadSourcePipeline(id, source, dir);
  } catch (error) {
    if (!isPipelineError(error)) throw error;
    return { ...base, ...facts, reason: failureReason(id, error.message) };
  }
  if (Object.keys(pipeline.sources).length > 0) {
    return {
      ...base,
      ...facts,
      reason: "its pipeline declares sources of its own, which are not composed.",
    };
  }
  return { ...base, pipeline, ...facts };
}

/** The root pipeline with the tasks of every source on disk composed in. */
export interface InspectedSources {
  readonly pipeline: Pipeline;
  /** Every declared source, in declaration order. */
  readonly sources: readonly SourceOnDisk[];
}

/**
 * Reads the declared sources whose files are on disk (path sources whose
 * directory exists, git sources with a checkout from an earlier run) and
 * composes their tasks into `root`. A git checkout is read at the commit it
 * is at, even when its ref has moved since.
 *
 * A source whose pipeline is missing, fails to load or declares sources of
 * its own is listed with the reason and its tasks are left out. Reasons are
 * worded as the run's errors, without the `Source "<id>": ` prefix.
 */
export async function inspectSources(
  root: Pipeline,
  projectDir: string,
  env: ProcessEnv,
): Promise<InspectedSources> {
  const sources = await Promise.all(
    Object.entries(root.sources).map(([id, source]) =>
      readSourceOnDisk(projectDir, id, source, env)
    ),
  );
  const loaded = Object.fromEntries(
    sources.flatMap((source) => source.pipeline ? [[source.id, source.pipeline]] : []),
  );
  return { pipeline: composeSources(root, loaded), sources };
}
