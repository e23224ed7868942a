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
import type { TaskCacheOptions } from "./task_cache_types.ts";
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
  readonly #onWarning?: (message: string) => void;
  readonly #fixed?: Uint8Array;
  #key?: Promise<Uint8Array>;
  #replaced?: SecretKeyReplacement;
  #warned = false;
  /** True when a read-only cache found no secret-digest key and made up one. */
  provisional = false;

  /**
   * `onWarning` receives the warning about a replaced key, which concerns the
   * whole run. Without it, the warning goes with the first miss it explains.
   */
  constructor(
    options: Pick<TaskCacheOptions, "rootDir" | "readOnly" | "onWarning" | "secretKey">,
  ) {
    this.#rootDir = options.rootDir;
    this.#fixed = options.secretKey;
    this.#readOnly = options.readOnly === true;
    this.#onWarning = options.onWarning;
  }

  /**
   * Returns the key: the one passed in, else the project's. A read-only
   * cache never creates the project's key and uses a random one instead.
   */
  load(): Promise<Uint8Array> {
    if (this.#fixed !== undefined) return Promise.resolve(this.#fixed);
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
   * The first such miss of the run gives the warning that names the file.
   * The warning goes to `onWarning` when there is one, else with that miss,
   * after any warning the miss already had.
   */
  explainMiss(input: CacheLookupInput, answer: CacheLookupResult): CacheLookupResult {
    const replaced = this.#replaced;
    if (replaced === undefined || !usesSecretKey(input)) return answer;
    const explained = secretKeyMiss(input, answer, replaced);
    if (explained === answer || this.#warned) return explained;
    this.#warned = true;
    const warning = secretKeyWarning(replaced);
    if (this.#onWarning !== undefined) {
      this.#onWarning(warning);
      return explained;
    }
    const earlier = explained.warning;
    return {
      ...explained,
      warning: earlier === undefined ? warning : `${earlier} Also, ${warning}`,
    };
  }
}

/** Returns the warning of a run that replaced the secret-digest key. */
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
 * too. Any other lookup result is returned unchanged, and the miss keeps its
 * warning.
 */
export function secretKeyMiss(
  input: CacheLookupInput,
  answer: CacheLookupResult,
  replaced: SecretKeyReplacement,
): CacheLookupResult {
  if (answer.status !== "miss" || answer.reason.kind !== "changed") return answer;
  const secretNames = secretEnvNames(input);
  const changes: CacheChanges = {
    ...answer.reason,
    env: answer.reason.env.filter((name) => !secretNames.has(name)),
    command: answer.reason.command && !stepsHoldSecret(input),
    secretKeyReplaced: replaced,
  };
  return { ...answer, reason: { kind: "changed", ...changes } };
}
