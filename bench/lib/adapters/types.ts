/** The contract every benchmarked tool implements. @module */

import { join } from "node:path";
import process from "node:process";
import type { BenchGraph } from "../graph.ts";

/** A `package.json` being generated. */
export interface Manifest {
  [field: string]: unknown;
  scripts: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/**
 * Everything a workspace generator writes, before it is written. Every tool
 * adds its configuration to the same layout, so the workspaces of all tools
 * are byte-identical and each tool only reads its own part.
 */
export interface WorkspaceLayout {
  readonly root: Manifest;
  /** Package manifests by package directory; empty for the no-op graph. */
  readonly packages: Map<string, Manifest>;
  /** Extra files by path relative to the workspace root. */
  readonly files: Map<string, string>;
  /** Lines of the workspace `.gitignore`. */
  readonly gitignore: Set<string>;
}

/** Paths and binaries every adapter may need. */
export interface BenchEnvironment {
  /** The `bench/` directory, whose `node_modules` contains the peer tools. */
  readonly benchDir: string;
  /** The repository root, whose `cli/main.ts` is the source build of the CLI. */
  readonly repoDir: string;
  /** Node binary used for every Node process, peers included. */
  readonly node: string;
  /** Deno binary. */
  readonly deno: string;
}

/**
 * Returns the environment of a benchmark command in `repoDir`: the Node and
 * Deno binaries of `BENCH_NODE` and `BENCH_DENO`, else the repository's own.
 */
export function benchEnvironment(benchDir: string, repoDir: string): BenchEnvironment {
  return {
    benchDir,
    repoDir,
    node: process.env.BENCH_NODE ?? join(repoDir, "node_modules", ".bin", "node"),
    deno: process.env.BENCH_DENO ?? join(repoDir, "node_modules", ".bin", "deno"),
  };
}

/** One benchmarked tool or tool configuration. */
export interface Adapter {
  /** Column name in the results, such as `turbo` or `async-pipeline (deno)`. */
  readonly name: string;
  /** Extra environment for every run of the tool. */
  readonly env: Readonly<Record<string, string>>;
  /** Returns why the tool cannot run `graph`, or undefined when it can. */
  unsupported(graph: BenchGraph): string | undefined;
  /** Adds the tool's configuration for `graph` to the layout. */
  configure(layout: WorkspaceLayout, graph: BenchGraph): void;
  /** Makes the tool runnable inside a generated workspace, such as by linking its binary. */
  install(workspace: string): void;
  /** Returns the tool's version, or throws with the reason it cannot run. */
  version(workspace: string): string;
  /** Shell command, run in `workspace`, that runs the whole graph. */
  command(graph: BenchGraph, concurrency: number, workspace: string): string;
  /** Shell command that returns the workspace to the state without cache or outputs. */
  readonly clean: string;
}
