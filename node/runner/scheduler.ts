/** Dependency-ordered execution with bounded parallelism. @module */

/** One schedulable unit: an id and the ids it waits for. */
export interface ScheduleNode {
  readonly id: string;
  readonly dependsOn: readonly string[];
}

/**
 * Outcome of a node's run: true when it passed, false when it failed, and
 * `unstarted` when it was denied a slot, so it did nothing and counts as
 * never started.
 */
export type NodeOutcome = boolean | "unstarted";

/** A node's claim on one of the `concurrency` slots. */
export interface Slot {
  /**
   * Waits for a slot, which the node then keeps until it calls `release` or
   * settles. Resolves false without a slot once no node may start any more
   * (after a failure, or when `stopped` turned true): the node must then stop
   * and resolve `unstarted`. A node that started holding a slot gets true at
   * once.
   */
  acquire(): Promise<boolean>;
  /** Gives the slot back, so work after it does not count against `concurrency`. */
  release(): void;
}

/** Options of {@link schedule}. */
export interface ScheduleOptions {
  /** Nodes in a valid order: each after its dependencies. */
  readonly nodes: readonly ScheduleNode[];
  /** Maximum nodes holding a slot at once. */
  readonly concurrency: number;
  /**
   * When true, a node starts without a slot and takes one with
   * `slot.acquire()`, so what it does before (such as a cache lookup)
   * overlaps the work of the nodes that have the slots. When false, a node
   * starts only when a slot is free and keeps it from the start.
   */
  readonly lookahead?: boolean;
  /**
   * Runs one node and resolves with its outcome. Must not reject. The node
   * keeps its slot until it calls `slot.release` or settles.
   */
  readonly run: (id: string, slot: Slot) => Promise<NodeOutcome>;
  /** Checked before each start. True stops new starts, as on an interrupt. */
  readonly stopped: () => boolean;
}

/**
 * Starts each node once all its dependencies passed, with at most
 * `concurrency` slots taken at a time, earlier nodes first, and slots
 * granted in the order nodes ask for them. A node that released its slot
 * runs on until it settles, and its dependents wait for that. At most
 * `2 × concurrency` nodes are unsettled at once, so released nodes and nodes
 * waiting for a slot cannot pile up. After the first failure no node starts
 * and no slot is granted, and the nodes already holding one finish. Resolves
 * with the ids that started and were not denied a slot. Work per completion
 * is proportional to the finished node's dependents, not to the size of the
 * graph.
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
  const lookahead = options.lookahead === true;
  // Grants for the nodes waiting in `acquire`, in the order they called it.
  const waiting: ((granted: boolean) => void)[] = [];
  let holding = 0;
  let failed = false;
  // Each release, settlement and request sets `changed` and wakes the loop below.
  let changed = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    changed = true;
    wake?.();
  };
  const closed = () => failed || options.stopped();

  const start = (index: number) => {
    const id = nodes[index].id;
    started.add(id);
    running.add(id);
    let hasSlot = !lookahead;
    if (hasSlot) holding++;
    const slot: Slot = {
      acquire: () => {
        if (hasSlot) return Promise.resolve(true);
        return new Promise<boolean>((resolve) => {
          waiting.push((granted) => {
            hasSlot = granted;
            if (granted) holding++;
            resolve(granted);
          });
          notify();
        });
      },
      release: () => {
        if (!hasSlot) return;
        hasSlot = false;
        holding--;
        notify();
      },
    };
    options.run(id, slot).then((outcome) => {
      slot.release();
      running.delete(id);
      if (outcome === "unstarted") started.delete(id);
      else if (!outcome) failed = true;
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
    if (closed()) { for (const grant of waiting.splice(0)) grant(false); }
    while (holding < options.concurrency && waiting.length > 0) waiting.shift()!(true);
    while (
      !closed() && (lookahead || holding < options.concurrency) &&
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
