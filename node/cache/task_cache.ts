/**
 * The task cache behind the runner's cache hooks: computes keys, finds and
 * restores entries, explains misses and stores results.
 *
 * @module
 */

import { isAbsolute, join, resolve } from "node:path";
import type { CacheLookupInput, CacheLookupResult, CacheSaveInput } from "../cache_seam.ts";
import type { CacheBackend, RestoreChange } from "./backend.ts";
import { FileStateIndex, IndexSaveError } from "./file_index.ts";
import { FileBackend } from "./file_store.ts";
import {
  digestInputs,
  type InputDigests,
  overlayInputs,
  type StatedInputs,
  statInputs,
  unmatchedInputsWarning,
} from "./inputs.ts";
import { inputsStillMatch } from "./recheck.ts";
import { type KeyMemo, lookupKeyMemo, memoizedKey, recordKey } from "./key_memo.ts";
import { buildManifest, type KeyManifest, manifestKey, usesSecretKey } from "./manifest.ts";
import { MemoryBackend } from "./memory_store.ts";
import { joinWarnings, OutputOverlaps } from "./overlap.ts";
import { FILE_INDEX_PATH } from "./paths.ts";
import { type SaveOutcome, saveResult } from "./save_result.ts";
import { describe, type EnabledCache, findEntry, type FindOptions } from "./find_entry.ts";
import { ProjectSecretKey } from "./secret_key.ts";
import { type OutputsBefore, outputsBefore } from "./outputs_before.ts";
import { maskCacheText, maskedAnswer } from "./secret_text.ts";
import { outputLinkOf } from "./output_links.ts";
import { ImplicitInputsCheck } from "./implicit_inputs.ts";
import { distinctLists } from "./output_sets.ts";
import { ownOutputPatterns } from "./own_outputs.ts";
import {
  disabled,
  inputsAreOutputs,
  linkedOutputs,
  secretInName,
  unreadableInputs,
  unsupportedStore,
} from "./uncached.ts";

export { uncachedFingerprint } from "./uncached.ts";

export type { CachePrediction, PredictingTaskCache, TaskCacheOptions } from "./task_cache_types.ts";
import type { CachePrediction, PredictingTaskCache, TaskCacheOptions } from "./task_cache_types.ts";

/** The manifest of a lookup without its input digests. */
const NO_INPUTS: InputDigests = {};

/** A lookup's inputs with their stat facts, and every other part of its manifest. */
interface Prepared {
  readonly index: FileStateIndex;
  readonly stated: StatedInputs;
  readonly context: KeyManifest;
}

/**
 * Creates the task cache of one run.
 *
 * @example
 * ```ts
 * const cache = createTaskCache({ pipeline, rootDir: "/repo", runId: "20250101T000000Z-abcd" });
 * const found = await cache.lookup(lookupInput);
 * // ...run the task on a miss, then:
 * if (found.status === "miss") await cache.save({ ...saveInput, key: found.key });
 * await cache.close();
 * ```
 */
export function createTaskCache(options: TaskCacheOptions): PredictingTaskCache {
  return new TaskCache(options);
}

class TaskCache implements PredictingTaskCache {
  #options: TaskCacheOptions;
  #now: () => number;
  #index?: Promise<FileStateIndex>;
  readonly #secretKey: ProjectSecretKey;
  #backends = new Map<string, Promise<CacheBackend>>();
  #manifests = new Map<string, KeyManifest>();
  /** The key memo digests each lookup computed, by key, so `save` can tell inputs are unchanged. */
  #memos = new Map<string, KeyMemo>();
  /** The stated inputs of each lookup that missed, by key, for the check after the run. */
  #lookups = new Map<string, Prepared>();
  /** The output files of each lookup that missed, by key, as they were before the task ran. */
  #outputsBefore = new Map<string, OutputsBefore>();
  #warnedStores = new Set<string>();
  /** Cache files whose read failure a task of this run has already warned about. */
  #warnedFiles = new Set<string>();
  #pipelineOutputs?: (readonly string[])[];
  readonly #overlaps: OutputOverlaps;
  #implicitInputs?: ImplicitInputsCheck;

