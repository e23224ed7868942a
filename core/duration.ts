/** Duration parsing for `timeout`, `retry.delayMs` and similar fields. @module */

import { ErrorCode, PipelineError } from "./errors.ts";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

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
