/**
 * The stored shape of a cache entry, and the checks a read entry must pass
 * before anything trusts it.
 *
 * @module
 */

import { sha256 } from "./digest.ts";
import { scanStringRecord } from "./json_scan.ts";
import { isKeyManifest, type KeyManifest } from "./manifest.ts";
import { MAX_META_DEPTH, nestedDeeperThan } from "../meta_depth.ts";
import { isStepRuntime, type StepRuntime } from "./step_runtime.ts";

/** Version of `result.json` and `outputs.json`. */
export const ENTRY_SCHEMA_VERSION = 1;

/** An entry's result, logs and key manifest, as a store hands it out. */
export interface EntryResult {
  readonly schemaVersion: 1;
  readonly key: string;
  readonly taskId: string;
  /** When the entry was written, as an ISO timestamp; `ttlMs` counts from here. */
  readonly createdAt: string;
  readonly durationMs: number;
  readonly manifest: KeyManifest;
  /** Task logs with secret values masked. */
  readonly stdout: string;
  readonly stderr: string;
  readonly meta: Record<string, unknown>;
  /** SHA-256 of `outputs.json` and its entry count, or null for a task without outputs. */
  readonly outputs: { readonly digest: string; readonly count: number } | null;
  /** The runtime that rendered the function steps' text. Entries stored before it existed lack it. */
  readonly runtime?: StepRuntime;
}

/**
 * `result.json` as the file store keeps it. The key manifest of a task with
 * many inputs is large and only explains later misses, so entries keep it
 * in `manifest.json` and name its SHA-256 here. Entries written before that
 * hold it inline. `logsDigest` is the {@link logsDigest} of the entry's logs
 * and metadata. Entries written before it existed lack it and are read
 * without that check.
 */
export type StoredResult = Omit<EntryResult, "manifest"> & {
  readonly manifest?: KeyManifest;
  readonly manifestDigest?: string;
  readonly logsDigest?: string;
};

/**
 * Returns the SHA-256 of an entry's logs and metadata as JSON. `result.json`
 * is written with `JSON.stringify`, so the same digest comes out of the
 * values parsed back from it.
 */
export function logsDigest(result: Pick<EntryResult, "stdout" | "stderr" | "meta">): string {
  return sha256(JSON.stringify([result.stdout, result.stderr, result.meta]));
}

/** One output path as recorded in `outputs.json`. Modes never carry setuid, setgid or sticky bits. */
export type OutputRecord =
  | {
    readonly path: string;
    readonly kind: "file";
    readonly mode: number;
    readonly size: number;
    readonly digest: string;
    /** True for a file the task did not write (see `markForeign`). */
    readonly foreign?: true;
    /** True for a file the task found and left, with no earlier entry to say whose it is. */
    readonly found?: true;
  }
  | { readonly path: string; readonly kind: "directory"; readonly mode: number }
  | {
    readonly path: string;
    readonly kind: "symlink";
    readonly target: string;
    /** True for a link the task did not make (see `markForeign`). */
    readonly foreign?: true;
    /** True for a link the task found and left, with no earlier entry to say whose it is. */
    readonly found?: true;
  };

/** Returns true for a record of a file or link that the task did not write. */
export function isForeign(record: OutputRecord): boolean {
  return record.kind !== "directory" && record.foreign === true;
}

/** Returns true for a record of a file or link that the task found and left, with no known author. */
export function isFound(record: OutputRecord): boolean {
  return record.kind !== "directory" && record.found === true;
}

/** `outputs.json`: the output patterns and every path they matched after the run. */
export interface OutputsManifest {
  readonly schemaVersion: 1;
  readonly patterns: readonly string[];
  readonly entries: readonly OutputRecord[];
}

/** A stored entry that failed its checks. The `message` names the failed check. */
export class DamagedEntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DamagedEntryError";
  }
}

const HEX_DIGEST = /^[0-9a-f]{64}$/;

/** Returns true for a 64-digit lowercase hex SHA-256 digest, the form of every key. */
export function isDigest(value: unknown): value is string {
  return typeof value === "string" && HEX_DIGEST.test(value);
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new DamagedEntryError(`${file} is not valid JSON (truncated or overwritten)`);
  }
}

/** Start of the reason given for an entry of a later format, which this version cannot read. */
export const NEWER_ENTRY = "written by a newer version of @async/pipeline";

