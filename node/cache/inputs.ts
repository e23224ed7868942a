/**
 * Input resolution: which files a task's key covers, and their digests.
 *
 * Patterns come from the normalized task. `.git`, `.async`, `node_modules`
 * and the task's own declared outputs are never inputs. Files that git
 * ignores count whenever a declared pattern matches them. Only the implicit
 * `**` of a task that declares no inputs leaves git-ignored files out,
 * because a fresh checkout of the repository would not have them either.
 *
 * @module
 */

import { execFile } from "node:child_process";
import { readlink, realpath, stat } from "node:fs/promises";
import { join, sep } from "node:path";
import type { NormalizedTask } from "../../core/model.ts";
import { mapLimit, markSorted, sha256, SYNC_READ_LIMIT } from "./digest.ts";
import { type FactKind, type FileFacts, lstatFacts } from "./facts.ts";
import type { FileStateIndex } from "./file_index.ts";
import { memoizedWalk, type MemoizedWalkResult, visitWalk } from "./walk_memo.ts";
import picomatch from "picomatch";
import type { RestoreChange } from "./backend.ts";
import {
  cleanPattern,
  directoryMatcher,
  inIgnoredArea,
  isMissing,
  splitPatterns,
  type WalkOptions,
} from "./walk.ts";

/** Digest text of an input that a literal pattern names but that does not exist. */
export const ABSENT = "absent";

/**
 * Input files of a task mapped to their digest text: the content's SHA-256
 * hex, with `+x` appended when any execute bit is set; `link:<hex>` for a
 * symbolic link (its target text and, for a link to a file, that file's
 * content; the files inside a linked directory are inputs of their own);
 * {@link ABSENT} for a named file that does not exist.
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
  if (task.defaultInputs || inIgnoredArea(path)) return false;
  const { include, exclude } = splitPatterns(task.inputs);
  return directoryMatcher(include)(path) && !directoryMatcher(exclude)(path) &&
    !directoryMatcher(splitPatterns(task.outputs).include)(path);
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
    if (!isMissing(error)) throw error;
  }
  return `link:${sha256(`${target}\0${content}`)}`;
}

/** A walked input path with the stat facts taken of it. */
export interface StatedInput {
  /** Path relative to the task directory, with `/` separators. */
  readonly path: string;
  readonly absolute: string;
  /** Undefined when the path vanished after the walk. */
  readonly facts: FileFacts | undefined;
}

/** Kinds of stated paths by their code in a {@link FactsTable}; code 0 is a vanished path. */
const KINDS: readonly (FactKind | undefined)[] = [
  undefined,
  "file",
  "directory",
  "symlink",
  "other",
];

/** Numbers kept per path in a {@link FactsTable}: size, mtime, ctime, inode and mode. */
const NUMBERS_PER_PATH = 5;

/** The stat facts of a task's input paths, in typed arrays outside the garbage-collected heap. */
interface FactsTable {
  readonly kinds: Uint8Array;
  readonly numbers: Float64Array;
  readonly under: (path: string) => string;
}

/**
 * A {@link StatedInput} whose facts are a row of a shared {@link FactsTable}.
 * A task's stated inputs stay in memory while its lookup runs. With tens
 * of thousands of files, a facts object and an absolute path per file add
 * megabytes that each young-generation collection copies, so both are made
 * when asked for.
 */
class StatedFile implements StatedInput {
  readonly path: string;
  readonly #table: FactsTable;
  readonly #row: number;

  constructor(path: string, table: FactsTable, row: number) {
    this.path = path;
    this.#table = table;
    this.#row = row;
  }

  get absolute(): string {
    return this.#table.under(this.path);
  }

