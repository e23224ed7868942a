/**
 * Input resolution: which files a task's key covers, and their digests.
 *
 * Patterns come from the normalized task. `.git`, `.async`, `node_modules`
 * (unless a pattern names a place inside it, see `skippedBy`) and the task's
 * own declared outputs are never inputs. Files that git
 * ignores count whenever a declared pattern matches them. Only the implicit
 * `**` of a task that declares no inputs leaves git-ignored files out,
 * because a fresh checkout of the repository would not have them either.
 *
 * @module
 */

import { execFile } from "node:child_process";
import { readlink, realpath, stat } from "node:fs/promises";
import type { NormalizedTask } from "../../core/model.ts";
import { mapLimit, markSorted, sha256, SYNC_READ_LIMIT } from "./digest.ts";
import { type FileFacts, lstatFacts } from "./facts.ts";
import type { FileStateIndex } from "./file_index.ts";
import { memoizedListing, visitWalk, type WalkListing } from "./walk_memo.ts";
import { outputPathMatcher } from "./output_sets.ts";
import { StatedFiles } from "./stated.ts";
import { tenured } from "./tenure.ts";

export type { StatedInput } from "./stated.ts";
import picomatch from "picomatch";
import type { RestoreChange } from "./backend.ts";
import { isMissing, type WalkOptions } from "./walk.ts";
import { cleanPattern, directoryMatcher, skippedBy, splitPatterns } from "./patterns.ts";

/** Digest text of an input that a literal pattern names but that does not exist. */
export const ABSENT = "absent";

/**
 * Input files of a task mapped to their digest text: the content's SHA-256
 * hex, with `+x` appended when any execute bit is set; `link:<hex>` for a
 * symbolic link, from its target text and, for a link to a file, that
 * file's content. The files inside a linked directory are inputs of their
 * own, and a dangling link or one in a cycle is digested from its target
 * text only. A named file that does not exist maps to {@link ABSENT}.
 */
export type InputDigests = Record<string, string>;

/** Lists the paths under `cwd` that git ignores, or undefined outside a git work tree. */
export function gitIgnoredPaths(cwd: string): Promise<Set<string> | undefined> {
  const args = ["ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"];
  return new Promise((resolve) => {
    execFile("git", args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => {
      if (error) return resolve(undefined);
      const paths = new Set<string>();
      for (const item of String(stdout).split("\0")) {
        if (item !== "") paths.add(item.endsWith("/") ? item.slice(0, -1) : item);
      }
      resolve(paths);
    });
  });
}

/** Returns the digest text of a regular file input from its content digest and mode. */
export function fileInputDigest(file: { readonly digest: string; readonly mode: number }): string {
  return (file.mode & 0o111) !== 0 ? `${file.digest}+x` : file.digest;
}

/**
 * Returns true when `path` is one that the declared input patterns of
 * `task` select: matched, not excluded, and not one of its outputs.
 */
export function matchesInputPatterns(task: NormalizedTask, path: string): boolean {
  if (task.defaultInputs) return false;
  const { include, exclude } = splitPatterns(task.inputs);
  if (skippedBy(include)(path)) return false;
  return directoryMatcher(include)(path) && !directoryMatcher(exclude)(path) &&
    !outputPathMatcher([task.outputs])(path, false);
}

function namesLiterally(task: NormalizedTask, path: string): boolean {
  return task.inputs.some((pattern) =>
    !pattern.startsWith("!") && !picomatch.scan(pattern).isGlob && cleanPattern(pattern) === path
  );
}

/**
 * Applies the changes that restores of earlier tasks would make to the
 * input digests of `task`, for a dry run. A change counts when its path is
 * an input now or matches the input patterns. A removed file that a
 * pattern names literally becomes {@link ABSENT}, as it would on disk.
 * Changes of kind `unknown` are left out: the caller reports them. A task
 * with the implicit `**` inputs never reads other tasks' outputs.
 */
export function overlayInputs(
  task: NormalizedTask,
  inputs: InputDigests,
  changes: readonly RestoreChange[],
): InputDigests {
  if (task.defaultInputs || changes.length === 0) return inputs;
  const result = { ...inputs };
  for (const change of changes) {
    if (!(change.path in result) && !matchesInputPatterns(task, change.path)) continue;
    if (change.kind === "write") result[change.path] = change.digest;
    else if (change.kind === "remove") {
      if (namesLiterally(task, change.path)) result[change.path] = ABSENT;
      else delete result[change.path];
    }
  }
  return markSorted(sortedRecord(result));
}

