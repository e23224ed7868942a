/** Small text formats shared by the presenters. @module */

/** Formats milliseconds as `850ms`, `1.2s`, `2m 05s` or `3h 20m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  if (ms >= 3_600_000) {
    const hours = Math.floor(ms / 3_600_000);
    const rest = Math.round((ms % 3_600_000) / 60_000);
    return `${hours}h ${String(rest).padStart(2, "0")}m`;
  }
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes}m ${String(seconds).padStart(2, "0")}s`;
}
