import assert from "node:assert/strict";
import { runCli } from "../cli/app.ts";
import { BufferSink } from "../cli/io.ts";
import { buildGraphView, renderGraph } from "../core/graph_render.ts";
import { definePipeline, job, sh, source, task } from "../mod.ts";
import { tempDir } from "./support/temp_files.ts";

const step = sh`true`;

const pipeline = definePipeline({
  name: "app",
  sources: { storefront: source.git({ url: "file:///tmp/storefront.git" }) },
  tasks: {
    lint: task({ run: step }),
    build: task({ run: step }),
    test: task({ dependsOn: ["build"], run: step }),
    consumers: task({ dependsOn: ["build", "storefront:test"], run: step }),
  },
  jobs: { verify: job({ target: "test" }), all: job({ target: ["test", "consumers"] }) },
});

Deno.test("graph view of a job", () => {
  assert.deepEqual(buildGraphView(pipeline, "verify"), {
    job: "verify",
    targets: ["test"],
    nodes: [
      { id: "build", dependsOn: [] },
      { id: "test", dependsOn: ["build"] },
    ],
    edges: [{ from: "build", to: "test" }],
  });
});

Deno.test("graph view marks source tasks", () => {
  const view = buildGraphView(pipeline, "all");
  const external = view.nodes.find((node) => node.id === "storefront:test");
  assert.deepEqual(external, {
    id: "storefront:test",
    source: "storefront",
    external: true,
    dependsOn: [],
  });
});

Deno.test("graph view of the whole pipeline", () => {
  const ids = buildGraphView(pipeline).nodes.map((node) => node.id);
  assert.deepEqual(ids, ["build", "lint", "storefront:test", "consumers", "test"]);
});

Deno.test("graph view rejects an unknown job", () => {
  assert.throws(() => buildGraphView(pipeline, "nope"), /Unknown job "nope"/);
});

Deno.test("graph renders mermaid", () => {
  assert.equal(
    renderGraph(buildGraphView(pipeline, "verify"), "mermaid"),
    'flowchart LR\n  t0["build"]\n  t1["test"]\n  t0 --> t1\n',
  );
});

Deno.test("graph renders dot with source clusters", () => {
  const dot = renderGraph(buildGraphView(pipeline, "all"), "dot");
  assert.ok(dot.startsWith("digraph pipeline {\n  rankdir=LR;\n"), dot);
  assert.ok(
    dot.includes(
      'subgraph "cluster_storefront" {\n    label="storefront";\n    "storefront:test" [style=dashed];\n  }',
    ),
    dot,
  );
  assert.match(dot, /"storefront:test" -> "consumers";/);
  assert.match(dot, /"build" -> "test";/);
});

Deno.test("graph command prints json", async () => {
  const dir = await tempDir();
  const modUrl = new URL("../mod.ts", import.meta.url).href;
  await Deno.writeTextFile(
    `${dir}/pipeline.ts`,
    `import { definePipeline, job, sh, task } from ${JSON.stringify(modUrl)};
export default definePipeline({
  name: "demo",
  tasks: { a: task({ run: sh\`true\` }), b: task({ dependsOn: ["a"], run: sh\`true\` }) },
  jobs: { verify: job({ target: "b" }) },
});
`,
  );
  const stdout = new BufferSink();
  const stderr = new BufferSink();
  const code = await runCli(["graph", "verify", "--format", "json"], {
    cwd: dir,
    env: {},
    stdout,
    stderr,
    signal: new AbortController().signal,
    debug: false,
  });
  assert.equal(code, 0, stderr.text());
  assert.deepEqual(JSON.parse(stdout.text()).nodes.map((node: { id: string }) => node.id), [
    "a",
    "b",
  ]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("graph renders mermaid source subgraphs", () => {
  const mermaid = renderGraph(buildGraphView(pipeline, "all"), "mermaid");
  assert.ok(mermaid.includes('  subgraph storefront\n    t1["storefront:test"]\n  end\n'), mermaid);
  assert.ok(mermaid.includes("  t1 --> t2\n"), mermaid);
  assert.ok(
    mermaid.endsWith("  classDef external stroke-dasharray: 4 4\n  class t1 external\n"),
    mermaid,
  );
});
