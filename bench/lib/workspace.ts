/**
 * Writing a generated workspace to disk: manifests, sources, every tool's
 * configuration, `npm install` (links the workspace packages) and a git
 * commit, because Turborepo hashes through git when it can.
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import type { Adapter, Manifest, WorkspaceLayout } from "./adapters/types.ts";
import {
  type BenchGraph,
  mulberry32,
  type PackageGraph,
  sourceFileName,
  sourceFileWidth,
  sourceText,
} from "./graph.ts";

/**
 * The graph as the direct-spawn floor reads it from `bench-graph.json`: each
 * node's directory relative to the workspace root and its dependencies.
 */
export interface FloorGraph {
  readonly command: string;
  readonly nodes: readonly {
    readonly dir: string;
    readonly deps: readonly number[];
  }[];
}

/** Facts about a generated workspace that scenarios need. */
export interface WorkspaceInfo {
  readonly dir: string;
  /** Source file rewritten by the leaf-edit scenario (no package depends on it). */
  readonly leafFile?: string;
  /** Source file rewritten by the root-edit scenario (every package depends on it). */
  readonly rootFile?: string;
}

function floorGraph(graph: BenchGraph): FloorGraph {
  if (graph.kind === "packages") {
    return {
      command: graph.command,
      nodes: graph.packages.map((p) => ({ dir: p.dir, deps: p.deps })),
    };
  }
  return {
    command: graph.command,
    nodes: graph.deps.map((deps) => ({ dir: ".", deps })),
  };
}

function emptyLayout(graph: BenchGraph): WorkspaceLayout {
  const root: Manifest = {
    name: "bench-root",
    version: "0.0.0",
    private: true,
    type: "module",
    scripts: { "bench:noop": "true" },
  };
  const packages = new Map<string, Manifest>();
  if (graph.kind === "packages") {
    root.workspaces = ["packages/*"];
    for (const pkg of graph.packages) {
      packages.set(pkg.dir, {
        name: pkg.name,
        version: "0.0.0",
        private: true,
        scripts: { build: graph.command },
        dependencies: Object.fromEntries(
          pkg.deps.map((d) => [graph.packages[d].name, "0.0.0"]),
        ),
      });
    }
  }
  const gitignore = new Set([
    "node_modules",
    "dist",
    ".bench-exec.log",
  ]);
  return { root, packages, files: new Map(), gitignore };
}

function writeFile(root: string, path: string, content: string): void {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
}

function writeSources(dir: string, graph: PackageGraph): void {
  const random = mulberry32((graph.options.seed ^ 0x9e3779b9) >>> 0);
  for (const pkg of graph.packages) {
    const width = sourceFileWidth(pkg.fileCount);
    const srcDir = join(dir, pkg.dir, "src");
    mkdirSync(srcDir, { recursive: true });
    for (let f = 0; f < pkg.fileCount; f++) {
      const name = sourceFileName(f, width);
      // Line 1 is the revision line that the edit scenarios rewrite.
      const header = `// rev 0\n// ${pkg.name} ${name}\n`;
      writeFileSync(
        join(srcDir, name),
        sourceText(random, pkg.fileSize, header),
      );
    }
  }
}

function run(command: string, args: string[], cwd: string): void {
  execFileSync(command, args, {
    cwd,
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_AUTHOR_NAME: "bench",
      GIT_AUTHOR_EMAIL: "bench@localhost",
      GIT_COMMITTER_NAME: "bench",
      GIT_COMMITTER_EMAIL: "bench@localhost",
    },
  });
}

/**
 * Replaces `dir` with a fresh workspace for `graph`, configured for every tool
 * in `configured`, and makes the tools in `installed` runnable there.
 */
export function generateWorkspace(
  dir: string,
  graph: BenchGraph,
  configured: readonly Adapter[],
  installed: readonly Adapter[],
): WorkspaceInfo {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const layout = emptyLayout(graph);
  for (const adapter of configured) adapter.configure(layout, graph);
  // The measured tool configures last, so its own file wins where two tools
  // write the same path (Node and Deno builds of async-pipeline may import
  // the API from different places).
  for (const adapter of installed) adapter.configure(layout, graph);

  for (const [path, manifest] of layout.packages) {
    writeFile(
      dir,
      `${path}/package.json`,
      JSON.stringify(manifest, null, 2) + "\n",
    );
  }
  if (graph.kind === "packages") writeSources(dir, graph);
  writeFile(dir, "package.json", JSON.stringify(layout.root, null, 2) + "\n");
  for (const [path, content] of layout.files) writeFile(dir, path, content);
  writeFile(dir, ".gitignore", [...layout.gitignore].join("\n") + "\n");
  writeFile(dir, "bench-graph.json", JSON.stringify(floorGraph(graph)) + "\n");

  run("npm", [
    "install",
    "--prefer-offline",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
  ], dir);
  for (const adapter of installed) adapter.install(dir);
  run("git", ["init", "-q"], dir);
  run("git", ["add", "-A"], dir);
  run("git", ["commit", "-q", "-m", "Generate the benchmark workspace"], dir);

  if (graph.kind === "noop") return { dir };
  return {
    dir,
    leafFile: graph.packages[graph.packages.length - 1].firstFile,
    rootFile: graph.packages[0].firstFile,
  };
}
