/**
 * The key manifest: everything that goes into a task's cache key, kept with
 * each entry so a later miss can report what changed. It contains paths, env
 * names and digests only, never a raw env value.
 *
 * @module
 */

import { relative } from "node:path";
import { type CacheLookupInput, secretKeyTextDigest } from "../cache_seam.ts";
import type { CacheChanges } from "../types.ts";
import { canonicalDigest, canonicalJson, secretDigest, sha256 } from "./digest.ts";
import { ABSENT, type InputDigests } from "./inputs.ts";
import {
  buildKeySource,
  diffKeySources,
  isKeySource,
  type KeySource,
  prepareHoldsSecret,
} from "./source_part.ts";
import type { StoredInputs, StoredManifest } from "./stored_manifest.ts";

/**
 * Version of the key recipe; changing it invalidates every entry. Version 2
 * keeps step texts out of `definition`, so a new command shows only as a
 * command change.
 */
export const KEY_VERSION = 2;

/** Every part of a cache key, as paths, names and digests. */
export interface KeyManifest {
  readonly keyVersion: number;
  readonly taskId: string;
  /**
   * Digest of the step texts: rendered shell commands and function sources.
   * When a step text contains a secret, this is a keyed digest like the env's.
   */
  readonly command: string;
  /**
   * Digest of the rest of the definition that shapes a result: input and
   * output patterns, the task directory relative to the project, and the
   * platform (outputs built on one operating system may not work on another).
   */
  readonly definition: string;
  /** Input path to digest text, see {@link InputDigests}. */
  readonly inputs: InputDigests;
  /** Env name to a digest of its value (`unset` when missing); secret values use a keyed digest. */
  readonly env: Readonly<Record<string, string>>;
  /** Direct dependency id to its cache fingerprint. */
  readonly dependencies: Readonly<Record<string, string>>;
  /**
   * The source part of a source task's key. Absent for every other task, so
   * this member leaves the keys of tasks without sources unchanged.
   */
  readonly source?: KeySource;
  /**
   * Name of the executor that ran the steps, for any executor but the host:
   * a recording or sandbox run never shares entries with a host run. Absent
   * for the host, so host keys are unchanged.
   */
  readonly executor?: string;
}

/** The executor name that a manifest without an `executor` member means. */
const HOST_EXECUTOR = "host";

/** The differences between two manifests of the same task. */
export type ManifestChanges = CacheChanges;

function containsSecret(text: string, secrets: readonly string[]): boolean {
  return secrets.some((secret) => secret !== "" && text.includes(secret));
}

function envDigest(value: string | undefined, secrets: readonly string[], key: Uint8Array): string {
  if (value === undefined) return "unset";
  return containsSecret(value, secrets) ? secretDigest(value, key) : sha256(`value\0${value}`);
}

/** Returns what marks a secret in a step text: its key-text digest, or the value itself. */
function secretMarkers(input: CacheLookupInput): string[] {
  return input.secretValues.filter((secret) => secret !== "")
    .flatMap((secret) => [secret, secretKeyTextDigest(secret)]);
}

/**
 * Returns true when a step text contains a secret: its key-text digest, or the
 * value itself when a deferred step put it into the command as plain text.
 */
export function stepsHoldSecret(input: CacheLookupInput): boolean {
  const markers = secretMarkers(input);
  return input.stepTexts.some((text) => containsSecret(text, markers));
}

/** Returns true when a prepare step of the task's source contains a secret. */
function sourceHoldsSecret(input: CacheLookupInput): boolean {
  return prepareHoldsSecret(input.source, secretMarkers(input));
}

/**
 * Returns true when the key of `input` depends on the project's secret-digest
 * key, because a declared env value, a step text or a prepare step of its
 * source contains a secret.
 */
export function usesSecretKey(input: CacheLookupInput): boolean {
  const envHoldsSecret = input.envKeys.some((name) => {
    const value = input.env[name];
    return value !== undefined && containsSecret(value, input.secretValues);
  });
  return envHoldsSecret || stepsHoldSecret(input) || sourceHoldsSecret(input);
}

function commandDigest(input: CacheLookupInput, key: Uint8Array): string {
  const text = canonicalJson(input.stepTexts);
  return stepsHoldSecret(input) ? secretDigest(text, key) : sha256(text);
}

