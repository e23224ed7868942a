/**
 * Restored-output memos. A memo records which entry's outputs a task
 * location holds, with the facts of each output path. A later hit on the
 * same entry then skips reading `outputs.json`, verifying stored copies and
 * comparing contents, as long as nothing under the output patterns changed.
 *
 * A memo is written when a hit's restore plan finds the disk already
 * matching the entry, so after a restore that wrote files, the next hit
 * records it. It is valid while the output listing (through its walk memo)
 * names the same paths and each path keeps its kind, inode and mode and, for
 * files and links, its size, mtime and ctime. As with the file-state index,
 * a file or link whose mtime or ctime lies within {@link RACY_WINDOW_MS} of
 * the moment the memo was taken does not validate it. The next hit then
 * checks the disk again and records a fresh memo. Outputs whose paths
 * contain a value the index withholds (a secret of the run) get no memo.
 *
 * @module
 */

import { join } from "node:path";
import { sha256 } from "./digest.ts";
import type { OutputRecord } from "./entry.ts";
import { type FactKind, lstatFacts } from "./facts.ts";
import { type FileStateIndex, RACY_WINDOW_MS } from "./file_index.ts";
import { listOutputs } from "./outputs.ts";

const MEMO_VERSION = 1;

/** `[path, kind, ino, mode, size, mtimeMs, ctimeMs]`. The last three are 0 for directories. */
type PathFact = [string, FactKind, number, number, number, number, number];

interface RestoredData {
  version: number;
  /** Key and `outputs.json` digest of the entry the disk held. */
  key: string;
  outputs: string;
  /** When the disk was checked, in milliseconds since the epoch. */
  at: number;
  paths: PathFact[];
}

function memoKey(cwd: string, patterns: readonly string[]): string {
  return sha256(JSON.stringify(["restored", cwd, patterns]));
}

function isRestoredData(value: unknown): value is RestoredData {
  const data = value as Partial<RestoredData> | null;
  return data?.version === MEMO_VERSION && typeof data.key === "string" &&
    typeof data.outputs === "string" && typeof data.at === "number" && Array.isArray(data.paths);
}

/** The location of a task's outputs and the entry they should come from. */
export interface RestoredTarget {
  readonly index: FileStateIndex;
  readonly cwd: string;
  readonly patterns: readonly string[];
  /** Key of the entry. */
  readonly key: string;
  /** Digest of the entry's `outputs.json`. */
  readonly outputs: string;
}

/**
 * Returns true when the disk under `target.cwd` still contains exactly the
 * entry's outputs, as last recorded for this location. A memo that names a
 * path with a withheld value is dropped instead.
 */
export async function outputsStillRestored(target: RestoredTarget): Promise<boolean> {
  const memo = target.index.memo(memoKey(target.cwd, target.patterns));
  if (!isRestoredData(memo) || memo.key !== target.key || memo.outputs !== target.outputs) {
    return false;
  }
  if (memo.paths.some(([path]) => target.index.withheld.in(path))) {
    target.index.dropMemo(memoKey(target.cwd, target.patterns));
    return false;
  }
  const limit = memo.at - RACY_WINDOW_MS;
  for (const [path, kind, ino, mode, size, mtimeMs, ctimeMs] of memo.paths) {
    const facts = lstatFacts(join(target.cwd, path));
    if (
      facts === undefined || facts.kind !== kind || facts.ino !== ino || facts.mode !== mode ||
      (kind !== "directory" && (facts.size !== size || facts.mtimeMs !== mtimeMs ||
        facts.ctimeMs !== ctimeMs || mtimeMs >= limit || ctimeMs >= limit))
    ) {
      return false;
    }
  }
  const listed = await listOutputs(target.cwd, target.patterns, target.index);
  if (listed.length !== memo.paths.length) return false;
  return listed.every((entry, position) => entry.path === memo.paths[position][0]);
}

/**
 * Records that the disk contains the entry's outputs `records`, as checked
 * from the moment `at`. `records` also lists the other paths the output
 * patterns match that the restore kept. Paths that no longer exist are left
 * out, so the memo fails its next check. Records none, and drops the
 * location's memo, when a path contains a value the index withholds.
 */
export function recordRestored(
  target: RestoredTarget,
  records: readonly Pick<OutputRecord, "path">[],
  at: number,
): void {
  if (records.some((record) => target.index.withheld.in(record.path))) {
    target.index.dropMemo(memoKey(target.cwd, target.patterns));
    return;
  }
  const paths: PathFact[] = [];
  for (const record of [...records].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    const facts = lstatFacts(join(target.cwd, record.path));
    if (facts === undefined) continue;
    const directory = facts.kind === "directory";
    paths.push([
      record.path,
      facts.kind,
      facts.ino,
      facts.mode,
      directory ? 0 : facts.size,
      directory ? 0 : facts.mtimeMs,
      directory ? 0 : facts.ctimeMs,
    ]);
  }
  target.index.setMemo(
    memoKey(target.cwd, target.patterns),
    {
      version: MEMO_VERSION,
      key: target.key,
      outputs: target.outputs,
      at,
      paths,
    } satisfies RestoredData,
    paths.length,
  );
}
