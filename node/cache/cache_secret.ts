/**
 * A secret-digest key from the environment. Where `.async/cache/secret.key`
 * cannot be shared, as in CI, where the cache is restored without it,
 * `ASYNC_PIPELINE_CACHE_SECRET` gives every run the same key, so tasks
 * whose cache keys contain a secret can hit there too. Steps never receive
 * the variable, and its value is masked like a secret.
 *
 * @module
 */

import { createHmac } from "node:crypto";
import { CACHE_SECRET_ENV } from "../../core/env.ts";
import { ErrorCode, PipelineError } from "../../core/errors.ts";
import type { ProcessEnv } from "../types.ts";

export { CACHE_SECRET_ENV };

/** Shortest accepted value, so that the key cannot be guessed with the secrets it protects. */
export const MIN_CACHE_SECRET_LENGTH = 32;

/** Fixed text the key is derived over, so the key is never the value itself. */
const DERIVATION_LABEL = "async-pipeline secret-digest key v1";

/** The secret-digest key that {@link CACHE_SECRET_ENV} sets, and the value to mask. */
export interface CacheSecret {
  /** The 32-byte key for HMAC-SHA-256 digests of secret values. */
  readonly key: Uint8Array;
  /** The variable's value, which output must never show. */
  readonly value: string;
}

/**
 * Reads {@link CACHE_SECRET_ENV} from `env`. Returns undefined when it is
 * unset or empty, as GitHub Actions renders a repository secret that does
 * not exist. Throws `ASYNC_PIPELINE_INVALID_FIELD` for a value shorter than
 * {@link MIN_CACHE_SECRET_LENGTH}, without printing it.
 */
export function readCacheSecret(env: ProcessEnv): CacheSecret | undefined {
  const value = env[CACHE_SECRET_ENV];
  if (value === undefined || value === "") return undefined;
  if (value.length < MIN_CACHE_SECRET_LENGTH) {
    throw new PipelineError(
      ErrorCode.INVALID_FIELD,
      `${CACHE_SECRET_ENV} must be at least ${MIN_CACHE_SECRET_LENGTH} characters long, ` +
        `got ${value.length}.`,
      {
        path: CACHE_SECRET_ENV,
        hint: "Set it to a random value such as the output of `openssl rand -hex 32`, or unset " +
          "it to use .async/cache/secret.key.",
      },
    );
  }
  const key = createHmac("sha256", value).update(DERIVATION_LABEL).digest();
  return { key: new Uint8Array(key), value };
}

/**
 * Returns `prepared` with the value of `secret` among its secret values, so
 * that a cache entry is checked for it like for the run's other secrets.
 */
export function withCacheSecret<T extends { readonly secretValues: readonly string[] }>(
  prepared: T,
  secret: CacheSecret | undefined,
): T {
  if (secret === undefined) return prepared;
  return { ...prepared, secretValues: [...prepared.secretValues, secret.value] };
}

/** Returns `env` without {@link CACHE_SECRET_ENV}, or `env` itself when it has no such entry. */
export function withoutCacheSecret(env: ProcessEnv): ProcessEnv {
  if (env[CACHE_SECRET_ENV] === undefined) return env;
  const rest: ProcessEnv = { ...env };
  delete rest[CACHE_SECRET_ENV];
  return rest;
}