  constructor(options: TaskCacheOptions) {
    this.#options = options;
    this.#overlaps = new OutputOverlaps(options.pipeline);
    this.#now = options.now ?? Date.now;
    this.#secretKey = new ProjectSecretKey(options);
  }

  #fileIndex(): Promise<FileStateIndex> {
    this.#index ??= FileStateIndex.load(join(this.#options.rootDir, FILE_INDEX_PATH), this.#now);
    return this.#index;
  }

  #backend(cache: EnabledCache): Promise<CacheBackend> | undefined {
    if (cache.storeType !== "file" && cache.storeType !== "memory") return undefined;
    const id = `${cache.store}:${cache.namespace}`;
    let backend = this.#backends.get(id);
    if (!backend) {
      backend = this.#fileIndex().then((index) => {
        const { rootDir, pipeline } = this.#options;
        if (cache.storeType === "memory") return new MemoryBackend(rootDir, cache.namespace, index);
        const store = pipeline.cache.stores[cache.store];
        const root = store?.type === "file" ? store.root : join(".async", "cache", "tasks");
        const absolute = isAbsolute(root) ? root : resolve(rootDir, root);
        return new FileBackend(absolute, cache.namespace, index, this.#now);
      });
      this.#backends.set(id, backend);
    }
    return backend;
  }

  /** Returns the output pattern list of every task of the pipeline that declares outputs. */
  #outputs(): (readonly string[])[] {
    this.#pipelineOutputs ??= distinctLists(
      Object.values(this.#options.pipeline.tasks).map((task) => task.outputs),
    );
    return this.#pipelineOutputs;
  }

  /** Takes the stat facts of a lookup's inputs and builds every other part of its manifest. */
  async #prepare(input: CacheLookupInput): Promise<Prepared> {
    const [index, secretKey] = await Promise.all([this.#fileIndex(), this.#secretKey.load()]);
    index.withheld.add(input.secretValues);
    const stated = await statInputs(input.task, input.cwd, index, this.#outputs());
    const context = buildManifest(input, NO_INPUTS, this.#options.rootDir, secretKey);
    return { index, stated, context };
  }

  /** Digests the prepared inputs into the full manifest. */
  async #complete(
    input: CacheLookupInput,
    { index, stated, context }: Prepared,
    restored: readonly RestoreChange[] = [],
  ): Promise<KeyManifest> {
    const inputs = overlayInputs(input.task, await digestInputs(index, stated), restored);
    return { ...context, inputs };
  }

  /**
   * Builds the manifest of a lookup again after its task ran, to find inputs
   * that changed meanwhile. When the lookup had a key memo and the input
   * facts and other key parts still give the same digests, the inputs are
   * unchanged and the lookup's manifest is returned without digesting them.
   * Before that, the inputs are compared with the ones the lookup stated (see
   * {@link inputsStillMatch}), and only a difference builds a new manifest.
   * Returns the first input path that contains a secret value instead, when
   * there is one now.
   */
  async #manifestAfterRun(
    input: CacheLookupInput,
    key: string,
  ): Promise<KeyManifest | { withheld: string }> {
    const before = this.#manifests.get(key);
    const earlier = this.#lookups.get(key);
    this.#lookups.delete(key);
    if (before !== undefined && earlier !== undefined) {
      const secretKey = await this.#secretKey.load();
      const context = buildManifest(input, NO_INPUTS, this.#options.rootDir, secretKey);
      const lookup = { stated: earlier.stated, inputs: before.inputs };
      if (
        manifestKey(context) === manifestKey(earlier.context) &&
        await inputsStillMatch(input.task, input.cwd, earlier.index, this.#outputs(), lookup)
      ) {
        return before;
      }
    }
    const prepared = await this.#prepare(input);
    const { withheld } = prepared.stated.walked;
    if (withheld !== undefined) return { withheld };
    const memo = this.#memos.get(key);
    if (before !== undefined && memo !== undefined) {
      const now = lookupKeyMemo(input, prepared, this.#options.runId);
      if (now?.facts === memo.facts && now.context === memo.context) return before;
    }
    return await this.#complete(input, prepared);
  }

  async lookup(input: CacheLookupInput): Promise<CacheLookupResult> {
    return maskedAnswer((await this.#lookup(input)).answer, input.secretValues);
  }

  async predict(
    input: CacheLookupInput,
    restored: readonly RestoreChange[] = [],
  ): Promise<CachePrediction> {
    const prediction = await this.#lookup(input, restored, true);
    return { ...prediction, answer: maskedAnswer(prediction.answer, input.secretValues) };
  }

  /**
   * Looks up a task's entry. Only a prediction (`predicting`) lists the
   * input paths, which for a task with thousands of inputs is an array a
   * plain lookup would make for nothing.
   */
  async #lookup(
    input: CacheLookupInput,
    restored: readonly RestoreChange[] = [],
    predicting = false,
  ): Promise<CachePrediction> {
    const { task } = input;
    const { runId } = this.#options;
    this.#overlaps.see(task, input.cwd);
    const answer = (result: CacheLookupResult): CachePrediction => ({
      answer: result,
      restoreChanges: [],
      inputPaths: [],
      provisionalKey: false,
    });
    if (!task.cache.enabled) return answer(disabled(runId, task, { kind: "uncacheable" }));
    const backendPromise = this.#backend(task.cache);
    if (!backendPromise) {
      return answer(unsupportedStore(runId, task, task.cache, this.#warnedStores));
    }
    const link = outputLinkOf(input.cwd, task.outputs);
    if (link !== undefined) return answer(linkedOutputs(runId, task, link));

    let prepared: Prepared;
    try {
      prepared = await this.#prepare(input);
    } catch (error) {
      return answer(unreadableInputs(runId, task, error, this.#warnedFiles));
    }
    // An entry would store the path: the task runs uncached, and the index is saved without it.
    const { withheld } = prepared.stated.walked;
    if (withheld !== undefined) {
      prepared.index.withheld.seen = true;
      return answer(secretInName(runId, task, withheld, input.secretValues));
    }
    // A hit would write stored outputs over files that an input pattern names.
    try {
      const patterns = await ownOutputPatterns(task, input.cwd, prepared.index, prepared.stated);
      if (patterns.length > 0) return answer(inputsAreOutputs(runId, task, patterns));
    } catch (error) {
      return answer(unreadableInputs(runId, task, error, this.#warnedFiles));
    }
    const found = await this.#lookupPrepared(
      input,
      task.cache,
      prepared,
      backendPromise,
      restored,
      predicting,
    );
    const overlap = found.answer.status === "hit"
      ? await this.#overlaps.check(task, input.cwd, prepared.index, "restored")
      : undefined;
    this.#implicitInputs ??= new ImplicitInputsCheck(this.#options.pipeline.tasks);
    const unmatched = unmatchedInputsWarning(task, prepared.stated) ??
      await this.#implicitInputs.warning(task, input.cwd);
    const warning = joinWarnings(found.answer.warning, [unmatched, overlap]);
    return warning === found.answer.warning
      ? found
      : { ...found, answer: { ...found.answer, warning } };
  }

  /** Looks up a task's entry once its inputs are stated: see {@link #lookup}. */
  async #lookupPrepared(
    input: CacheLookupInput,
    cache: EnabledCache,
    prepared: Prepared,
    backendPromise: Promise<CacheBackend>,
    restored: readonly RestoreChange[],
    predicting: boolean,
  ): Promise<CachePrediction> {
    const { task } = input;
    const forced = input.force || this.#options.force;
    const memo = restored.length === 0
      ? lookupKeyMemo(input, prepared, this.#options.runId)
      : undefined;
    const memoized = memo && memoizedKey(prepared.index, memo.slot, memo.facts, memo.context);
    if (memoized !== undefined && !forced && !this.#options.readOnly) {
      // Only a hit is returned from the memo. Anything else takes the full
      // path below, which also builds the manifest that explains a miss.
      const backend = await backendPromise;
      const found = await findEntry(
        this.#findOptions(backend, cache, input),
        memoized,
        () => undefined,
      );
      if (found.answer.status === "hit") return { ...found, inputPaths: [], provisionalKey: false };
    }

    let manifest: KeyManifest;
    try {
      manifest = await this.#complete(input, prepared, restored);
    } catch (error) {
      const unreadable = unreadableInputs(this.#options.runId, task, error, this.#warnedFiles);
      return { answer: unreadable, restoreChanges: [], inputPaths: [], provisionalKey: false };
    }
    const key = manifestKey(manifest);
    this.#manifests.set(key, manifest);
    if (restored.length === 0 && !this.#options.readOnly) this.#lookups.set(key, prepared);
    if (memo !== undefined && !this.#options.readOnly) {
      this.#memos.set(key, memo);
      recordKey(prepared.index, memo.slot, memo, key);
    }
    const known = {
      inputPaths: predicting ? Object.keys(manifest.inputs) : [],
      provisionalKey: this.#secretKey.provisional && usesSecretKey(input),
    };
    if (forced) {
      const answer: CacheLookupResult = {
        status: "miss",
        key,
        fingerprint: key,
        reason: { kind: "forced" },
      };
      await this.#noteOutputsBefore(input, cache, prepared, key);
      return { answer, restoreChanges: [], ...known };
    }
    const backend = await backendPromise;
    const found = await findEntry(
      this.#findOptions(backend, cache, input),
      key,
      () => manifest,
    );
    if (found.answer.status === "hit") this.#lookups.delete(key);
    else await this.#noteOutputsBefore(input, cache, prepared, key);
    return { ...found, answer: this.#secretKey.explainMiss(input, found.answer), ...known };
  }

  /**
   * Records the output files of a task whose lookup missed, before it runs,
   * so that its entry can tell the files it wrote from those it left alone.
   * Only file stores restore outputs, so only they need it.
   */
  async #noteOutputsBefore(
    input: CacheLookupInput,
    cache: EnabledCache,
    prepared: Prepared,
    key: string,
  ): Promise<void> {
    const { outputs } = input.task;
    if (this.#options.readOnly || cache.storeType !== "file" || outputs.length === 0) return;
    this.#outputsBefore.set(key, await outputsBefore(input.cwd, outputs, prepared.index));
  }

  #findOptions(backend: CacheBackend, cache: EnabledCache, input: CacheLookupInput): FindOptions {
    return { backend, cache, input, now: this.#now, readOnly: this.#options.readOnly === true };
  }

  async save(input: CacheSaveInput): Promise<SaveOutcome> {
    let outcome = await this.#save(input);
    if (outcome.stored) {
      const index = await this.#fileIndex();
      const overlap = await this.#overlaps.check(input.task, input.cwd, index, "stored");
      const warning = joinWarnings(outcome.warning, [overlap]);
      if (warning !== undefined) outcome = { ...outcome, warning };
    }
    if (outcome.warning === undefined) return outcome;
    return { ...outcome, warning: maskCacheText(outcome.warning, input.lookup.secretValues) };
  }

  async #save(input: CacheSaveInput): Promise<SaveOutcome> {
    const { task } = input;
    if (!task.cache.enabled || this.#options.readOnly) return { stored: false };
    const backendPromise = this.#backend(task.cache);
    if (!backendPromise) return { stored: false };

    let manifest: KeyManifest | { withheld: string };
    try {
      manifest = await this.#manifestAfterRun(input.lookup, input.key);
    } catch (error) {
      return {
        stored: false,
        warning: `task "${task.id}" was not cached: its inputs could not be read again (${
          describe(error)
        }).`,
      };
    }
    const before = this.#manifests.get(input.key);
    const outputs = this.#outputsBefore.get(input.key);
    this.#outputsBefore.delete(input.key);
    const { withheld, ...outcome } = await saveResult(
      backendPromise,
      input,
      manifest,
      before,
      this.#now,
      outputs,
    );
    if (withheld) (await this.#fileIndex()).withheld.seen = true;
    return outcome;
  }

  async close(): Promise<void> {
    if (!this.#index || this.#options.readOnly) return;
    const index = await this.#index;
    try {
      await index.save();
    } catch (error) {
      // The run stays valid: an index that cannot be saved only costs reading files again.
      const path = error instanceof IndexSaveError ? error.path : index.path;
      throw new Error(
        `the file-state index could not be saved to ${path} (${describe(error)}), ` +
          `so the next run reads every input again. Remove or repair that path.`,
      );
    }
  }
}
