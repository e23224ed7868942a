// Every pipeline example of the API reference, normalized and compared with
// its recorded metadata. Regenerate the JSON with UPDATE_GOLDEN=1 after an
// intended change, then review the diff.
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { pipelineMetadata } from "../core/metadata.ts";
import type { Pipeline } from "../core/model.ts";

const FIXTURES = [
  "definition_fields",
  "env_deploy",
  "publish",
  "task_fields",
  "cache_registry",
  "sources",
  "steps",
  "job_triggers",
  "sync",
  "sync_defaults",
  "sandboxes",
  "command_policy",
];

const update = Deno.env.get("UPDATE_GOLDEN") === "1";

for (const name of FIXTURES) {
  Deno.test(`api example ${name} metadata`, async () => {
    const module = await import(`./fixtures/api/${name}.ts`) as { default: Pipeline };
    const actual = JSON.parse(JSON.stringify(pipelineMetadata(module.default)));
    const goldenPath = fileURLToPath(
      new URL(`./fixtures/api/${name}.metadata.json`, import.meta.url),
    );
    if (update) await writeFile(goldenPath, JSON.stringify(actual, null, 2) + "\n");
    const expected = JSON.parse(await readFile(goldenPath, "utf8"));
    assert.deepEqual(actual, expected);
  });
}
