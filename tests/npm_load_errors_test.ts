/**
 * How the installed npm package reports a pipeline that fails to load, on
 * Node 20 (jiti) and Node 24 (type stripping, then jiti).
 */

import assert from "node:assert/strict";
import {
  buildAndPack,
  type BuiltPackage,
  type CommandOutput,
  describeOutput,
  NODE_24,
  NodeProject,
  type NodeRuntime,
  SYSTEM_NODE,
} from "./npm_harness.ts";

const RUNTIMES: readonly NodeRuntime[] = [SYSTEM_NODE, NODE_24];

/** A module of a split pipeline: two tasks, exported as `extraTasks`, and a type. */
const EXTRA_TS = `import { sh, task } from "@async/pipeline";

export const extraTasks = { fmt: task({}, sh\`echo fmt\`), audit: task({}, sh\`echo audit\`) };
export interface Shape { readonly x: number }
`;

/** Returns a pipeline that imports `names` from `./extra.ts` and spreads `spread`. */
function pipelineImporting(names: string, spread: string): string {
  return `import { definePipeline, sh, task } from "@async/pipeline";
import { ${names} } from "./extra.ts";

const tasks = { lint: task({}, sh\`echo lint\`), ...${spread} };
export default definePipeline({ name: "split", tasks });
`;
}

const PROJECT_FILES: Readonly<Record<string, string>> = {
  "package.json": '{ "name": "load-errors", "private": true, "type": "module" }\n',
  "misspelled/extra.ts": EXTRA_TS,
  "misspelled/pipeline.ts": pipelineImporting("extraTask", "extraTask"),
  "typed/extra.ts": EXTRA_TS,
  "typed/pipeline.ts": `${
    pipelineImporting("extraTasks, Shape", "extraTasks")
  }const shape: Shape = { x: 1 };\n`,
  "throws/lib/values.ts": "// Values of the project.\nexport const size: number = 1;\n" +
    "export const name = notDeclared + size;\n",
  "throws/pipeline.ts": 'import { name } from "./lib/values.ts";\nexport default { name };\n',
};

let built: Promise<BuiltPackage> | undefined;
let buildRoot: string | undefined;
let projects: Map<NodeRuntime, Promise<NodeProject>> | undefined;

/** Returns the project of `runtime`, building the package and installing both projects once. */
function project(runtime: NodeRuntime): Promise<NodeProject> {
  built ??= buildAndPack().then((pkg) => {
    buildRoot = pkg.root;
    return pkg;
  });
  projects ??= new Map(
    RUNTIMES.map((each) => [
      each,
      built!.then((pkg) => NodeProject.create(pkg.root, each, pkg.tarball, PROJECT_FILES)),
    ]),
  );
  return projects.get(runtime)!;
}

// Removes the build and the projects in it once the tests of this file ran.
globalThis.addEventListener("unload", () => {
  if (buildRoot) Deno.removeSync(buildRoot, { recursive: true });
});

/** Registers a test that shares the build and projects started by earlier tests. */
function packageTest(name: string, fn: () => Promise<void>): void {
  // Installs started in one test finish in another, so the op and resource
  // sanitizers would report them.
  Deno.test({ name, fn, sanitizeOps: false, sanitizeResources: false });
}

function assertExit(output: CommandOutput, code: number, label: string): void {
  assert.equal(output.code, code, describeOutput(label, output));
}

for (const runtime of RUNTIMES) {
  const name = runtime.label;

  packageTest(`${name} fails on a misspelled named import`, async () => {
    const node = await project(runtime);
    const output = await node.bin(["metadata", "--config", "misspelled/pipeline.ts"]);
    assertExit(output, 1, "metadata of misspelled/pipeline.ts");
    assert.match(
      output.stderr,
      /^error\[ASYNC_PIPELINE_CONFIG_LOAD_FAILED\]: Failed to load \S+: The requested module '\.\/extra\.ts' does not provide an export named 'extraTask'\n {2}at file:\/\/\/\S+\/misspelled\/pipeline\.ts:2:10\n/,
    );
  });

  packageTest(`${name} loads a type imported without import type`, async () => {
    const node = await project(runtime);
    const output = await node.bin(["metadata", "--config", "typed/pipeline.ts"]);
    assertExit(output, 0, "metadata of typed/pipeline.ts");
    assert.match(output.stdout, /\$ echo fmt\n[\s\S]*\$ echo audit\n/);
  });

  packageTest(`${name} names the line of a module that threw`, async () => {
    const node = await project(runtime);
    const output = await node.bin(["metadata", "--config", "throws/pipeline.ts"]);
    assertExit(output, 1, "metadata of throws/pipeline.ts");
    assert.match(
      output.stderr,
      /: notDeclared is not defined\n {2}at (?:file:\/\/)?\/\S+\/throws\/lib\/values\.ts:3:\d+\n/,
    );
  });
}
