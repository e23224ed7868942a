/** Type errors of `definePipeline` configs point at the config, not at the normalized model. */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { REPO_DIR } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

const DENO = join(REPO_DIR, "node_modules/.bin/deno");
const MOD_URL = new URL("../mod.ts", import.meta.url).href;

Deno.test("definePipeline type error names the config field", async () => {
  const dir = await tempDir();
  const file = join(dir, "pipeline.ts");
  await writeFile(
    file,
    `import { definePipeline, job, sh, task } from "${MOD_URL}";
export default definePipeline({
  name: "app",
  tasks: { test: task({ run: sh\`true\` }) },
  jobs: { other: { target: 5 }, verify: job({ target: "test" }) },
});
`,
  );

  const result = spawnSync(DENO, ["check", "--config", join(REPO_DIR, "deno.json"), file], {
    encoding: "utf8",
    env: { ...Deno.env.toObject(), NO_COLOR: "1" },
  });

  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /'\(config: PipelineConfig\): Pipeline', gave the following error/);
  assert.match(result.stderr, /Type 'number' is not assignable to type 'string \| string\[\]'/);
  assert.doesNotMatch(result.stderr, /NormalizedJob/);
});
