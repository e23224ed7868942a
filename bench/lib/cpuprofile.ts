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
    readonly children?: readonly number[];
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

/** Total sampled time and the largest self-time and inclusive-time entries. */
export interface ProfileSummary {
  readonly totalMs: number;
  /** Self time per function. */
  readonly functions: readonly HotSpot[];
  /** Self time per file. */
  readonly files: readonly HotSpot[];
  /**
   * Inclusive time per file under the root: samples whose stack passes
   * through the file, native calls it made included.
   */
  readonly rootFiles: readonly HotSpot[];
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
export function summarizeProfile(profile: CpuProfile, root: string, count = 20): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  }
  const add = (totals: Map<string, number>, key: string, ms: number) =>
    totals.set(key, (totals.get(key) ?? 0) + ms);
  const functions = new Map<string, number>();
  const files = new Map<string, number>();
  const rootFiles = new Map<string, number>();
  let totalMs = 0;

  profile.samples.forEach((id, i) => {
    // A sample's time is the gap to the next sample.
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const frame = byId.get(id);
    if (!frame) return;
    const file = shortUrl(frame.url, root);
    add(functions, `${frame.functionName || "(anonymous)"} ${file}:${frame.lineNumber + 1}`, ms);
    add(files, file, ms);
    totalMs += ms;

    const onStack = new Set<string>();
    for (let node: number | undefined = id; node !== undefined; node = parentOf.get(node)) {
      const url = byId.get(node)?.url ?? "";
      const path = url.startsWith("file://") ? new URL(url).pathname : "";
      if (path.startsWith(root) && !path.includes("/node_modules/")) {
        onStack.add(path.slice(root.length));
      }
    }
    for (const path of onStack) add(rootFiles, path, ms);
  });
  return {
    totalMs,
    functions: top(functions, totalMs, count),
    files: top(files, totalMs, count),
    rootFiles: top(rootFiles, totalMs, count),
  };
}

/** Renders a summary as three Markdown tables. */
export function renderProfileSummary(summary: ProfileSummary): string {
  const rows = (spots: readonly HotSpot[]) =>
    spots.map((s) => `| ${s.name} | ${s.selfMs.toFixed(1)} | ${(s.share * 100).toFixed(1)}% |`);
  return [
    `Sampled ${summary.totalMs.toFixed(0)} ms of the runner's main thread.`,
    "",
    "| repository file | inclusive ms | share |",
    "|---|---|---|",
    ...rows(summary.rootFiles),
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
