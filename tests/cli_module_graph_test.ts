/**
 * Which modules the CLI loads before it runs a command. The static import
 * graph comes from esbuild's metafile: every module that an entry reaches
 * through `import` statements and `require()` calls, without following
 * dynamic `import()`, which is how the CLI defers what a command does not need.
 */

import assert from "node:assert/strict";
import * as esbuild from "esbuild";
import { REPO_ROOT } from "./npm_harness.ts";

/** Returns the modules, relative to the repository, that `entries` import statically. */
async function staticGraph(entries: readonly string[]): Promise<Set<string>> {
  try {
    const result = await esbuild.build({
      absWorkingDir: REPO_ROOT,
      entryPoints: [...entries],
      bundle: true,
      write: false,
      metafile: true,
      platform: "node",
      format: "esm",
      outdir: "out",
      logLevel: "silent",
    });
    const inputs = result.metafile.inputs;
    const reached = new Set<string>();
    const pending = [...entries];
    while (pending.length > 0) {
      const path = pending.pop()!;
      if (reached.has(path)) continue;
      reached.add(path);
      for (const imported of inputs[path]?.imports ?? []) {
        if (imported.kind !== "dynamic-import" && !imported.external) pending.push(imported.path);
      }
    }
    return reached;
  } finally {
    await esbuild.stop();
  }
}

/** Lists the modules of `graph` whose path contains one of `fragments`. */
function matching(graph: Set<string>, fragments: readonly string[]): string[] {
  return [...graph].filter((path) => fragments.some((fragment) => path.includes(fragment)));
}

/** What only sync, GitHub and doctor commands need. */
const NOT_FOR_RUN = [
  "node_modules/yaml/",
  "node_modules/jsonc-parser/",
  "node/github/",
  "node/sync/",
  "node/doctor/",
  "cli/commands/github.ts",
  "cli/commands/sync.ts",
  "cli/commands/doctor.ts",
  "cli/commands/cache.ts",
];

Deno.test("cli run path skips other commands", async () => {
  // A run loads the executable, the run command, and the user's pipeline.ts,
  // which imports the package's main module.
  const graph = await staticGraph(["cli/main.ts", "cli/commands/run.ts", "mod.ts"]);
  assert.ok(graph.has("node/runner/run_job.ts"), "the graph misses the runner");
  assert.deepEqual(matching(graph, NOT_FOR_RUN), []);
});

Deno.test("cli help path skips the runner", async () => {
  const graph = await staticGraph(["cli/main.ts"]);
  assert.ok(graph.has("cli/commands/specs.ts"), "the graph misses the command table");
  assert.deepEqual(matching(graph, ["node/runner/", "node/cache/", "node_modules/"]), []);
});

Deno.test("cli github command loads yaml", async () => {
  // The check above would pass for a graph that never reaches npm packages.
  const graph = await staticGraph(["cli/commands/github.ts"]);
  assert.notDeepEqual(matching(graph, ["node_modules/yaml/"]), []);
});
