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
  /** Maximum nodes running at once. */
  readonly concurrency: number;
  /** Runs one node and resolves true when it passed. Must not reject. */
  readonly run: (id: string) => Promise<boolean>;
  /** Checked before each start. True stops new starts, as on an interrupt. */
  readonly stopped: () => boolean;
}

/**
 * Starts each node once all its dependencies passed, at most `concurrency`
 * at a time, earlier nodes first. After the first failure no node starts,
 * and the nodes already running finish. Resolves with the ids that started.
 * Work per completion is proportional to the finished node's dependents, not
 * to the size of the graph.
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
  const running = new Map<string, Promise<void>>();
  let failed = false;

  const start = (index: number) => {
    const id = nodes[index].id;
    started.add(id);
    const done = options.run(id).then((ok) => {
      running.delete(id);
      if (!ok) {
        failed = true;
        return;
      }
      for (const next of dependents[index]) {
        if (--waitingOn[next] === 0) insertSorted(ready, next);
      }
    });
    running.set(id, done);
  };

  while (true) {
    while (!failed && !options.stopped() && running.size < options.concurrency && ready.length) {
      start(ready.shift() as number);
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
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
