/** Cache store declarations, the cache registry and the `cache.use` directive. @module */

import { parseTtl, TTL_HINT } from "./duration.ts";
import { didYouMean, ErrorCode, PipelineError, type PipelineIssue } from "./errors.ts";
import { checkArgumentCount, checkBuilderOptions, fieldPath } from "./fields.ts";

/** Options shared by every store. */
export interface StoreOptions {
  /**
   * Entries older than this are treated as missing and the task reruns.
   * Milliseconds or a duration string such as `"12h"` or `"30d"`.
   */
  ttlMs?: number | string;
}

/** A persistent local cache under `root` (default `.async/cache/tasks`). */
export interface FileCacheStore {
  readonly kind: "cache-store";
  readonly type: "file";
  readonly root: string;
  readonly ttlMs?: number;
}

/** A process-local cache. */
export interface MemoryCacheStore {
  readonly kind: "cache-store";
  readonly type: "memory";
  readonly ttlMs?: number;
}

/** A Redis cache. Declared as metadata only: the runner ships no Redis client. */
export interface RedisCacheStore {
  readonly kind: "cache-store";
  readonly type: "redis";
  readonly url: string | { readonly env: string };
  readonly ttlMs?: number;
}

/** Any store declaration. */
export type CacheStore = FileCacheStore | MemoryCacheStore | RedisCacheStore;

/** A cache registry built by {@link defineCache}. */
export interface CacheRegistry {
  readonly kind: "cache-registry";
  /** Ref used by tasks that set `cache: true` or omit `cache`. */
  readonly default?: string;
  readonly stores: Readonly<Record<string, CacheStore>>;
}

/** Directive that selects a cache ref for a task. */
export interface CacheDirective {
  readonly kind: "directive";
  readonly type: "cache";
  readonly ref: string;
}

/** The default file cache root, relative to the project directory. */
export const DEFAULT_FILE_CACHE_ROOT = ".async/cache/tasks";

/** The built-in stores used when a pipeline declares no registry. */
export const BUILT_IN_STORES: Readonly<Record<string, CacheStore>> = Object.freeze({
  file: Object.freeze({ kind: "cache-store", type: "file", root: DEFAULT_FILE_CACHE_ROOT }),
  memory: Object.freeze({ kind: "cache-store", type: "memory" }),
});

/**
 * The invalid `ttlMs` a store builder received. A builder does not know the
 * name its store gets in `defineCache`, so it keeps the value and
 * `defineCache` reports it under `cache.stores.<name>.ttlMs`.
 */
const INVALID_TTL = Symbol.for("@async/pipeline.invalidTtl");

/** Freezes `store` with its ttl, or with the invalid ttl kept for {@link defineCache}. */
function withTtl<T extends CacheStore>(store: T, value: number | string | undefined): T {
  if (value === undefined) return Object.freeze(store);
  let ttlMs: number;
  try {
    ttlMs = parseTtl(value);
  } catch {
    Object.defineProperty(store, INVALID_TTL, { value });
    return Object.freeze(store);
  }
  return Object.freeze({ ...store, ttlMs } as T);
}

/** Returns the issue of a store built with an invalid ttl, or undefined. */
function ttlIssue(name: string, store: CacheStore): PipelineIssue | undefined {
  if (!Object.hasOwn(store, INVALID_TTL)) return undefined;
  const value = (store as unknown as Record<symbol, unknown>)[INVALID_TTL];
  return {
    code: ErrorCode.INVALID_DURATION,
    path: `${fieldPath("cache.stores", name)}.ttlMs`,
    message: `invalid duration ${
      typeof value === "number" ? String(value) : JSON.stringify(value)
    }.`,
    hint: TTL_HINT,
  };
}

/** Declares a persistent file cache. */
export function fileCache(options: StoreOptions & { root?: string } = {}): FileCacheStore {
  checkArgumentCount("fileCache", arguments, 1, "pass one options object");
  checkBuilderOptions("fileCache", options, ["root", "ttlMs"]);
  if (options.root !== undefined && (typeof options.root !== "string" || options.root === "")) {
    throw new PipelineError(ErrorCode.INVALID_FIELD, "fileCache: root must be a non-empty path.");
  }
  const store: FileCacheStore = {
    kind: "cache-store",
    type: "file",
    root: options.root ?? DEFAULT_FILE_CACHE_ROOT,
  };
  return withTtl(store, options.ttlMs);
}

/** Declares a process-local memory cache. */
export function memoryCache(options: StoreOptions = {}): MemoryCacheStore {
  checkArgumentCount("memoryCache", arguments, 1, "pass one options object");
  checkBuilderOptions("memoryCache", options, ["ttlMs"]);
  return withTtl<MemoryCacheStore>({ kind: "cache-store", type: "memory" }, options.ttlMs);
}

