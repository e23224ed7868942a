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
  type StatedInputs,
  visitInputs,
} from "./inputs.ts";

function sameFacts(a: FileFacts, b: FileFacts): boolean {
  return a.kind === b.kind && a.size === b.size && a.mtimeMs === b.mtimeMs &&
    a.ctimeMs === b.ctimeMs && a.ino === b.ino && a.mode === b.mode;
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
  pipelineOutputs: readonly (readonly string[])[],
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
    const position = differs ? -1 : files.find(path);
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
  const again: { row: number; facts: FileFacts | undefined }[] = [];
  for (let row = 0; row < files.length; row++) {
    const facts = lstatFacts(files.absolute(row));
    const earlier = files.facts(row);
    const settled = facts?.kind === "file" && earlier !== undefined && sameFacts(facts, earlier) &&
      facts.mtimeMs < limit && facts.ctimeMs < limit;
    if (!settled) again.push({ row, facts });
  }
  for (const { row, facts } of again) {
    const path = files.path(row);
    const expected = Object.hasOwn(lookup.inputs, path) ? lookup.inputs[path] : undefined;
    if (expected === undefined || facts === undefined) return false;
    if (await digestInput(index, files.absolute(row), facts) !== expected) return false;
  }
  return true;
}