/**
 * Returns the digest text of one input path from its current facts, or
 * undefined when it is gone or is neither a file nor a link.
 */
export async function digestInput(
  index: FileStateIndex,
  path: string,
  facts: FileFacts | undefined,
): Promise<string | undefined> {
  if (facts === undefined) return undefined;
  if (facts.kind === "file") {
    return fileInputDigest({ digest: await index.digest(path, facts), mode: facts.mode });
  }
  if (facts.kind !== "symlink") return undefined;
  const target = await readlink(path);
  let content = "";
  try {
    const resolved = await stat(path);
    if (resolved.isFile()) content = await index.digest(await realpath(path));
  } catch (error) {
    // A dangling link, or one in a cycle of links, is keyed by its target text alone.
    if (!isMissing(error) && (error as { code?: string }).code !== "ELOOP") throw error;
  }
  return `link:${sha256(`${target}\0${content}`)}`;
}

/** The input paths of a task with their stat facts, before any content is read. */
export interface StatedInputs {
  /**
   * The walk's named paths that are absent, the patterns that selected no
   * file, whether a valid walk memo covers the listing, and the first input
   * path that contains a secret value.
   */
  readonly walked: Pick<WalkListing, "absent" | "unmatched" | "memoized" | "withheld">;
  /** Every walked path that is not a directory, in walk order. */
  readonly files: StatedFiles;
  /** The index's clock just before the facts were taken. */
  readonly at: number;
}

/**
 * Returns a warning for a task whose input patterns match no file, such as a
 * misspelled `srcc/**`: its key then covers no file, and no edit can change
 * it. Tasks with default inputs, no positive pattern, or a named file that is
 * absent (its later creation does change the key) get none.
 */
export function unmatchedInputsWarning(
  task: NormalizedTask,
  stated: StatedInputs,
): string | undefined {
  if (task.defaultInputs || stated.files.length > 0 || stated.walked.absent.length > 0) {
    return undefined;
  }
  const patterns = task.inputs.filter((pattern) => !pattern.startsWith("!"));
  if (patterns.length === 0) return undefined;
  return `task "${task.id}": its inputs (${
    patterns.join(", ")
  }) match no file, so no edit can change its cache key. Check the patterns, or write inputs: [] for a task that reads no file.`;
}

/** Returns the options of the walk that lists a task's inputs. */
async function inputWalkOptions(
  task: NormalizedTask,
  cwd: string,
  pipelineOutputs: readonly (readonly string[])[],
): Promise<WalkOptions> {
  const ignored = task.defaultInputs ? await gitIgnoredPaths(cwd) : undefined;
  return {
    outputs: task.defaultInputs ? [task.outputs, ...pipelineOutputs] : [task.outputs],
    skip: ignored ? (path) => ignored.has(path) : undefined,
    followDirectoryLinks: true,
  };
}

/**
 * Calls `visit` with each input path of a task that is not a directory, in
 * no particular order, as {@link statInputs} would list them, and returns
 * the named inputs that are absent. Keeps no entry per path, so a caller
 * can compare the listing with an earlier one at little memory cost.
 */
export async function visitInputs(
  task: NormalizedTask,
  cwd: string,
  index: FileStateIndex,
  pipelineOutputs: readonly (readonly string[])[],
  visit: (path: string) => void,
): Promise<readonly string[]> {
  const options = await inputWalkOptions(task, cwd, pipelineOutputs);
  return await visitWalk(index, cwd, task.inputs, options, (path, kind) => {
    if (kind !== "directory") visit(path);
  });
}

/**
 * Resolves a task's input patterns in `cwd` and takes the stat facts of
 * every matched path, in one synchronous pass. `pipelineOutputs` are the
 * output pattern lists of the pipeline's tasks: the implicit `**` of a task
 * without declared inputs leaves them out, so files that other tasks write
 * while it runs do not count as its inputs.
 */
