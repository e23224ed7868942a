/**
 * The persistent file store. Layout under the store root:
 *
 * ```text
 * <namespace>/<key>/result.json     result, logs and key manifest
 * <namespace>/<key>/outputs.json    recorded output paths (tasks with outputs)
 * <namespace>/<key>/files/<sha256>  one copy per distinct output content
 * <namespace>/.latest/<sha256(task id)>.json   key of the task's newest entry
 * <namespace>/.tmp/                 entries being written
 * ```
 *
 * An entry is written completely in `.tmp/` and renamed into place, so a
 * reader sees either no entry or a whole one, also with concurrent writers.
 * The entry directory's mtime records its last use.
 *
 * @module
 */

import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { rename, rm, utimes, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { namingPath } from "../atomic_write.ts";
import { sha256, writeJsonFile } from "./digest.ts";
import { lstatFacts } from "./facts.ts";
import type {
  CacheBackend,
  FoundEntry,
  LatestEntry,
  NewEntry,
  RestoreChange,
  TaskLocation,
} from "./backend.ts";
import {
  DamagedEntryError,
  ENTRY_SCHEMA_VERSION,
  type EntryResult,
  logsDigest,
  type OutputRecord,
  type OutputsManifest,
  parseEntryResult,
  parseOutputsManifest,
  type StoredResult,
} from "./entry.ts";
import type { FileStateIndex } from "./file_index.ts";
import { fileInputDigest } from "./inputs.ts";
import { applyRestore, planRestore, type RestorePlan } from "./restore.ts";
import { outputsStillRestored, recordRestored, type RestoredTarget } from "./restored_memo.ts";
import { copyOutputs } from "./snapshot.ts";
import { markForeign } from "./outputs_before.ts";
import { readStoredManifest, storedManifest } from "./stored_manifest.ts";
import { isMissing } from "./walk.ts";

/** An entry's last-use time is refreshed when it is older than this. */
const TOUCH_GRANULARITY_MS = 60 * 60 * 1000;

/** Attempts to move a finished entry into place when other writers keep replacing it. */
const COMMIT_ATTEMPTS = 5;

/** Returns the directory name used for a namespace; `.` and `..` are encoded so they stay inside the root. */
export function namespaceDirectory(namespace: string): string {
  return namespace === "." || namespace === ".." || namespace.startsWith(".")
    ? `ns-${sha256(namespace).slice(0, 16)}`
    : namespace;
}

/**
 * Reads a small metadata file of the store, or returns undefined when it does
 * not exist. The read is synchronous: these files are a few kilobytes, and a
 * warm run reads two per task, where a promise-based read costs four
 * round trips through the thread pool.
 */
function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw namingPath(error, path);
  }
}

/** Lists the files that applying `plan` would change, relative to `cwd`. */
function restoreChanges(cwd: string, plan: RestorePlan): RestoreChange[] {
  const path = (absolute: string) => relative(cwd, absolute).split(sep).join("/");
  const changes: RestoreChange[] = [];
  for (const { record } of plan.writes) {
    if (record.kind === "file") {
      changes.push({ kind: "write", path: record.path, digest: fileInputDigest(record) });
    } else if (record.kind === "symlink") changes.push({ kind: "unknown", path: record.path });
  }
  for (const file of plan.staleFiles) changes.push({ kind: "remove", path: path(file) });
  for (const directory of plan.replacedDirectories) {
    changes.push({ kind: "unknown", path: path(directory) });
  }
  return changes;
}

/** Returns true when applying `plan` would leave the disk as it is. */
function changesNothing(plan: RestorePlan): boolean {
  return plan.writes.length === 0 && plan.staleFiles.length === 0 &&
    plan.staleDirectories.length === 0 && plan.replacedDirectories.length === 0;
}

/** Writes `text` to `path` through a temporary file and a rename. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temp = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(temp, text);
    await rename(temp, path);
  } finally {
    await rm(temp, { force: true });
  }
}

/** The file store of one namespace. */
export class FileBackend implements CacheBackend {
  readonly directory: string;
  #index: FileStateIndex;
  #now: () => number;
  /** Store directories this backend created or found, so each is made once. */
  #created = new Set<string>();

  /** `root` is the absolute store root, such as `<project>/.async/cache/tasks`. */
  constructor(root: string, namespace: string, index: FileStateIndex, now: () => number) {
    this.directory = join(root, namespaceDirectory(namespace));
    this.#index = index;
    this.#now = now;
  }

