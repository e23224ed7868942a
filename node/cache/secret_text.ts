/**
 * Secret values in the paths and messages of the cache. Cache entries never
 * store a secret, so a path that contains one keeps its task uncached, and
 * every warning and miss reason the cache returns has secrets masked.
 *
 * @module
 */

import type { CacheLookupResult } from "../cache_seam.ts";
import type { CacheMissReason } from "../types.ts";
import { printablePath } from "../printable.ts";
import { maskMissText } from "../redact.ts";
import { maskSecrets } from "./entry.ts";

/** Returns the non-empty secret values. */
function needles(secrets: readonly string[]): string[] {
  return secrets.filter((secret) => secret !== "");
}

/** Returns true when `text` contains one of the non-empty `secrets`. */
export function containsSecretValue(text: string, secrets: readonly string[]): boolean {
  for (const secret of secrets) {
    if (secret !== "" && text.includes(secret)) return true;
  }
  return false;
}

/**
 * Returns `text` with each secret masked as `***`, both as it is and as
 * JSON escapes write it: a quoted file name (see {@link printablePath}) contains
 * the escaped form of a secret that contains a quote, a backslash or a
 * control character.
 */
export function maskCacheText(text: string, secrets: readonly string[]): string {
  const forms = new Set<string>();
  for (const secret of needles(secrets)) {
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  return maskSecrets(text, [...forms].sort((a, b) => b.length - a.length));
}

/** Returns `path` with secrets masked, then quoted when it contains a control character. */
export function maskedPath(path: string, secrets: readonly string[]): string {
  return printablePath(maskSecrets(path, needles(secrets)));
}

/** Returns a copy of a miss reason with secrets masked in its paths and reason text. */
export function maskMissReason(
  reason: CacheMissReason,
  secrets: readonly string[],
): CacheMissReason {
  if (needles(secrets).length === 0) return reason;
  return maskMissText(reason, (text) => maskCacheText(text, secrets));
}

/** Returns a lookup result with secrets masked in its warning and miss reason. */
export function maskedAnswer(
  answer: CacheLookupResult,
  secrets: readonly string[],
): CacheLookupResult {
  const result = { ...answer };
  if (result.warning !== undefined) result.warning = maskCacheText(result.warning, secrets);
  if (result.status !== "hit" && result.reason !== undefined) {
    result.reason = maskMissReason(result.reason, secrets);
  }
  return result;
}

/**
 * Returns an input path that contains a secret value, masked, and the reason
 * its task is not cached, for a warning.
 */
export function secretInputName(
  path: string,
  secrets: readonly string[],
): { masked: string; text: string } {
  const masked = maskedPath(path, secrets);
  return {
    masked,
    text: `the name of its input ${masked} contains a secret value, ` +
      "and cache entries never store secrets.",
  };
}
