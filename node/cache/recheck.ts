/**
 * The check after a task ran: are its inputs still what its lookup found?
 *
 * The lookup stated every input and digested the manifest from those facts.
 * After the run the inputs are listed again and each path is looked up in
 * the lookup's sorted list, so no second list of every input is built. A
 * regular file whose facts are unchanged and were settled (older than the
 * racy window) when the lookup took them still has the digest the lookup
 * used, by the same argument the file-state index relies on. Only the other
 * inputs are digested again and compared one by one.
 *
 * @module
 */

import type { NormalizedTask } from "../../core/model.ts";
import { type FileFacts, lstatFacts } from "./facts.ts";
import { type FileStateIndex, RACY_WINDOW_MS } from "./file_index.ts";
import {
  ABSENT,
  digestInput,
  type InputDigests,
  type StatedInput,
  type StatedInputs,
  visitInputs,
} from "./inputs.ts";

function sameFacts(a: FileFacts, b: FileFacts): boolean {
  return a.kind === b.kind && a.size === b.size && a.mtimeMs === b.mtimeMs &&
    a.ctimeMs === b.ctimeMs && a.ino === b.ino && a.mode === b.mode;
}

/** Returns the position of `path` in `files`, sorted by path in code-unit order, or -1. */
function positionOf(files: readonly StatedInput[], path: string): number {
  let low = 0;
  let high = files.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const found = files[middle].path;
    if (found === path) return middle;
    if (found < path) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

/** The lookup a check after the run compares with. */
export interface LookupInputs {
  readonly stated: StatedInputs;
  /** The input digests of the lookup's manifest. */
  readonly inputs: InputDigests;
}

/**
 * Returns true when the inputs of `task` in `cwd` are the paths the lookup
 * stated and have exactly the digests of its manifest. Returns false on any
 * difference, including a path that appeared or vanished; the caller then
 * builds the whole manifest to report it. Throws what listing, stating or
 * digesting a file throws.
 */
export async function inputsStillMatch(
  task: NormalizedTask,
  cwd: string,
  index: FileStateIndex,
  pipelineOutputs: readonly string[],
  lookup: LookupInputs,
): Promise<boolean> {
  const { files, at } = lookup.stated;
  const limit = at - RACY_WINDOW_MS;
  const listed = new Uint8Array(files.length);
  let count = 0;
  let differs = false;
  // Only marks listed paths: stating them during the listing would keep a
  // directory's whole listing alive while each stat allocates.
  const absent = await visitInputs(task, cwd, index, pipelineOutputs, (path) => {
    const position = differs ? -1 : positionOf(files, path);
    if (position === -1 || listed[position] === 1) differs = true;
    else {
      listed[position] = 1;
      count++;
    }
  });
  if (differs || count !== files.length) return false;
  const before = lookup.stated.walked.absent;
  if (absent.length !== before.length) return false;
  for (let position = 0; position < absent.length; position++) {
    const path = absent[position];
    if (path !== before[position] || lookup.inputs[path] !== ABSENT) return false;
  }
  const again: { file: StatedInput; facts: FileFacts | undefined }[] = [];
  for (let position = 0; position < files.length; position++) {
    const file = files[position];
    const facts = lstatFacts(file.absolute);
    const earlier = file.facts;
    const settled = facts?.kind === "file" && earlier !== undefined && sameFacts(facts, earlier) &&
      facts.mtimeMs < limit && facts.ctimeMs < limit;
    if (!settled) again.push({ file, facts });
  }
  for (const { file, facts } of again) {
    const expected = Object.hasOwn(lookup.inputs, file.path) ? lookup.inputs[file.path] : undefined;
    if (expected === undefined || facts === undefined) return false;
    if (await digestInput(index, file.absolute, facts) !== expected) return false;
  }
  return true;
}