/** Parses and checks `result.json` text for the entry stored under `key`. */
export function parseEntryResult(text: string, key: string): StoredResult {
  const value = parseJson(text, "result.json") as StoredResult;
  const fail = (what: string) => {
    throw new DamagedEntryError(`result.json ${what}`);
  };
  if (typeof value !== "object" || value === null) fail("is not an object");
  if (typeof value.schemaVersion === "number" && value.schemaVersion > ENTRY_SCHEMA_VERSION) {
    throw new DamagedEntryError(
      `${NEWER_ENTRY} (result.json has schemaVersion ${value.schemaVersion}, this version reads ` +
        `${ENTRY_SCHEMA_VERSION})`,
    );
  }
  if (value.schemaVersion !== ENTRY_SCHEMA_VERSION) {
    fail(
      `has schemaVersion ${JSON.stringify(value.schemaVersion)}, expected ${ENTRY_SCHEMA_VERSION}`,
    );
  }
  if (value.key !== key) fail("belongs to another key");
  if (typeof value.taskId !== "string") fail("has no taskId");
  if (typeof value.createdAt !== "string" || Number.isNaN(Date.parse(value.createdAt))) {
    fail("has no valid createdAt");
  }
  if (typeof value.durationMs !== "number") fail("has no durationMs");
  if (
    value.manifest !== undefined ? !isKeyManifest(value.manifest) : !isDigest(value.manifestDigest)
  ) {
    fail("has no valid manifest");
  }
  if (typeof value.stdout !== "string" || typeof value.stderr !== "string") fail("has no logs");
  if (typeof value.meta !== "object" || value.meta === null) fail("has no meta");
  // Metadata deeper than `ctx.meta` allows would exhaust the stack of the code that masks it.
  if (nestedDeeperThan(value.meta, MAX_META_DEPTH)) {
    fail(`has meta nested more than ${MAX_META_DEPTH} levels deep`);
  }
  if (value.logsDigest !== undefined && value.logsDigest !== logsDigest(value)) {
    fail("has logs or metadata that do not match its logsDigest (edited or damaged)");
  }
  const outputs = value.outputs;
  if (
    outputs !== null &&
    (typeof outputs !== "object" || !isDigest(outputs.digest) || typeof outputs.count !== "number")
  ) fail("has an invalid outputs reference");
  if (value.runtime !== undefined && !isStepRuntime(value.runtime)) fail("has an invalid runtime");
  return value;
}

/** Parses and checks `manifest.json` text against the digest `result.json` names. */
export function parseManifestFile(text: string, digest: string): KeyManifest {
  if (sha256(text) !== digest) {
    throw new DamagedEntryError("manifest.json does not match the digest in result.json");
  }
  const value = parseManifestLayout(text) ?? parseJson(text, "manifest.json");
  if (!isKeyManifest(value)) throw new DamagedEntryError("manifest.json is not a key manifest");
  return value;
}

const INPUTS_MEMBER = `,"inputs":`;

/**
 * Parses manifest text whose `inputs` member comes right after the first
 * members, as `JSON.stringify` writes a manifest, or returns undefined. The
 * inputs are scanned as slices of the text, because a task can have tens
 * of thousands of them, and the rest goes through `JSON.parse`.
 */
function parseManifestLayout(text: string): unknown {
  if (!text.startsWith(`{"keyVersion":`)) return undefined;
  // Quotes inside strings are escaped, so the first raw match is the member.
  const member = text.indexOf(INPUTS_MEMBER);
  if (member === -1) return undefined;
  const inputs: Record<string, string> = {};
  const end = scanStringRecord(text, member + INPUTS_MEMBER.length, (path, digest) => {
    if (path === "__proto__") {
      Object.defineProperty(inputs, path, { value: digest, enumerable: true, writable: true });
    } else inputs[path] = digest;
  });
  if (end === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text.slice(0, member) + text.slice(end));
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || "inputs" in value) return undefined;
  return { ...value, inputs };
}

function checkRecord(record: OutputRecord, position: number): void {
  const fail = (what: string) => {
    throw new DamagedEntryError(`outputs.json entry ${position} ${what}`);
  };
  if (typeof record !== "object" || record === null || typeof record.path !== "string") {
    fail("has no path");
  }
  if (record.kind === "file") {
    if (!isDigest(record.digest) || typeof record.size !== "number") fail("has no digest or size");
    if (typeof record.mode !== "number") fail("has no mode");
  } else if (record.kind === "directory") {
    if (typeof record.mode !== "number") fail("has no mode");
  } else if (record.kind === "symlink") {
    if (typeof record.target !== "string") fail("has no target");
  } else fail(`has unknown kind ${JSON.stringify((record as { kind: unknown }).kind)}`);
  if ("foreign" in record && record.foreign !== true) fail("has a foreign flag that is not true");
  if ("found" in record && record.found !== true) fail("has a found flag that is not true");
}

/** Parses and checks `outputs.json` text. */
export function parseOutputsManifest(text: string): OutputsManifest {
  const value = parseJson(text, "outputs.json") as OutputsManifest;
  const version = (value as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === "number" && version > ENTRY_SCHEMA_VERSION) {
    throw new DamagedEntryError(
      `${NEWER_ENTRY} (outputs.json has schemaVersion ${version}, this version reads ` +
        `${ENTRY_SCHEMA_VERSION})`,
    );
  }
  if (typeof value !== "object" || value === null || value.schemaVersion !== ENTRY_SCHEMA_VERSION) {
    throw new DamagedEntryError("outputs.json has no schemaVersion 1");
  }
  if (!Array.isArray(value.patterns) || !Array.isArray(value.entries)) {
    throw new DamagedEntryError("outputs.json has no patterns or entries");
  }
  value.entries.forEach(checkRecord);
  return value;
}

/** Replaces every secret value in `text` with `***`. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let masked = text;
  for (const secret of secrets) {
    if (secret !== "") masked = masked.split(secret).join("***");
  }
  return masked;
}
