/** Dependency-ordered execution with bounded parallelism. @module */

/** One schedulable unit: an id and the ids it waits for. */
export interface ScheduleNode {
  readonly id: string;
  readonly dependsOn: readonly string[];
}

/** Options of {@link schedule}. */
export interface ScheduleOptions {
  /** Nodes in a valid order: each after its dependencies. */
  readonly nodes: readonly ScheduleNode[];
  /** Maximum nodes holding a slot at once. */
  readonly concurrency: number;
  /**
   * Runs one node and resolves true when it passed. Must not reject. The
   * node keeps its slot until it calls `release` or settles, so work after
   * `release` (such as storing results) does not count against `concurrency`.
   */
  readonly run: (id: string, release: () => void) => Promise<boolean>;
  /** Checked before each start. True stops new starts, as on an interrupt. */
  readonly stopped: () => boolean;
}

/**
 * Starts each node once all its dependencies passed, with at most
 * `concurrency` slots taken at a time, earlier nodes first. A node that
 * released its slot runs on until it settles, and its dependents wait for
 * that. At most `2 × concurrency` nodes are unsettled at once, so released
 * nodes cannot pile up. After the first failure no node starts, and the
 * nodes already running finish. Resolves with the ids that started. Work
 * per completion is proportional to the finished node's dependents, not to
 * the size of the graph.
 */
export async function schedule(options: ScheduleOptions): Promise<Set<string>> {
  const { nodes } = options;
  const position = new Map(nodes.map((node, index) => [node.id, index]));
  // Per node, how many of its dependencies have not passed yet, and who waits for it.
  const waitingOn = nodes.map(() => 0);
  const dependents: number[][] = nodes.map(() => []);
  nodes.forEach((node, index) => {
    for (const dep of new Set(node.dependsOn)) {
      const depIndex = position.get(dep);
      if (depIndex === undefined) continue;
      waitingOn[index]++;
      dependents[depIndex].push(index);
    }
  });
  // Ready nodes by position, so earlier nodes start first.
  const ready = nodes.flatMap((_, index) => waitingOn[index] === 0 ? [index] : []);
  const started = new Set<string>();
  const running = new Set<string>();
  const unsettledLimit = options.concurrency * 2;
  let holding = 0;
  let failed = false;
  // Each release and settlement sets `changed` and wakes the loop below.
  let changed = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    changed = true;
    wake?.();
  };

  const start = (index: number) => {
    const id = nodes[index].id;
    started.add(id);
    running.add(id);
    holding++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      holding--;
      notify();
    };
    options.run(id, release).then((ok) => {
      release();
      running.delete(id);
      if (!ok) failed = true;
      else {
        for (const next of dependents[index]) {
          if (--waitingOn[next] === 0) insertSorted(ready, next);
        }
      }
      notify();
    });
  };

  while (true) {
    changed = false;
    while (
      !failed && !options.stopped() && holding < options.concurrency &&
      running.size < unsettledLimit && ready.length
    ) {
      start(ready.shift() as number);
    }
    if (running.size === 0) break;
    if (changed) continue;
    await new Promise<void>((resolve) => wake = resolve);
    wake = undefined;
  }
  return started;
}

/** Inserts `value` into the ascending array `sorted`. */
function insertSorted(sorted: number[], value: number): void {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sorted[middle] < value) low = middle + 1;
    else high = middle;
  }
  sorted.splice(low, 0, value);
}
