/**
 * @async/pipeline. The graph is one root `pipeline.ts` with a task per package
 * (or per no-op node) and one job whose targets are the leaves. The CLI runs
 * from this repository's sources (Node with type stripping, or Deno), from a
 * packed npm build installed into each workspace, or from a JSR build (Deno).
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { BenchGraph, NoopGraph, PackageGraph } from "../graph.ts";
import type { Adapter, BenchEnvironment } from "./types.ts";

/** Origin of the CLI under test. */
export type AsyncPipelineBuild =
  | { readonly kind: "source" }
  | {
    readonly kind: "npm"; /** Path of the tarball `npm pack` wrote. */
    readonly tarball: string;
  }
  | {
    readonly kind: "jsr"; /** Directory `scripts/build_jsr.ts` wrote. */
    readonly dir: string;
  };

/** The runtime that runs the CLI. */
export type AsyncPipelineRuntime = "node" | "deno";

const PACKAGE = "@async/pipeline";

/** Quotes `text` for a TypeScript template literal. */
function templateText(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/`/g, "\\`").replace(
    /\$\{/g,
    "\\${",
  );
}

function packageTasks(graph: PackageGraph): string[] {
  return graph.packages.map((pkg) => {
    const deps = JSON.stringify(pkg.deps.map((d) => graph.packages[d].dirName));
    const run = templateText(`cd ${pkg.dir} && ${graph.command}`);
    return `    "${pkg.dirName}": task({ dependsOn: ${deps}, inputs: ["${pkg.dir}/src/**"], ` +
      `outputs: ["${pkg.dir}/dist/**"], run: sh\`${run}\` }),`;
  });
}

function noopTasks(graph: NoopGraph): string[] {
  const run = templateText(graph.command);
  return graph.tasks.map((id, i) => {
    const deps = JSON.stringify(graph.deps[i].map((d) => graph.tasks[d]));
    return `    "${id}": task({ dependsOn: ${deps}, cache: false, run: sh\`${run}\` }),`;
  });
}

/** Renders the workspace's `pipeline.ts`, importing the API from `specifier`. */
export function renderPipeline(graph: BenchGraph, specifier: string): string {
  const tasks = graph.kind === "packages" ? packageTasks(graph) : noopTasks(graph);
  const jobName = graph.kind === "packages" ? "build" : "noop";
  return [
    `import { definePipeline, job, sh, task } from ${JSON.stringify(specifier)};`,
    "",
    "export default definePipeline({",
    '  name: "bench",',
    '  cache: "file:local",',
    "  tasks: {",
    ...tasks,
    "  },",
    `  jobs: { ${jobName}: job({ target: ${JSON.stringify(graph.leaves)} }) },`,
    "});",
    "",
  ].join("\n");
}

/** Returns the CLI entry file of the packed build installed in `workspace`. */
function installedEntry(workspace: string): string {
  const manifestPath = join(workspace, "node_modules", PACKAGE, "package.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  const bin = typeof manifest.bin === "string" ? manifest.bin : manifest.bin?.["async-pipeline"];
  if (typeof bin !== "string") {
    throw new Error(`${manifestPath} has no async-pipeline bin`);
  }
  return join("node_modules", PACKAGE, bin);
}

function sourceVersion(repoDir: string): string {
  const version = JSON.parse(readFileSync(join(repoDir, "deno.json"), "utf8")).version;
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: repoDir,
      encoding: "utf8",
    })
      .trim();
  } catch {
    // NOTE: a source tree outside git still benchmarks; only the commit label is lost.
  }
  return `${version} source ${commit}`;
}

/** Creates the adapter that runs this project's CLI under `runtime`. */
export function asyncPipelineAdapter(
  bench: BenchEnvironment,
  runtime: AsyncPipelineRuntime,
  build: AsyncPipelineBuild,
): Adapter {
  const sourceEntry = join(bench.repoDir, "cli", "main.ts");
  const entry = (workspace: string) =>
    build.kind === "source"
      ? sourceEntry
      : build.kind === "jsr"
      ? join(build.dir, "cli", "main.js")
      : installedEntry(workspace);
  const launcher = runtime === "node"
    ? [bench.node]
    : build.kind === "source"
    ? [bench.deno, "run", "-A", "--config", join(bench.repoDir, "deno.json")]
    : [bench.deno, "run", "-A"];
  return {
    name: `async-pipeline-${runtime}`,
    env: {},
    unsupported: () => undefined,
    configure(layout, graph) {
      layout.gitignore.add(".async");
      if (build.kind === "npm") {
        layout.root.devDependencies ??= {};
        layout.root.devDependencies[PACKAGE] = `file:${build.tarball}`;
      }
      const specifier = build.kind === "source"
        ? pathToFileURL(join(bench.repoDir, "mod.ts")).href
        : build.kind === "jsr"
        ? pathToFileURL(join(build.dir, "mod.js")).href
        : PACKAGE;
      layout.files.set("pipeline.ts", renderPipeline(graph, specifier));
    },
    install() {
      // Source builds need nothing; npm builds arrive through the workspace's `npm install`.
    },
    version(workspace) {
      if (build.kind === "source") return sourceVersion(bench.repoDir);
      if (build.kind === "jsr") {
        const config = JSON.parse(readFileSync(join(build.dir, "deno.json"), "utf8"));
        return `${config.version} JSR build`;
      }
      const manifest = join(workspace, "node_modules", PACKAGE, "package.json");
      return `${JSON.parse(readFileSync(manifest, "utf8")).version} npm`;
    },
    command(graph, concurrency, workspace) {
      const job = graph.kind === "packages" ? "build" : "noop";
      const cli = [...launcher, entry(workspace)].join(" ");
      return `${cli} run ${job} --concurrency ${concurrency}`;
    },
    clean: "rm -rf .async packages/*/dist",
  };
}