export async function statInputs(
  task: NormalizedTask,
  cwd: string,
  index: FileStateIndex,
  pipelineOutputs: readonly (readonly string[])[] = [],
): Promise<StatedInputs> {
  const { paths, kinds, absent, unmatched, memoized, withheld } = await memoizedListing(
    index,
    cwd,
    task.inputs,
    await inputWalkOptions(task, cwd, pipelineOutputs),
  );
  const at = index.now();
  const files = new StatedFiles(cwd, paths.length);
  for (let position = 0; position < paths.length; position++) {
    if (kinds[position] === "directory") continue;
    const path = paths[position];
    files.add(path, lstatFacts(files.under(path)));
  }
  const walked = {
    absent,
    unmatched,
    memoized,
    ...(withheld !== undefined ? { withheld } : {}),
  };
  return { walked, files, at };
}

/**
 * Returns true when the regular files among `files` are to be hashed without
 * the index's stored entries, which then costs less than loading them.
 */
function hashesDirectly(index: FileStateIndex, files: StatedFiles): boolean {
  let count = 0;
  let bytes = 0;
  for (let row = 0; row < files.length; row++) {
    const facts = files.facts(row);
    if (facts?.kind !== "file") continue;
    count++;
    bytes += facts.size;
  }
  return count > 0 && index.hashesDirectly(count, bytes);
}

/**
 * Digests the inputs that {@link statInputs} found. On a warm run the index
 * has the digest of nearly every file. Small files that it does not know are
 * hashed in the same synchronous pass, because a promise per file costs
 * more than the calls. Only links and large files are left for concurrent
 * work.
 */
export async function digestInputs(
  index: FileStateIndex,
  stated: StatedInputs,
): Promise<InputDigests> {
  // The digests are collected first and the record is built in one pass at
  // the end: a record that grows while files are read is copied by each
  // young-generation collection in between.
  const { files } = stated;
  const texts = new Array<string | undefined>(files.length);
  const unknown: number[] = [];
  // The index is given each file as the task directory and the walked path,
  // so an entry it sets keeps the walk's string, not an absolute path.
  const { base } = files;
  const direct = hashesDirectly(index, files);
  for (let row = 0; row < files.length; row++) {
    const facts = files.facts(row);
    if (facts?.kind === "file" && facts.size <= SYNC_READ_LIMIT) {
      const path = base === undefined ? files.absolute(row) : files.path(row);
      const digest = direct
        ? index.digestDirectlySync(files.absolute(row))
        : index.digestSync(path, facts, base);
      texts[row] = tenured(fileInputDigest({ digest, mode: facts.mode }));
      continue;
    }
    if (facts?.kind === "file" && !direct) {
      const path = base === undefined ? files.absolute(row) : files.path(row);
      const digest = index.known(path, facts, base);
      if (digest !== undefined) {
        texts[row] = tenured(fileInputDigest({ digest, mode: facts.mode }));
        continue;
      }
    }
    unknown.push(row);
  }
  const values = await mapLimit(unknown, async (row) => {
    const facts = files.facts(row);
    if (!direct || facts?.kind !== "file") {
      return await digestInput(index, files.absolute(row), facts);
    }
    const digest = await index.digestDirectly(files.absolute(row), facts.size);
    return fileInputDigest({ digest, mode: facts.mode });
  });
  unknown.forEach((row, position) => {
    texts[row] = values[position];
  });
  const digests: InputDigests = {};
  for (let row = 0; row < files.length; row++) {
    const text = texts[row];
    if (text !== undefined) digests[files.path(row)] = text;
  }
  const { absent } = stated.walked;
  for (const path of absent) digests[path] = ABSENT;
  // Walked paths come in code-unit order, so without absent paths the
  // record is already sorted and copying it would only cost time.
  return absent.length === 0 ? markSorted(digests) : markSorted(sortedRecord(digests));
}

/** Resolves a task's inputs and digests them: {@link statInputs}, then {@link digestInputs}. */
export async function resolveInputs(
  task: NormalizedTask,
  cwd: string,
  index: FileStateIndex,
  pipelineOutputs: readonly (readonly string[])[] = [],
): Promise<InputDigests> {
  return await digestInputs(index, await statInputs(task, cwd, index, pipelineOutputs));
}

/** Returns `record` with its keys in code-unit order: itself when they are, else a sorted copy. */
export function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  const keys = Object.keys(record);
  if (keys.every((key, position) => position === 0 || keys[position - 1] < key)) return record;
  const sorted: Record<string, T> = {};
  for (const key of keys.sort()) sorted[key] = record[key];
  return sorted;
}
