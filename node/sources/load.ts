/**
 * Loading a source's pipeline file from its directory: a path source's
 * directory relative to the root pipeline's directory, or a git source's
 * checkout under `.async/sources/<id>`.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { PipelineError } from "../../core/errors.ts";
import type { Pipeline } from "../../core/model.ts";
import type { Source } from "../../core/sources.ts";
import { loadPipeline } from "../load.ts";
import { checkoutDir } from "./checkout.ts";
import { sourceFailed } from "./failure.ts";

/** Returns the directory of a source: its checkout for git sources. */
export function sourceDir(projectDir: string, id: string, source: Source): string {
  return source.type === "path" ? resolve(projectDir, source.path) : checkoutDir(projectDir, id);
}

/** Builds the failure of a path source whose directory `dir` does not exist. */
export function missingDirectory(id: string, dir: string, projectDir: string): PipelineError {
  return sourceFailed(id, `directory ${dir} was not found.`, {
    hint: `Set sources.${id}.path to an existing directory, absolute or relative to ${projectDir}.`,
  });
}

/** Returns true when `path` is a directory. */
export async function isDirectory(path: string): Promise<boolean> {
  return await stat(path).then((info) => info.isDirectory(), () => false);
}

/**
 * Imports the pipeline file of source `id` from `dir`. The module URL
 * carries a digest of the file, so a file that changed since an earlier
 * import in this process is imported again.
 *
 * @throws {PipelineError} `ASYNC_PIPELINE_SOURCE_FAILED` naming the source
 * when the file is missing or fails to load or validate.
 */
export async function loadSourcePipeline(
  id: string,
  source: Source,
  dir: string,
): Promise<Pipeline> {
  const path = resolve(dir, source.pipeline);
  let text: Uint8Array;
  try {
    text = await readFile(path);
  } catch {
    throw sourceFailed(id, `pipeline file ${source.pipeline} was not found in ${dir}.`, {
      hint: `Set sources.${id}.pipeline to the pipeline file of that repository, ` +
        "relative to its root (default pipeline.ts).",
    });
  }
  // NOTE: only the pipeline file gets a new URL. Modules it imports keep their first version
  // for the life of the process.
  const version = createHash("sha256").update(text).digest("hex").slice(0, 16);
  try {
    return (await loadPipeline(dir, source.pipeline, { version })).pipeline;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw sourceFailed(id, `loading its pipeline ${path} failed: ${message}`, {
      cause: error,
      hint: `Fix the source's pipeline file, or point sources.${id}.pipeline at another one.`,
    });
  }
}
