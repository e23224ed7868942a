/**
 * Turborepo. Each task runs its `package.json` script through the package
 * manager (`npm run <task>`), as Turborepo always does.
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import type { BenchGraph } from "../graph.ts";
import { linkPeer, peerVersion } from "./link.ts";
import type { Adapter, BenchEnvironment, WorkspaceLayout } from "./types.ts";

const NOOP_ALL = "noop-all";

function configurePackages(layout: WorkspaceLayout): void {
  const tasks = {
    build: { dependsOn: ["^build"], inputs: ["src/**"], outputs: ["dist/**"] },
  };
  layout.files.set("turbo.json", JSON.stringify({ tasks }, null, 2) + "\n");
}

/** Root tasks (`//#id`) of the no-op graph; every script runs through `npm run`. */
function configureNoop(
  layout: WorkspaceLayout,
  graph: Extract<BenchGraph, { kind: "noop" }>,
) {
  const tasks: Record<string, unknown> = {};
  graph.tasks.forEach((id, i) => {
    tasks[`//#${id}`] = {
      dependsOn: graph.deps[i].map((d) => `//#${graph.tasks[d]}`),
      cache: false,
    };
  });
  tasks[`//#${NOOP_ALL}`] = {
    dependsOn: graph.leaves.map((id) => `//#${id}`),
    cache: false,
  };
  layout.files.set("turbo.json", JSON.stringify({ tasks }, null, 2) + "\n");
  layout.root.scripts[NOOP_ALL] = "true";
}

/** Options of the Turborepo adapter. */
export interface TurboOptions {
  /**
   * Measure the no-op graph too. Off by default: every task is an `npm run`
   * (about 150 ms of npm startup), so 1,000 tasks at concurrency 2 take over a
   * minute per run, which does not fit the benchmark's time budget.
   */
  readonly noop: boolean;
}

/** Creates the Turborepo adapter. */
export function turboAdapter(
  bench: BenchEnvironment,
  options: TurboOptions,
): Adapter {
  return {
    name: "turbo",
    env: {
      TURBO_TELEMETRY_DISABLED: "1",
      DO_NOT_TRACK: "1",
      TURBO_NO_UPDATE_NOTIFIER: "1",
      TURBO_UI: "false",
    },
    unsupported(graph) {
      if (graph.kind === "noop" && !options.noop) {
        return "each task is an npm run, so 1,000 tasks take over a minute per run (enable with --noop-turbo)";
      }
      return undefined;
    },
    configure(layout, graph) {
      const npmVersion = execFileSync("npm", ["--version"], {
        encoding: "utf8",
      }).trim();
      layout.root.packageManager = `npm@${npmVersion}`;
      layout.gitignore.add(".turbo");
      if (graph.kind === "packages") configurePackages(layout);
      else configureNoop(layout, graph);
    },
    install: (workspace) => linkPeer(bench.benchDir, workspace, "turbo", "bin/turbo"),
    version: () => peerVersion(bench.benchDir, "turbo"),
    command(graph, concurrency) {
      const task = graph.kind === "packages" ? "build" : NOOP_ALL;
      return `./node_modules/.bin/turbo run ${task} --concurrency=${concurrency} --ui=stream`;
    },
    clean: "rm -rf .turbo packages/*/.turbo node_modules/.cache/turbo packages/*/dist",
  };
}
