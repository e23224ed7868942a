/**
 * The check after a task ran: are its inputs still what its lookup found?
 *
 * The lookup stated every input and digested the manifest from those facts.
 * After the run the inputs are listed and stated again. A regular file whose
 * facts are unchanged and were settled (older than the racy window) when the
 * lookup took them still has the digest the lookup used, by the same
 * argument the file-state index relies on. Only the other inputs are
 * digested again and compared one by one, so a task with thousands of inputs
 * does not build a second record of every digest.
 *
 * @module
 */

import type { FileFacts } from "./facts.ts";
import { type FileStateIndex, RACY_WINDOW_MS } from "./file_index.ts";
import { ABSENT, digestInput, type InputDigests, type StatedInputs } from "./inputs.ts";

function sameFacts(a: FileFacts, b: FileFacts): boolean {
  return a.kind === b.kind && a.size === b.size && a.mtimeMs === b.mtimeMs &&
    a.ctimeMs === b.ctimeMs && a.ino === b.ino && a.mode === b.mode;
}

/**
 * Returns true when the inputs stated in `now` have exactly the digests of
 * `inputs`, the manifest inputs that the lookup computed from `before`.
 * Returns false on any difference, including a path that appeared or
 * vanished; the caller then builds the whole manifest to report it. Throws
 * what digesting a file throws.
 */
export async function inputsUnchanged(
  index: FileStateIndex,
  before: StatedInputs,
  now: StatedInputs,
  inputs: InputDigests,
): Promise<boolean> {
  const old = before.files;
  const current = now.files;
  if (old.length !== current.length) return false;
  const { absent } = now.walked;
  if (absent.length !== before.walked.absent.length) return false;
  for (let position = 0; position < absent.length; position++) {
    const path = absent[position];
    if (path !== before.walked.absent[position] || inputs[path] !== ABSENT) return false;
  }
  const limit = before.at - RACY_WINDOW_MS;
  for (let position = 0; position < current.length; position++) {
    const file = current[position];
    if (file.path !== old[position].path) return false;
    const expected = Object.hasOwn(inputs, file.path) ? inputs[file.path] : undefined;
    if (expected === undefined) return false;
    const facts = file.facts;
    if (facts === undefined) return false;
    const earlier = old[position].facts;
    const settled = facts.kind === "file" && earlier !== undefined && sameFacts(facts, earlier) &&
      facts.mtimeMs < limit && facts.ctimeMs < limit;
    if (settled) continue;
    if (await digestInput(index, file.absolute, facts) !== expected) return false;
  }
  return true;
}
