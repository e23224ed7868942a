/**
 * Deterministic synthetic task graphs shared by the workspace generator, the
 * tool adapters and the direct-spawn floor. Nothing here touches the disk.
 *
 * @module
 */

/** Returns a seeded pseudo-random generator (mulberry32) of numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Zero-pads `value` to `width` digits. */
export function pad(value: number, width = 3): string {
  return String(value).padStart(width, "0");
}

/**
 * The build every package runs, from its own directory: concatenate the
 * sources into `dist/out.txt`, then append the package directory name to the
 * workspace's `.bench-exec.log` so the harness can count the builds that really
 * ran. The log is outside every declared input and is git-ignored.
 */
export const BUILD_COMMAND =
  "mkdir -p dist && cat src/*.js > dist/out.txt && echo ${PWD##*/} >> ../../.bench-exec.log";

/** The no-op command of the scheduler-overhead graph, run from the workspace root. */
export const NOOP_COMMAND = "echo noop >> .bench-exec.log";

/**
 * Returns the dependency lists of a random DAG of `count` nodes. Node `i > 0`
 * depends on 1 to 3 distinct earlier nodes, biased towards recent ones so the
 * graph has depth, so node 0 is an ancestor of every node.
 */
export function randomDag(count: number, seed: number): number[][] {
  const random = mulberry32(seed);
  const dag: number[][] = [];
  for (let i = 0; i < count; i++) {
    const deps = new Set<number>();
    const depCount = i === 0 ? 0 : 1 + Math.floor(random() * Math.min(3, i));
    while (deps.size < depCount) {
      const span = Math.min(i, 12);
      const pick = random() < 0.7 ? i - 1 - Math.floor(random() * span) : Math.floor(random() * i);
      deps.add(pick);
    }
    dag.push([...deps].sort((a, b) => a - b));
  }
  return dag;
}

/** Shape facts of a DAG, printed with every result table. */
export interface DagStats {
  readonly nodes: number;
  readonly edges: number;
  /** Nodes that no other node depends on. */
  readonly leaves: number;
  /** Number of nodes on the longest dependency chain. */
  readonly maxDepth: number;
  /** Nodes rebuilt when node 0 changes: node 0 and every node downstream of it. */
  readonly rebuildOnRootEdit: number;
  /** Nodes rebuilt when the last node changes. */
  readonly rebuildOnLeafEdit: number;
}

/** Returns, for each node, the nodes that depend on it directly. */
export function dependentsOf(dag: readonly (readonly number[])[]): number[][] {
  const dependents: number[][] = dag.map(() => []);
  dag.forEach((deps, i) => deps.forEach((d) => dependents[d].push(i)));
  return dependents;
}