  get facts(): FileFacts | undefined {
    const kind = KINDS[this.#table.kinds[this.#row]];
    if (kind === undefined) return undefined;
    const { numbers } = this.#table;
    const at = this.#row * NUMBERS_PER_PATH;
    return {
      kind,
      size: numbers[at],
      mtimeMs: numbers[at + 1],
      ctimeMs: numbers[at + 2],
      ino: numbers[at + 3],
      mode: numbers[at + 4],
    };
  }
}

/** Writes `facts` into row `row` of `table`; a vanished path keeps kind code 0. */
function storeFacts(table: FactsTable, row: number, facts: FileFacts | undefined): void {
  if (facts === undefined) return;
  table.kinds[row] = KINDS.indexOf(facts.kind);
  const at = row * NUMBERS_PER_PATH;
  table.numbers[at] = facts.size;
  table.numbers[at + 1] = facts.mtimeMs;
  table.numbers[at + 2] = facts.ctimeMs;
  table.numbers[at + 3] = facts.ino;
  table.numbers[at + 4] = facts.mode;
}

/** The input paths of a task with their stat facts, before any content is read. */
export interface StatedInputs {
  readonly walked: MemoizedWalkResult;
  /** Every walked path that is not a directory, in walk order. */
  readonly files: readonly StatedInput[];
  /** The index's clock just before the facts were taken. */
  readonly at: number;
}

/** Returns the options of the walk that lists a task's inputs. */
async function inputWalkOptions(
  task: NormalizedTask,
  cwd: string,
  pipelineOutputs: readonly string[],
): Promise<WalkOptions> {
  const ignored = task.defaultInputs ? await gitIgnoredPaths(cwd) : undefined;
  const outputs =
    splitPatterns(task.defaultInputs ? [...task.outputs, ...pipelineOutputs] : task.outputs)
      .include;
  return {
    exclude: outputs,
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
  pipelineOutputs: readonly string[],
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
 * output patterns of every task of the pipeline: the implicit `**` of a task
 * without declared inputs leaves them out, so files that other tasks write
 * while it runs do not count as its inputs.
 */
export async function statInputs(
  task: NormalizedTask,
  cwd: string,
  index: FileStateIndex,
  pipelineOutputs: readonly string[] = [],
): Promise<StatedInputs> {
  const walked = await memoizedWalk(
    index,
    cwd,
    task.inputs,
    await inputWalkOptions(task, cwd, pipelineOutputs),
  );
  const at = index.now();
  const files: StatedInput[] = [];
  const { entries } = walked;
  const table: FactsTable = {
    kinds: new Uint8Array(entries.length),
    numbers: new Float64Array(entries.length * NUMBERS_PER_PATH),
    under: pathJoiner(cwd),
  };
  for (let position = 0; position < entries.length; position++) {
    const entry = entries[position];
    if (entry.kind === "directory") continue;
    const row = files.length;
    storeFacts(table, row, lstatFacts(table.under(entry.path)));
    files.push(new StatedFile(entry.path, table, row));
  }
  return { walked, files, at };
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
  const digests: InputDigests = {};
  const unknown: StatedInput[] = [];
  const { files } = stated;
  for (let position = 0; position < files.length; position++) {
    const file = files[position];
    const { facts } = file;
    if (facts?.kind === "file") {
      const absolute = file.absolute;
      const digest = facts.size <= SYNC_READ_LIMIT
        ? index.digestSync(absolute, facts)
        : index.known(absolute, facts);
      if (digest !== undefined) {
        digests[file.path] = fileInputDigest({ digest, mode: facts.mode });
        continue;
      }
    }
    unknown.push(file);
  }
  const values = await mapLimit(unknown, (file) => digestInput(index, file.absolute, file.facts));
  unknown.forEach((file, position) => {
    const value = values[position];
    if (value !== undefined) digests[file.path] = value;
  });
  const { absent } = stated.walked;
  for (const path of absent) digests[path] = ABSENT;
  // Walked entries come in code-unit order, so without late additions the
  // record is already sorted and copying it would only cost time.
  return unknown.length === 0 && absent.length === 0
    ? markSorted(digests)
    : markSorted(sortedRecord(digests));
}

/** Resolves a task's inputs and digests them: {@link statInputs}, then {@link digestInputs}. */
export async function resolveInputs(
  task: NormalizedTask,
  cwd: string,
  index: FileStateIndex,
  pipelineOutputs: readonly string[] = [],
): Promise<InputDigests> {
  return await digestInputs(index, await statInputs(task, cwd, index, pipelineOutputs));
}

/**
 * Returns a function that joins `dir` with a walked path. Walked paths are
 * relative, use `/` and hold no `.` or `..` segments, so on POSIX systems
 * plain concatenation gives what `join` would, at a fraction of the cost
 * for tens of thousands of files.
 */
function pathJoiner(dir: string): (path: string) => string {
  if (sep !== "/") return (path) => join(dir, path);
  const base = join(dir, "/");
  return (path) => base + path;
}

/** Returns `record` with its keys in code-unit order: itself when they are, else a sorted copy. */
export function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  const keys = Object.keys(record);
  if (keys.every((key, position) => position === 0 || keys[position - 1] < key)) return record;
  const sorted: Record<string, T> = {};
  for (const key of keys.sort()) sorted[key] = record[key];
  return sorted;
}
