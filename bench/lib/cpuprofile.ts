/** Summarizing a V8 `.cpuprofile` into the functions and files that took the time. @module */

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

/** The parts of the V8 CPU profile format this summary reads. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: CallFrame;
  }[];
  readonly samples: readonly number[];
  /** Microseconds since the previous sample. */
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

/** Self time of one function or file. */
export interface HotSpot {
  readonly name: string;
  readonly selfMs: number;
  readonly share: number;
}

/** Total sampled time and the largest self-time entries. */
export interface ProfileSummary {
  readonly totalMs: number;
  readonly functions: readonly HotSpot[];
  readonly files: readonly HotSpot[];
}

function shortUrl(url: string, root: string): string {
  if (url === "") return "(native)";
  const path = url.startsWith("file://") ? new URL(url).pathname : url;
  return path.startsWith(root) ? path.slice(root.length) : path;
}

function top(
  totals: Map<string, number>,
  totalMs: number,
  count: number,
): HotSpot[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, selfMs]) => ({ name, selfMs, share: selfMs / totalMs }));
}

/**
 * Adds up self time per function and per source file. Paths under `root`
 * are shown relative to it; `count` entries of each list are kept.
 */
export function summarizeProfile(
  profile: CpuProfile,
  root: string,
  count = 20,
): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const functions = new Map<string, number>();
  const files = new Map<string, number>();
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    // A sample's time is the gap to the next sample.
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const frame = byId.get(id);
    if (!frame) return;
    const file = shortUrl(frame.url, root);
    const name = `${frame.functionName || "(anonymous)"} ${file}:${frame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
    files.set(file, (files.get(file) ?? 0) + ms);
    totalMs += ms;
  });
  return {
    totalMs,
    functions: top(functions, totalMs, count),
    files: top(files, totalMs, count),
  };
}

/** Renders a summary as two Markdown tables. */
export function renderProfileSummary(summary: ProfileSummary): string {
  const rows = (spots: readonly HotSpot[]) =>
    spots.map((s) => `| ${s.name} | ${s.selfMs.toFixed(1)} | ${(s.share * 100).toFixed(1)}% |`);
  return [
    `Sampled ${summary.totalMs.toFixed(0)} ms of the runner's main thread.`,
    "",
    "| file | self ms | share |",
    "|---|---|---|",
    ...rows(summary.files),
    "",
    "| function | self ms | share |",
    "|---|---|---|",
    ...rows(summary.functions),
    "",
  ].join("\n");
}
