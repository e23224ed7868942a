/**
 * wireit. Its scripts must have the literal body `wireit`, so each package
 * gets a `build:wireit` script beside the shared `build` script. A root script
 * depends on every leaf. npm starts wireit once, and wireit spawns every
 * command itself.
 *
 * @module
 */

import type { BenchGraph, NoopGraph, PackageGraph } from "../graph.ts";
import { linkPeer, peerVersion } from "./link.ts";
import type { Adapter, BenchEnvironment, WorkspaceLayout } from "./types.ts";

const BUILD = "build:wireit";
const NOOP_ALL = "noop:wireit";

function configurePackages(layout: WorkspaceLayout, graph: PackageGraph): void {
  layout.root.scripts[BUILD] = "wireit";
  const rootConfig = {
    [BUILD]: {
      dependencies: graph.leaves.map((d) => `./packages/${d}:${BUILD}`),
    },
  };
  layout.root.wireit = rootConfig;
  for (const pkg of graph.packages) {
    const manifest = layout.packages.get(pkg.dir)!;
    manifest.scripts[BUILD] = "wireit";
    manifest.wireit = {
      [BUILD]: {
        command: graph.command,
        dependencies: pkg.deps.map((d) => `../${graph.packages[d].dirName}:${BUILD}`),
        files: ["src/**"],
        output: ["dist/**"],
      },
    };
  }
}

/** Scripts without `files` are never fresh, so wireit runs every no-op task each time. */
function configureNoop(layout: WorkspaceLayout, graph: NoopGraph): void {
  const config: Record<string, unknown> = {};
  graph.tasks.forEach((id, i) => {
    layout.root.scripts[id] = "wireit";
    config[id] = {
      command: graph.command,
      dependencies: graph.deps[i].map((d) => graph.tasks[d]),
    };
  });
  layout.root.scripts[NOOP_ALL] = "wireit";
  config[NOOP_ALL] = { dependencies: [...graph.leaves] };
  layout.root.wireit = config;
}

/** Creates the wireit adapter. */
export function wireitAdapter(bench: BenchEnvironment): Adapter {
  return {
    name: "wireit",
    env: { WIREIT_CACHE: "local", WIREIT_LOGGER: "simple" },
    unsupported: () => undefined,
    configure(layout, graph: BenchGraph) {
      layout.gitignore.add(".wireit");
      if (graph.kind === "packages") configurePackages(layout, graph);
      else configureNoop(layout, graph);
    },
    install: (workspace) => linkPeer(bench.benchDir, workspace, "wireit", "bin/wireit.js"),
    version: () => peerVersion(bench.benchDir, "wireit"),
    command(graph, concurrency) {
      const script = graph.kind === "packages" ? BUILD : NOOP_ALL;
      return `WIREIT_PARALLEL=${concurrency} npm run -s ${script}`;
    },
    clean: "rm -rf .wireit packages/*/.wireit packages/*/dist",
  };
}
