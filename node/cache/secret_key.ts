/**
 * The secret-digest key of a run, and the misses a replaced key causes.
 * Secret values enter keys as digests keyed by `.async/cache/secret.key`.
 * When that file is missing or invalid, the run makes a new key, so every
 * part of a key that digests a secret differs from the stored entry's,
 * whether or not the secret changed.
 *
 * @module
 */

import { randomBytes } from "node:crypto";
import type { CacheLookupInput, CacheLookupResult } from "../cache_seam.ts";
import type { CacheChanges } from "../types.ts";
import { stepsHoldSecret, usesSecretKey } from "./manifest.ts";
import {
  loadSecretKey,
  readSecretKey,
  SECRET_KEY_PATH,
  type SecretKeyReplacement,
} from "./paths.ts";

/** Bytes of the key a read-only cache makes up when the project has none. */
const PROVISIONAL_KEY_BYTES = 32;

/** The secret-digest key of one run, loaded on first use. */
export class ProjectSecretKey {
  readonly #rootDir: string;
  readonly #readOnly: boolean;
  #key?: Promise<Uint8Array>;
  #replaced?: SecretKeyReplacement;
  #warned = false;
  /** True when a read-only cache found no secret-digest key and made up one. */
  provisional = false;

  constructor(rootDir: string, readOnly: boolean) {
    this.#rootDir = rootDir;
    this.#readOnly = readOnly;
  }

  /** Returns the key. A read-only cache never creates it and uses a random one instead. */
  load(): Promise<Uint8Array> {
    this.#key ??= this.#readOnly
      ? readSecretKey(this.#rootDir).then((key) => {
        if (key !== undefined) return key;
        this.provisional = true;
        return new Uint8Array(randomBytes(PROVISIONAL_KEY_BYTES));
      })
      : loadSecretKey(this.#rootDir).then(({ key, replaced }) => {
        this.#replaced = replaced;
        return key;
      });
    return this.#key;
  }

  /**
   * Explains a miss that a replaced key caused, see {@link secretKeyMiss}.
   * The first such miss of the run carries the warning that names the file.
   */
  explainMiss(input: CacheLookupInput, answer: CacheLookupResult): CacheLookupResult {
    const replaced = this.#replaced;
    if (replaced === undefined || !usesSecretKey(input)) return answer;
    const explained = secretKeyMiss(input, answer, replaced, !this.#warned);
    if (explained !== answer) this.#warned = true;
    return explained;
  }
}

/** Returns the warning of the first miss after the secret-digest key was replaced. */
export function secretKeyWarning(replaced: SecretKeyReplacement): string {
  const cause = replaced === "missing" ? "was missing" : "was not a valid key";
  return `the secret-digest key ${SECRET_KEY_PATH} ${cause} and was replaced, so each task whose ` +
    "cache key contains a secret misses once and stores a new entry.";
}

/** Returns the names of the declared env keys whose value contains a secret. */
function secretEnvNames(input: CacheLookupInput): Set<string> {
  const secrets = input.secretValues.filter((secret) => secret !== "");
  return new Set(input.envKeys.filter((name) => {
    const value = input.env[name];
    return value !== undefined && secrets.some((secret) => value.includes(secret));
  }));
}

/**
 * Rewrites a `changed` miss of a task whose key contains a secret: the env
 * names with secret values leave `env`, a command with a secret is no longer
 * reported as changed, and `secretKeyReplaced` gives the reason instead.
 * Digests made with the old key cannot tell whether a secret itself changed
 * too. Any other lookup result is returned unchanged. With `warn`, the miss
 * carries {@link secretKeyWarning}.
 */
export function secretKeyMiss(
  input: CacheLookupInput,
  answer: CacheLookupResult,
  replaced: SecretKeyReplacement,
  warn: boolean,
): CacheLookupResult {
  if (answer.status !== "miss" || answer.reason.kind !== "changed") return answer;
  const secretNames = secretEnvNames(input);
  const changes: CacheChanges = {
    ...answer.reason,
    env: answer.reason.env.filter((name) => !secretNames.has(name)),
    command: answer.reason.command && !stepsHoldSecret(input),
    secretKeyReplaced: replaced,
  };
  const warning = warn ? secretKeyWarning(replaced) : answer.warning;
  return {
    ...answer,
    reason: { kind: "changed", ...changes },
    ...(warning === undefined ? {} : { warning }),
  };
}