  #entryDirectory(key: string): string {
    return join(this.directory, key);
  }

  #latestPath(taskId: string): string {
    return join(this.directory, ".latest", `${sha256(taskId)}.json`);
  }

  async find(key: string, location: TaskLocation): Promise<FoundEntry> {
    const directory = this.#entryDirectory(key);
    try {
      const text = readText(join(directory, "result.json"));
      if (text === undefined) return { status: "missing" };
      const result = parseEntryResult(text, key);
      const target: RestoredTarget | undefined = result.outputs === null ? undefined : {
        index: this.#index,
        cwd: location.cwd,
        patterns: location.task.outputs,
        key,
        outputs: result.outputs.digest,
      };
      if (target !== undefined && await outputsStillRestored(target)) {
        return {
          status: "found",
          result,
          restore: () => Promise.resolve(),
          verify: () => Promise.resolve([]),
        };
      }
      const outputs = this.#readOutputs(directory, result);
      const blobPath = (digest: string) => join(directory, "files", digest);
      const plan = (snapshot: OutputsManifest) =>
        planRestore(
          location.cwd,
          snapshot,
          location.task.outputs,
          blobPath,
          this.#index,
          this.#previousOutputs(location.task.id, key, snapshot),
        );
      const restore = async () => {
        if (!outputs || target === undefined) return;
        const checkedAt = this.#index.now();
        const planned = await plan(outputs);
        if (changesNothing(planned)) {
          const kept = planned.kept.map((path) => ({ path }));
          recordRestored(target, [...outputs.entries, ...kept], checkedAt);
        } else await applyRestore(planned, blobPath, this.#index);
      };
      const verify = async () => (outputs ? restoreChanges(location.cwd, await plan(outputs)) : []);
      return { status: "found", result, restore, verify };
    } catch (error) {
      if (error instanceof DamagedEntryError) return { status: "damaged", message: error.message };
      throw error;
    }
  }

  #readOutputs(directory: string, result: StoredResult): OutputsManifest | undefined {
    if (result.outputs === null) return undefined;
    const text = readText(join(directory, "outputs.json"));
    if (text === undefined) throw new DamagedEntryError("outputs.json is missing");
    if (sha256(text) !== result.outputs.digest) {
      throw new DamagedEntryError("outputs.json does not match the digest in result.json");
    }
    const outputs = parseOutputsManifest(text);
    if (outputs.entries.length !== result.outputs.count) {
      throw new DamagedEntryError("outputs.json has the wrong number of entries");
    }
    return outputs;
  }

  /**
   * Returns the output records of the entry the `.latest` pointer of
   * `taskId` names, by path: the outputs the task last stored or restored.
   * When that entry is `key` itself, returns the records of `snapshot`, its
   * outputs. Returns an empty map when the entry has no outputs or cannot be
   * read, so a restore then removes nothing and replaces no existing file.
   */
  #previousOutputs(
    taskId: string,
    key: string,
    snapshot: OutputsManifest,
  ): Map<string, OutputRecord> {
    const latest = this.#latestKey(taskId);
    if (latest === key) return new Map(snapshot.entries.map((record) => [record.path, record]));
    // Without a readable previous entry no file is known to be the task's,
    // so none is removed or replaced.
    return (latest === undefined ? undefined : this.#outputsOf(latest)) ?? new Map();
  }

  /** Returns the key the `.latest` pointer of `taskId` names, or undefined when it is unreadable. */
  #latestKey(taskId: string): string | undefined {
    try {
      const pointer = JSON.parse(readText(this.#latestPath(taskId)) ?? "null");
      return pointer?.taskId === taskId && typeof pointer.key === "string"
        ? pointer.key
        : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Returns the output records of the entry the `.latest` pointer of
   * `taskId` names, by path, or undefined when there is none or it cannot
   * be read.
   */
  #latestOutputs(taskId: string): Map<string, OutputRecord> | undefined {
    const key = this.#latestKey(taskId);
    return key === undefined ? undefined : this.#outputsOf(key);
  }

  /** Returns the output records of the entry `key`, by path, or undefined when it cannot be read. */
  #outputsOf(key: string): Map<string, OutputRecord> | undefined {
    try {
      const directory = this.#entryDirectory(key);
      const text = readText(join(directory, "result.json"));
      if (text === undefined) return undefined;
      const outputs = this.#readOutputs(directory, parseEntryResult(text, key));
      return new Map((outputs?.entries ?? []).map((record) => [record.path, record]));
    } catch {
      return undefined;
    }
  }

  latest(taskId: string): Promise<LatestEntry | undefined> {
    return Promise.resolve(this.#latestSync(taskId));
  }

  /** Reads the entry the `.latest` pointer of `taskId` names, or undefined when it is unreadable. */
  #latestSync(taskId: string): LatestEntry | undefined {
    try {
      const pointer = JSON.parse(readText(this.#latestPath(taskId)) ?? "null");
      if (pointer?.taskId !== taskId || typeof pointer.key !== "string") return undefined;
      const directory = this.#entryDirectory(pointer.key);
      const text = readText(join(directory, "result.json"));
      if (text === undefined) return undefined;
      const { manifestDigest, ...stored } = parseEntryResult(text, pointer.key);
      if (stored.manifest !== undefined) {
        return { ...stored, manifest: storedManifest(stored.manifest) };
      }
      // Read as bytes: the inputs of a large manifest are compared in place.
      const manifest = readFileSync(join(directory, "manifest.json"));
      if (manifestDigest === undefined) return undefined;
      return { ...stored, manifest: readStoredManifest(manifest, manifestDigest) };
    } catch {
      return undefined;
    }
  }

  async save(entry: NewEntry, location: TaskLocation): Promise<readonly OutputRecord[]> {
    // The entry's own files are written with synchronous calls: they are
    // small, and a promise per call costs more than the call.
    const temp = join(this.directory, ".tmp", randomUUID());
    let committed = false;
    try {
      this.#writeIn(join(this.directory, ".tmp"), () => mkdirSync(temp));
      mkdirSync(join(temp, "files"));
      let outputs: EntryResult["outputs"] = null;
      let entries: OutputRecord[] = [];
      if (location.task.outputs.length > 0) {
        const copied = await copyOutputs(
          location.cwd,
          location.task.outputs,
          join(temp, "files"),
          this.#index,
          location.before,
        );
        entries = copied.untouched.size === 0
          ? copied.records
          : markForeign(copied.records, copied.untouched, this.#latestOutputs(entry.taskId));
        const manifest: OutputsManifest = {
          schemaVersion: ENTRY_SCHEMA_VERSION,
          patterns: location.task.outputs,
          entries,
        };
        const text = JSON.stringify(manifest);
        writeFileSync(join(temp, "outputs.json"), text);
        outputs = { digest: sha256(text), count: entries.length };
      }
      const { manifest, ...rest } = entry;
      // Written in pieces, because with many inputs the manifest text is megabytes.
      const manifestDigest = writeJsonFile(join(temp, "manifest.json"), manifest);
      const result: StoredResult = {
        schemaVersion: ENTRY_SCHEMA_VERSION,
        ...rest,
        manifestDigest,
        logsDigest: logsDigest(entry),
        outputs,
      };
      writeFileSync(join(temp, "result.json"), JSON.stringify(result));
      committed = this.#commit(temp, this.#entryDirectory(entry.key));
      this.#pointLatest(entry.taskId, entry.key);
      return entries;
    } finally {
      // A committed temporary directory became the entry. One that lost every
      // attempt to another writer's complete entry is removed like a failed one.
      // Its removal must not hide the error that stopped the save, such as a file in place of `.tmp`.
      if (!committed) {
        try {
          rmSync(temp, { recursive: true, force: true });
        } catch {
          // Nothing was created there, or `gc` removes it later.
        }
      }
    }
  }

  /**
   * Moves a finished entry into place, setting aside any entry already there.
   * Every move-aside is followed by another rename attempt, so the last thing
   * any writer does to `target` leaves a complete entry in place. Returns
   * false when every attempt lost, leaving another writer's entry in place.
   */
  #commit(temp: string, target: string): boolean {
    for (let attempt = 1; attempt <= COMMIT_ATTEMPTS; attempt++) {
      try {
        renameSync(temp, target);
        return true;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
      }
      // Another writer's entry is in place and just as complete, so keep it.
      if (attempt === COMMIT_ATTEMPTS) return false;
      const trash = join(this.directory, ".tmp", `old-${randomUUID()}`);
      try {
        renameSync(target, trash);
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
      rmSync(trash, { recursive: true, force: true });
    }
    return false;
  }

  async touch(key: string, taskId: string): Promise<void> {
    const directory = this.#entryDirectory(key);
    const now = this.#now();
    const facts = lstatFacts(directory);
    if (facts === undefined) return;
    // Last use only has to be right to the hour for `gc --cache-days`, so a
    // warm run does not rewrite the timestamps of every entry it hits.
    if (facts.mtimeMs < now - TOUCH_GRANULARITY_MS || facts.mtimeMs > now) {
      try {
        await utimes(directory, new Date(now), new Date(now));
      } catch (error) {
        if (isMissing(error)) return;
        throw error;
      }
    }
    this.#pointLatest(taskId, key);
  }

  /**
   * Runs `write`, which creates a file or directory in `directory`. The
   * directory is made once per backend, and again when `write` finds it
   * missing, as after `cache clear` removed the store during the run.
   */
  #writeIn(directory: string, write: () => void): void {
    if (!this.#created.has(directory)) {
      mkdirSync(directory, { recursive: true });
      this.#created.add(directory);
    }
    try {
      write();
    } catch (error) {
      if (!isMissing(error)) throw error;
      mkdirSync(directory, { recursive: true });
      write();
    }
  }

  /** Writes the `.latest` pointer of `taskId`, unless it already names `key`. */
  #pointLatest(taskId: string, key: string): void {
    const text = JSON.stringify({ taskId, key });
    const path = this.#latestPath(taskId);
    try {
      if (readText(path) === text) return;
    } catch {
      // An unreadable pointer is rewritten.
    }
    const temp = `${path}.${randomUUID()}.tmp`;
    try {
      this.#writeIn(dirname(path), () => writeFileSync(temp, text));
      renameSync(temp, path);
    } finally {
      rmSync(temp, { force: true });
    }
  }
}