/** Counts `start` and every node downstream of it. */
function downstreamCount(
  dependents: readonly (readonly number[])[],
  start: number,
): number {
  const seen = new Set([start]);
  const stack = [start];
  while (stack.length > 0) {
    for (const next of dependents[stack.pop()!]) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return seen.size;
}

/** Computes the shape facts of a DAG whose edges point to earlier nodes. */
export function dagStats(dag: readonly (readonly number[])[]): DagStats {
  const dependents = dependentsOf(dag);
  const depth = dag.map(() => 1);
  dag.forEach((deps, i) => deps.forEach((d) => depth[i] = Math.max(depth[i], depth[d] + 1)));
  return {
    nodes: dag.length,
    edges: dag.reduce((sum, deps) => sum + deps.length, 0),
    leaves: dependents.filter((list) => list.length === 0).length,
    maxDepth: Math.max(...depth),
    rebuildOnRootEdit: downstreamCount(dependents, 0),
    rebuildOnLeafEdit: downstreamCount(dependents, dag.length - 1),
  };
}

/** One package of a generated workspace. */
export interface BenchPackage {
  readonly index: number;
  /** Directory name, such as `pkg-007`. */
  readonly dirName: string;
  /** npm package name, such as `@bench/pkg-007`. */
  readonly name: string;
  /** Directory relative to the workspace root, such as `packages/pkg-007`. */
  readonly dir: string;
  /** Indexes of the packages this one depends on. */
  readonly deps: readonly number[];
  readonly fileCount: number;
  /** Approximate size of each source file in bytes. */
  readonly fileSize: number;
  /** Path of the first source file, relative to the workspace root. */
  readonly firstFile: string;
}

/** Options of a package workspace. */
export interface PackageGraphOptions {
  readonly packages: number;
  /** Source files per package. */
  readonly files: number;
  /** Approximate bytes per source file. */
  readonly fileSize: number;
  readonly seed: number;
  /** When above 0, package 0 gets this many files of `bigFileSize` bytes instead. */
  readonly bigFiles: number;
  readonly bigFileSize: number;
}

/** A workspace of packages whose builds depend on each other. */
export interface PackageGraph {
  readonly kind: "packages";
  readonly options: PackageGraphOptions;
  readonly packages: readonly BenchPackage[];
  /** Directory names of the packages nothing depends on: the build job's targets. */
  readonly leaves: readonly string[];
  readonly command: string;
  readonly stats: DagStats;
}

/** A graph of uncached no-op tasks in the workspace root. */
export interface NoopGraph {
  readonly kind: "noop";
  /** Task ids, such as `noop-0042`. */
  readonly tasks: readonly string[];
  readonly deps: readonly (readonly number[])[];
  /** Ids of the tasks nothing depends on: the job's targets. */
  readonly leaves: readonly string[];
  readonly command: string;
  readonly stats: DagStats;
}

/** Either kind of generated graph. */
export type BenchGraph = PackageGraph | NoopGraph;

/** Builds the package graph for `options`. */
export function makePackageGraph(options: PackageGraphOptions): PackageGraph {
  const dag = randomDag(options.packages, options.seed);
  const width = Math.max(3, String(options.packages - 1).length);
  const packages = dag.map((deps, index): BenchPackage => {
    const big = options.bigFiles > 0 && index === 0;
    const fileCount = big ? options.bigFiles : options.files;
    const dirName = `pkg-${pad(index, width)}`;
    return {
      index,
      dirName,
      name: `@bench/${dirName}`,
      dir: `packages/${dirName}`,
      deps,
      fileCount,
      fileSize: big ? options.bigFileSize : options.fileSize,
      firstFile: `packages/${dirName}/src/${sourceFileName(0, sourceFileWidth(fileCount))}`,
    };
  });
  const dependents = dependentsOf(dag);
  return {
    kind: "packages",
    options,
    packages,
    leaves: packages.filter((p) => dependents[p.index].length === 0).map((p) => p.dirName),
    command: BUILD_COMMAND,
    stats: dagStats(dag),
  };
}

/** Builds a graph of `count` no-op tasks with the same DAG shape as the packages. */
export function makeNoopGraph(count: number, seed: number): NoopGraph {
  const deps = randomDag(count, seed);
  const width = Math.max(4, String(count - 1).length);
  const tasks = deps.map((_, i) => `noop-${pad(i, width)}`);
  const dependents = dependentsOf(deps);
  return {
    kind: "noop",
    tasks,
    deps,
    leaves: tasks.filter((_, i) => dependents[i].length === 0),
    command: NOOP_COMMAND,
    stats: dagStats(deps),
  };
}

/** Returns the name of source file `index`, such as `f07.js`. */
export function sourceFileName(index: number, width: number): string {
  return `f${pad(index, width)}.js`;
}

/** Returns the width of source file numbers for a package of `count` files. */
export function sourceFileWidth(count: number): number {
  return Math.max(2, String(count - 1).length);
}

/**
 * Returns deterministic JavaScript-looking text of about `size` bytes. The
 * first line of `header` is the line the harness rewrites to simulate an edit.
 */
export function sourceText(
  random: () => number,
  size: number,
  header: string,
): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  const lines = [header];
  let length = header.length;
  for (let n = 0; length < size; n++) {
    let value = "";
    const valueLength = 24 + Math.floor(random() * 40);
    for (let k = 0; k < valueLength; k++) {
      value += alphabet[Math.floor(random() * alphabet.length)];
    }
    const line = `export const v${n} = "${value}";\n`;
    lines.push(line);
    length += line.length;
  }
  return lines.join("");
}
