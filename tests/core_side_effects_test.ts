import assert from "node:assert/strict";
import { pipelineMetadata } from "../core/metadata.ts";
import { definePipeline, job, sh, source, task } from "../mod.ts";
import { tempDir } from "./support/temp_files.ts";

function explode(): never {
  throw new Error("a callback ran during definition or metadata");
}

Deno.test("definition runs no callbacks", () => {
  const pipeline = definePipeline({
    name: "app",
    sources: {
      lib: source.path({ path: "../lib", writable: true, prepare: [sh(explode)] }),
    },
    tasks: {
      fn: task({ run: explode }),
      deferred: task({ run: sh(explode) }),
      mixed: task({}, [sh`echo one`, explode, sh(explode)]),
    },
    jobs: { all: job({ target: ["fn", "deferred", "mixed"] }) },
  });
  const metadata = pipelineMetadata(pipeline) as { tasks: Record<string, { steps: unknown[] }> };
  assert.deepEqual(metadata.tasks.fn.steps, [{ type: "function", name: "explode" }]);
  assert.deepEqual(metadata.tasks.deferred.steps, [{ type: "deferred-shell" }]);
  assert.equal(metadata.tasks.mixed.steps.length, 3);
});

Deno.test("definition keeps function source for keys", () => {
  const pipeline = definePipeline({
    name: "app",
    tasks: { fn: task({ run: explode }) },
  });
  const [fnStep] = pipeline.tasks.fn.steps;
  assert.equal(fnStep.kind, "function");
  assert.match(fnStep.kind === "function" ? fnStep.code : "", /a callback ran/);
});

Deno.test("importing a pipeline module runs nothing", async () => {
  const dir = await tempDir();
  const marker = `${dir}/ran.txt`;
  const modUrl = new URL("../mod.ts", import.meta.url).href;
  await Deno.writeTextFile(
    `${dir}/pipeline.ts`,
    `import { definePipeline, job, sh, task } from ${JSON.stringify(modUrl)};
import { writeFileSync } from "node:fs";
const mark = () => writeFileSync(${JSON.stringify(marker)}, "ran");
export default definePipeline({
  name: "probe",
  tasks: {
    fn: task({ run: mark }),
    deferred: task({ run: sh(() => { mark(); return "true"; }) }),
  },
  jobs: { all: job({ target: ["fn", "deferred"] }) },
});
`,
  );
  const module = await import(`file://${dir}/pipeline.ts`);
  pipelineMetadata(module.default);
  await assert.rejects(Deno.stat(marker), Deno.errors.NotFound);
  await Deno.remove(dir, { recursive: true });
});
