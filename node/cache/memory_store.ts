/**
 * The process-local memory store. It keeps no copies of output files: it
 * records what the outputs looked like after the run, and an entry counts as
 * a hit only while every recorded output is still on disk unchanged.
 *
 * @module
 */

import type { CacheBackend, FoundEntry, LatestEntry, NewEntry, TaskLocation } from "./backend.ts";
import { OutputsChangedError } from "./backend.ts";
import { sha256 } from "./digest.ts";
import { ENTRY_SCHEMA_VERSION, type EntryResult, type OutputRecord } from "./entry.ts";
import type { FileStateIndex } from "./file_index.ts";
import { firstChangedOutput, observeOutputs } from "./outputs.ts";
import { storedManifest } from "./stored_manifest.ts";

interface MemoryEntry {
  readonly result: EntryResult;
  readonly outputs: readonly OutputRecord[] | null;
}

interface MemoryNamespace {
  readonly entries: Map<string, MemoryEntry>;
  readonly latest: Map<string, string>;
}

/** Every memory namespace of this process, by project directory and namespace. */
const namespaces = new Map<string, MemoryNamespace>();

function namespaceFor(rootDir: string, namespace: string): MemoryNamespace {
  const id = `${rootDir}\0${namespace}`;
  let found = namespaces.get(id);
  if (!found) {
    found = { entries: new Map(), latest: new Map() };
    namespaces.set(id, found);
  }
  return found;
}

/** Drops every memory entry of the project at `rootDir`; returns how many there were. */
export function clearMemoryEntries(rootDir: string): number {
  let removed = 0;
  for (const [id, namespace] of namespaces) {
    if (!id.startsWith(`${rootDir}\0`)) continue;
    removed += namespace.entries.size;
    namespaces.delete(id);
  }
  return removed;
}

/** The memory store of one namespace of one project. */
export class MemoryBackend implements CacheBackend {
  #namespace: MemoryNamespace;
  #index: FileStateIndex;

  constructor(rootDir: string, namespace: string, index: FileStateIndex) {
    this.#namespace = namespaceFor(rootDir, namespace);
    this.#index = index;
  }

  find(key: string, location: TaskLocation): Promise<FoundEntry> {
    const entry = this.#namespace.entries.get(key);
    if (!entry) return Promise.resolve({ status: "missing" });
    const restore = async () => {
      if (!entry.outputs) return;
      const changed = await firstChangedOutput(location.cwd, entry.outputs, this.#index);
      if (changed !== undefined) throw new OutputsChangedError(changed);
    };
    // This store writes nothing on a hit, so checking is all a restore does.
    const verify = async () => {
      await restore();
      return [];
    };
    return Promise.resolve({ status: "found", result: entry.result, restore, verify });
  }

  latest(taskId: string): Promise<LatestEntry | undefined> {
    const key = this.#namespace.latest.get(taskId);
    const result = key === undefined ? undefined : this.#namespace.entries.get(key)?.result;
    return Promise.resolve(
      result === undefined ? undefined : { ...result, manifest: storedManifest(result.manifest) },
    );
  }

  async save(entry: NewEntry, location: TaskLocation): Promise<readonly OutputRecord[]> {
    const outputs = location.task.outputs.length > 0
      ? await observeOutputs(location.cwd, location.task.outputs, this.#index)
      : null;
    const result: EntryResult = {
      schemaVersion: ENTRY_SCHEMA_VERSION,
      ...entry,
      outputs: outputs ? { digest: sha256(JSON.stringify(outputs)), count: outputs.length } : null,
    };
    this.#namespace.entries.set(entry.key, { result, outputs });
    this.#namespace.latest.set(entry.taskId, entry.key);
    return outputs ?? [];
  }

  touch(key: string, taskId: string): Promise<void> {
    this.#namespace.latest.set(taskId, key);
    return Promise.resolve();
  }
}
