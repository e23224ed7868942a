/**
 * The source part of a key manifest: what a task of a composed source has in
 * its key from the source itself. It has its own member so that a new commit,
 * new files in a path source or a new candidate is explained as what it is,
 * not as a changed command. Tasks that are not source tasks have no such
 * member, so their keys are what they were before the member existed.
 *
 * @module
 */

import type { SourceKeyInput } from "../cache_seam.ts";
import type { SourceChanges } from "../types.ts";
import { canonicalJson, secretDigest, sha256 } from "./digest.ts";

/** The source part of a {@link KeyManifest}, as ids, commits and digests. */
export interface KeySource {
  readonly id: string;
  readonly type: "git" | "path";
  /** A git source's checkout commit. */
  readonly commit?: string;
  /** A path source's content digest. */
  readonly content?: string;
  /**
   * Digest of the prepare steps' key texts, absent without prepare steps. A
   * keyed digest when a step text contains a secret.
   */
  readonly prepare?: string;
  /** The candidate's fingerprint, present when the source has prepare steps. */
  readonly candidate?: string;
}

/** Returns true when a prepare step text of `source` contains one of `markers`. */
export function prepareHoldsSecret(
  source: SourceKeyInput | undefined,
  markers: readonly string[],
): boolean {
  if (source === undefined) return false;
  return source.prepare.some((text) => markers.some((marker) => text.includes(marker)));
}

/** Builds the source part of a manifest. `secret` is true when a prepare text contains a secret. */
export function buildKeySource(
  source: SourceKeyInput,
  secret: boolean,
  secretKey: Uint8Array,
): KeySource {
  const part: { -readonly [K in keyof KeySource]: KeySource[K] } = {
    id: source.id,
    type: source.type,
  };
  if (source.commit !== undefined) part.commit = source.commit;
  if (source.content !== undefined) part.content = source.content;
  if (source.prepare.length > 0) {
    const text = canonicalJson(source.prepare);
    part.prepare = secret ? secretDigest(text, secretKey) : sha256(text);
  }
  if (source.candidate !== undefined) part.candidate = source.candidate;
  return part;
}

/**
 * Lists what differs between two source parts of the same task, or returns
 * undefined when nothing does. A source that changed its type (git to path
 * or back) shows as changed content, since only one side has a content digest.
 */
export function diffKeySources(before: KeySource, after: KeySource): SourceChanges | undefined {
  const changes: SourceChanges = {
    id: after.id,
    content: before.content !== after.content,
    prepare: before.prepare !== after.prepare,
    candidate: before.candidate !== after.candidate,
  };
  if (before.commit !== undefined && after.commit !== undefined && before.commit !== after.commit) {
    changes.commit = { before: before.commit, after: after.commit };
  }
  const changed = changes.commit !== undefined || changes.content || changes.prepare ||
    changes.candidate;
  return changed ? changes : undefined;
}

/** Returns true when `value` has the shape of a {@link KeySource}. */
export function isKeySource(value: unknown): value is KeySource {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const part = value as Record<string, unknown>;
  const optional = ["commit", "content", "prepare", "candidate"];
  return typeof part.id === "string" && (part.type === "git" || part.type === "path") &&
    optional.every((name) => part[name] === undefined || typeof part[name] === "string");
}
