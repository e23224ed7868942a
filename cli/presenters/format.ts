/** Small text formats shared by the presenters. @module */

/** Formats milliseconds as `850ms`, `1.2s`, `2m 05s`, `3h 20m` or `30d 04h`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  // Each unit is rounded first, so a value just under the next unit moves up to it.
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)}s`;
  const pad = (value: number) => String(value).padStart(2, "0");
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${pad(seconds % 60)}s`;
  const minutes = Math.round(ms / 60_000);
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)}h ${pad(minutes % 60)}m`;
  const hours = Math.round(minutes / 60);
  return `${Math.floor(hours / 24)}d ${pad(hours % 24)}h`;
}