/** Builds the manifest of one lookup from its already resolved input digests. */
export function buildManifest(
  input: CacheLookupInput,
  inputs: InputDigests,
  rootDir: string,
  secretKey: Uint8Array,
): KeyManifest {
  const { task } = input;
  const env: Record<string, string> = {};
  for (const name of [...new Set(input.envKeys)].sort()) {
    env[name] = envDigest(input.env[name], input.secretValues, secretKey);
  }
  const dependencies: Record<string, string> = {};
  for (const id of Object.keys(input.dependencyFingerprints).sort()) {
    dependencies[id] = input.dependencyFingerprints[id];
  }
  const definition = {
    inputs: task.inputs,
    defaultInputs: task.defaultInputs,
    outputs: task.outputs,
    cwd: relative(rootDir, input.cwd).split("\\").join("/"),
    platform: `${process.platform}-${process.arch}`,
  };
  const executor = input.executor !== undefined && input.executor !== HOST_EXECUTOR
    ? { executor: input.executor }
    : {};
  const manifest: KeyManifest = {
    keyVersion: KEY_VERSION,
    taskId: task.id,
    command: commandDigest(input, secretKey),
    definition: sha256(canonicalJson(definition)),
    inputs,
    env,
    dependencies,
    ...executor,
  };
  if (input.source === undefined) return manifest;
  const source = buildKeySource(input.source, sourceHoldsSecret(input), secretKey);
  return { ...manifest, source };
}

/** Returns the cache key of a manifest. */
export function manifestKey(manifest: KeyManifest): string {
  return canonicalDigest(manifest);
}

/** Returns the digest text of `path` in `inputs`, or undefined when it is missing or absent. */
function presentDigest(inputs: InputDigests, path: string): string | undefined {
  if (!Object.hasOwn(inputs, path)) return undefined;
  const digest = inputs[path];
  return digest === ABSENT ? undefined : digest;
}

/** Returns `inputs` as {@link StoredInputs}: itself when it is, else a view of the record. */
export function storedInputs(inputs: StoredInputs | InputDigests): StoredInputs {
  const stored = inputs as Partial<StoredInputs>;
  if (typeof stored.get === "function" && typeof stored.forEach === "function") {
    return inputs as StoredInputs;
  }
  const record = inputs as InputDigests;
  return {
    get: (path) => Object.hasOwn(record, path) ? record[path] : undefined,
    forEach(visit) {
      for (const path of Object.keys(record)) visit(path, record[path]);
    },
  };
}

/** {@link presentDigest} for stored inputs. */
function storedDigest(inputs: StoredInputs, path: string): string | undefined {
  const digest = inputs.get(path);
  return digest === ABSENT ? undefined : digest;
}

function changedNames(
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => before[name] !== after[name]).sort();
}

/**
 * Lists what differs between an earlier manifest, such as a stored one read
 * in place, and the current one.
 */
export function diffManifests(
  before: StoredManifest | KeyManifest,
  after: KeyManifest,
): ManifestChanges {
  const earlier = storedInputs(before.inputs);
  // Plain loops over the records, because a task can have tens of thousands of inputs.
  const added: string[] = [];
  const removed: string[] = [];
  const changed: string[] = [];
  for (const path of Object.keys(after.inputs)) {
    const current = presentDigest(after.inputs, path);
    if (current === undefined) continue;
    const old = storedDigest(earlier, path);
    if (old === undefined) added.push(path);
    else if (old !== current) changed.push(path);
  }
  earlier.forEach((path, digest) => {
    if (digest !== ABSENT && presentDigest(after.inputs, path) === undefined) removed.push(path);
  });
  // An entry stored before source parts existed held the source in its command
  // digest. Only a changed recipe explains that difference, not the command.
  const recipe = (before.source === undefined) !== (after.source === undefined);
  const changes: ManifestChanges = {
    inputs: { added, removed, changed },
    env: changedNames(before.env, after.env),
    dependencies: changedNames(before.dependencies, after.dependencies),
    command: !recipe && before.command !== after.command,
    definition: before.definition !== after.definition || before.keyVersion !== after.keyVersion ||
      recipe,
  };
  const source = before.source !== undefined && after.source !== undefined
    ? diffKeySources(before.source, after.source)
    : undefined;
  const executor = {
    before: before.executor ?? HOST_EXECUTOR,
    after: after.executor ?? HOST_EXECUTOR,
  };
  return {
    ...changes,
    ...(source === undefined ? {} : { source }),
    ...(executor.before === executor.after ? {} : { executor }),
  };
}

/** Returns true when `value` has the shape of a {@link KeyManifest}. */
export function isKeyManifest(value: unknown): value is KeyManifest {
  const manifest = value as KeyManifest | null;
  const isStringRecord = (record: unknown) =>
    typeof record === "object" && record !== null && !Array.isArray(record) &&
    Object.values(record).every((item) => typeof item === "string");
  return typeof manifest === "object" && manifest !== null &&
    typeof manifest.keyVersion === "number" && typeof manifest.taskId === "string" &&
    typeof manifest.command === "string" && typeof manifest.definition === "string" &&
    isStringRecord(manifest.inputs) && isStringRecord(manifest.env) &&
    isStringRecord(manifest.dependencies) &&
    (manifest.source === undefined || isKeySource(manifest.source)) &&
    (manifest.executor === undefined || typeof manifest.executor === "string");
}
