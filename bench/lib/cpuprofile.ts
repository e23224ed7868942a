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

/** Source location of a profiled function. */
export interface FrameLocation {
  /** The script as shown in the tables, relative to the profiled package when inside it. */
  readonly script: string;
  /** The source module: the script itself, or the module of a bundle that the line belongs to. */
  readonly module: string;
  /** True for the profiled package's own modules, false for runtime internals and dependencies. */
  readonly own: boolean;
}

/** Maps a frame's script URL and zero-based line number to its location. */
export type FrameLocator = (url: string, line: number) => FrameLocation;

/**
 * Returns a locator that shows paths under `root` relative to it, and counts
 * them as own modules unless they are under a `node_modules` directory.
 */
export function rootLocator(root: string): FrameLocator {
  return (url) => {
    if (url === "") return { script: "(native)", module: "(native)", own: false };
    const path = url.startsWith("file://") ? new URL(url).pathname : url;
    if (!path.startsWith(root)) return { script: path, module: path, own: false };
    const relative = path.slice(root.length);
    const own = !`/${relative}`.includes("/node_modules/");
    return { script: relative, module: relative, own };
  };
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
 * Adds up self time per function and per source file. `locate` names each
 * frame's file (see {@link rootLocator}); `count` entries of each list are kept.
 */
export function summarizeProfile(
  profile: CpuProfile,
  locate: FrameLocator,
  count = 20,
): ProfileSummary {
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
    const location = locate(frame.url, frame.lineNumber);
    const position = `${location.script}:${frame.lineNumber + 1}`;
    const where = location.module === location.script
      ? position
      : `${position} (${location.module})`;
    add(functions, `${frame.functionName || "(anonymous)"} ${where}`, ms);
    add(files, location.module, ms);
    totalMs += ms;

    const onStack = new Set<string>();
    for (let node: number | undefined = id; node !== undefined; node = parentOf.get(node)) {
      const caller = byId.get(node);
      if (!caller) continue;
      const location = locate(caller.url, caller.lineNumber);
      if (location.own) onStack.add(location.module);
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
