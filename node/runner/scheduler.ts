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
 */
export async function schedule(options: ScheduleOptions): Promise<Set<string>> {
  const known = new Set(options.nodes.map((node) => node.id));
  const started = new Set<string>();
  const passed = new Set<string>();
  const running = new Map<string, Promise<void>>();
  let failed = false;

  const start = (id: string) => {
    started.add(id);
    const done = options.run(id).then((ok) => {
      running.delete(id);
      if (ok) passed.add(id);
      else failed = true;
    });
    running.set(id, done);
  };

  while (true) {
    if (!failed && !options.stopped()) {
      for (const node of options.nodes) {
        if (running.size >= options.concurrency) break;
        if (started.has(node.id)) continue;
        const ready = node.dependsOn.every((dep) => !known.has(dep) || passed.has(dep));
        if (ready) start(node.id);
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  return started;
}
