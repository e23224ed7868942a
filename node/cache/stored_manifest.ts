/**
 * The key manifest of a stored entry, read to explain a later miss.
 *
 * A task with 20,000 inputs has a manifest of megabytes. Parsed into a
 * record, it costs a string per path and per digest, which a miss
 * explanation only compares once with the current manifest. Here the inputs
 * stay in the bytes of `manifest.json` and are found in place (see
 * {@link IndexTable}); the other, small members are parsed as usual.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { sha256 } from "./digest.ts";
import { DamagedEntryError, parseManifestFile } from "./entry.ts";
import { IndexTable } from "./index_table.ts";
import { isKeyManifest, type KeyManifest, storedInputs } from "./manifest.ts";

/** Input digests by path, read in place. */
export interface StoredInputs {
  /** Returns the digest text of `path`, or undefined when it is not an input. */
  get(path: string): string | undefined;
  /** Calls `visit` with each path and its digest text, in stored order. */
  forEach(visit: (path: string, digest: string) => void): void;
}

/** A {@link KeyManifest} whose inputs are read in place. */
export type StoredManifest = Omit<KeyManifest, "inputs"> & { readonly inputs: StoredInputs };

/** Returns `manifest` as a {@link StoredManifest}. */
export function storedManifest(manifest: KeyManifest): StoredManifest {
  return { ...manifest, inputs: storedInputs(manifest.inputs) };
}

const INPUTS_MEMBER = Buffer.from(`,"inputs":`);
const LAYOUT_PREFIX = `{"keyVersion":`;

/**
 * Checks the bytes of `manifest.json` against the digest `result.json`
 * names and reads them. Throws a {@link DamagedEntryError} when they do not
 * match or are not a key manifest.
 */
export function readStoredManifest(bytes: Buffer, digest: string): StoredManifest {
  if (sha256(bytes) !== digest) {
    throw new DamagedEntryError("manifest.json does not match the digest in result.json");
  }
  return readLayout(bytes) ?? storedManifest(parseManifestFile(bytes.toString("utf8"), digest));
}

/**
 * Reads manifest bytes whose `inputs` member comes right after the first
 * members, as `JSON.stringify` writes a manifest, or returns undefined.
 */
function readLayout(bytes: Buffer): StoredManifest | undefined {
  if (bytes.toString("latin1", 0, LAYOUT_PREFIX.length) !== LAYOUT_PREFIX) return undefined;
  // Quotes inside strings are escaped, so the first raw match is the member.
  const member = bytes.indexOf(INPUTS_MEMBER);
  if (member === -1) return undefined;
  const scanned = IndexTable.scan<string>(bytes, member + INPUTS_MEMBER.length);
  if (scanned === undefined) return undefined;
  let rest: unknown;
  try {
    rest = JSON.parse(bytes.toString("utf8", 0, member) + bytes.toString("utf8", scanned.end));
  } catch {
    return undefined;
  }
  if (typeof rest !== "object" || rest === null || "inputs" in rest) return undefined;
  if (!isKeyManifest({ ...rest, inputs: {} })) return undefined;
  const { table } = scanned;
  const inputs: StoredInputs = {
    get: (path) => {
      const value = table.get(path);
      return typeof value === "string" ? value : undefined;
    },
    forEach(visit) {
      table.forEach((path, value) => {
        if (typeof value === "string") visit(path, value);
      });
    },
  };
  return { ...(rest as Omit<KeyManifest, "inputs">), inputs };
}