/** Declares a Redis cache as metadata. Tasks using it run uncached, with a warning. */
export function redisCache(
  options: StoreOptions & { url: string | { env: string } },
): RedisCacheStore {
  checkArgumentCount("redisCache", arguments, 1, "pass one options object");
  checkBuilderOptions("redisCache", options, ["url", "ttlMs"]);
  const url = options.url;
  const valid = typeof url === "string" ||
    (typeof url === "object" && url !== null && typeof url.env === "string");
  if (!valid) {
    throw new PipelineError(
      ErrorCode.INVALID_FIELD,
      'redisCache: url must be a string or { env: "REDIS_URL" }.',
    );
  }
  const store: RedisCacheStore = {
    kind: "cache-store",
    type: "redis",
    url: typeof url === "string" ? url : Object.freeze({ env: url.env }),
  };
  return withTtl(store, options.ttlMs);
}

/** Declares a cache registry: named stores and the default ref. */
export function defineCache(
  config: { default?: string; stores: Record<string, CacheStore> },
): CacheRegistry {
  checkArgumentCount(
    "defineCache",
    arguments,
    1,
    "pass one object, defineCache({ default, stores })",
  );
  checkBuilderOptions("defineCache", config, ["default", "stores"]);
  if (typeof config.stores !== "object" || config.stores === null) {
    throw new PipelineError(ErrorCode.INVALID_FIELD, "defineCache: stores must be an object.");
  }
  for (const [name, store] of Object.entries(config.stores)) {
    if (!isCacheStore(store)) {
      throw new PipelineError(
        ErrorCode.INVALID_FIELD,
        `defineCache: stores.${name} must be fileCache(), memoryCache() or redisCache().`,
      );
    }
  }
  const ttlIssues = Object.entries(config.stores)
    .map(([name, store]) => ttlIssue(name, store))
    .filter((issue): issue is PipelineIssue => issue !== undefined);
  if (ttlIssues.length > 0) throw PipelineError.fromIssues(ttlIssues, "cache registry");
  const registry: CacheRegistry = Object.freeze({
    kind: "cache-registry",
    ...(config.default !== undefined ? { default: config.default } : {}),
    stores: Object.freeze({ ...config.stores }),
  });
  if (registry.default !== undefined) {
    resolveCacheRef(registry.default, registry.stores, "defineCache.default");
  }
  return registry;
}

/** Splits a ref such as `file:local` into store and namespace, checking the store exists. */
export function resolveCacheRef(
  ref: string,
  stores: Readonly<Record<string, CacheStore>>,
  path: string,
): { store: string; namespace: string } {
  const match = /^([A-Za-z0-9_-]+)(?::([A-Za-z0-9_.-]+))?$/.exec(ref);
  if (!match) {
    throw new PipelineError(ErrorCode.INVALID_FIELD, `${path}: invalid cache ref "${ref}".`, {
      path,
      hint: 'Use "<store>:<namespace>", such as "file:local".',
    });
  }
  const [, store, namespace = "default"] = match;
  if (!(store in stores)) {
    throw new PipelineError(
      ErrorCode.UNKNOWN_CACHE_STORE,
      `${path}: cache ref "${ref}" names unknown store "${store}".${
        suggestion(store, Object.keys(stores))
      }`,
      { path, hint: `Declared stores: ${Object.keys(stores).join(", ") || "none"}.` },
    );
  }
  return { store, namespace };
}

function suggestion(store: string, stores: readonly string[]): string {
  const text = didYouMean(store, stores);
  return text === "" ? "" : ` ${text}`;
}

/** Cache directives for task step arrays. */
export const cache: {
  /** Selects the cache ref for the task, as `cache: ref` would. */
  use(ref: string): CacheDirective;
} = Object.freeze({
  use(ref: string): CacheDirective {
    checkArgumentCount(
      "cache.use",
      arguments,
      1,
      'pass only the ref, such as cache.use("file:local")',
    );
    if (typeof ref !== "string" || ref === "") {
      throw new PipelineError(
        ErrorCode.INVALID_FIELD,
        'cache.use expects a ref such as "file:local".',
      );
    }
    return Object.freeze({ kind: "directive", type: "cache", ref });
  },
});

/** Returns true for a store declaration. */
export function isCacheStore(value: unknown): value is CacheStore {
  return typeof value === "object" && value !== null &&
    (value as CacheStore).kind === "cache-store";
}

/** Returns true for a registry built by {@link defineCache}. */
export function isCacheRegistry(value: unknown): value is CacheRegistry {
  return typeof value === "object" && value !== null &&
    (value as CacheRegistry).kind === "cache-registry";
}
