/** Duration parsing for `timeout`, `retry.delayMs`, cache `ttlMs` and similar fields. @module */

import { ErrorCode, PipelineError } from "./errors.ts";

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const TTL = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** Largest accepted cache ttl: the largest integer a number represents exactly (about 285,000 years). */
export const MAX_TTL_MS = Number.MAX_SAFE_INTEGER;

/** Fix given for an invalid cache ttl. */
export const TTL_HINT =
  'Use positive milliseconds (1500) or a string such as "30s", "5m", "12h" or "30d".';

/** Largest accepted duration: timers in Node and Deno hold at most 2^31-1 ms (about 24.8 days). */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/**
 * Parses milliseconds or a duration string (`500ms`, `30s`, `5m`, `1h`) into
 * whole milliseconds. Throws `ASYNC_PIPELINE_INVALID_DURATION` naming `path`.
 */
export function parseDuration(value: unknown, path = "duration"): number {
  if (typeof value === "number") {
    if (Number.isFinite(value) && value > 0 && value <= MAX_DURATION_MS) return Math.round(value);
  } else if (typeof value === "string") {
    const match = DURATION.exec(value.trim());
    if (match) {
      const ms = Math.round(Number(match[1]) * UNIT_MS[match[2]]);
      if (ms > 0 && ms <= MAX_DURATION_MS) return ms;
    }
  }
  throw new PipelineError(
    ErrorCode.INVALID_DURATION,
    `${path}: invalid duration ${
      typeof value === "number" ? String(value) : JSON.stringify(value)
    }.`,
    {
      path,
      hint:
        'Use positive milliseconds (1500) or a string such as "500ms", "30s", "5m" or "1h", at most 24 days.',
    },
  );
}

/**
 * Writes whole milliseconds in the largest unit that {@link parseDuration}
 * reads back exactly: 2000 as `2s`, 90000 as `90s`, 1500 as `1500ms`.
 */
export function formatDurationLimit(ms: number): string {
  for (const unit of ["h", "m", "s"]) {
    if (ms >= UNIT_MS[unit] && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}

/** Returns `value` in whole milliseconds when it is a valid cache ttl, else undefined. */
function ttlMs(value: unknown): number | undefined {
  let ms: number | undefined;
  if (typeof value === "number" && Number.isFinite(value)) ms = Math.round(value);
  else if (typeof value === "string") {
    const match = TTL.exec(value.trim());
    if (match) ms = Math.round(Number(match[1]) * UNIT_MS[match[2]]);
  }
  return ms !== undefined && ms > 0 && ms <= MAX_TTL_MS ? ms : undefined;
}

/**
 * Parses a cache ttl into whole milliseconds: positive milliseconds or a
 * duration string, which may also be in days (`30d`). A ttl is an entry's
 * age, never a timer, so it has no 24-day limit. Throws
 * `ASYNC_PIPELINE_INVALID_DURATION` naming `path`.
 */
export function parseTtl(value: unknown, path = "ttlMs"): number {
  const ms = ttlMs(value);
  if (ms !== undefined) return ms;
  throw new PipelineError(
    ErrorCode.INVALID_DURATION,
    `${path}: invalid duration ${
      typeof value === "number" ? String(value) : JSON.stringify(value)
    }.`,
    { path, hint: TTL_HINT },
  );
}
